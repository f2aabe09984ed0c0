/*
 * feed_items.h - private to calendar/: the VEVENTs of an event and of its
 * sessions, shared by the event feeds and the personal feed.
 */
#ifndef PL_CALENDAR_FEED_ITEMS_H
#define PL_CALENDAR_FEED_ITEMS_H

#include "feed.h"

#include <libical/ical.h>

/* The event's own VEVENT: an all-day transparent banner when it has
 * sessions, else its timed block. Free with icalcomponent_free. */
icalcomponent *pl_feed_event_item(const pl_event *ev, const pl_calendar_options *opts);

/* One session. note (may be NULL) opens the DESCRIPTION; tentative turns
 * STATUS:CONFIRMED into TENTATIVE (a waiting list place). */
icalcomponent *pl_feed_session_item(const pl_event *ev, const pl_session *s,
                                    const pl_calendar_options *opts, const char *note,
                                    int tentative);

#endif
