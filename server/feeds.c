/*
 * feeds.c - the calendar feeds this server answers with. The calendar
 * module (calendar/) provides the bytes; until it is built in, the members
 * are NULL and the feed routes answer 501.
 */
#include "server.h"

static const pl_server_feeds feeds = {NULL, NULL, NULL};

const pl_server_feeds *pl_server_default_feeds(void)
{
    return &feeds;
}
