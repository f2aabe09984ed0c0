/*
 * calendar.h - the calendar library's umbrella header: iCalendar feeds
 * (feed.h), personal feeds (personal.h) and subscriptions to remote
 * calendars (subscribe.h), wall times against their zone's rules
 * (local_time.h), and the geocoder's HTTP transport (http_fetch.h).
 * Built on libical and libcurl; the planning core never sees either.
 * Every function may be called from several threads: calendar/ serialises
 * its own libical use (docs/threading.md).
 */
#ifndef PL_CALENDAR_H
#define PL_CALENDAR_H

#include "feed.h"
#include "personal.h"
#include "subscribe.h"
#include "local_time.h"
#include "http_fetch.h"

#endif
