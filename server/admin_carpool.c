/*
 * admin_carpool.c - the carpool of an event for its organisers.
 */
#include "admin.h"

int adm_carpool_page(adm *a)
{
    return adm_error(a, 501, NULL);
}

int adm_carpool_plan(adm *a)
{
    return adm_error(a, 501, NULL);
}

int adm_carpool_confirm(adm *a)
{
    return adm_error(a, 501, NULL);
}
