/*
 * admin_regs.c - the registrations of an event for its organisers.
 */
#include "admin.h"

int adm_regs_table(adm *a)
{
    return adm_error(a, 501, NULL);
}

int adm_reg_form(adm *a)
{
    return adm_error(a, 501, NULL);
}

int adm_reg_update(adm *a)
{
    return adm_error(a, 501, NULL);
}

int adm_reg_cancel(adm *a)
{
    return adm_error(a, 501, NULL);
}

int adm_reg_promote(adm *a)
{
    return adm_error(a, 501, NULL);
}
