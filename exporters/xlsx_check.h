/*
 * xlsx_check.h - check that a written xlsx is whole.
 *
 * libxlsxwriter stages each part of the workbook in temporary files and does
 * not check those writes: when the disk (or /tmp) fills up, workbook_close
 * can still report success for a workbook whose sheets are cut short. So
 * before an xlsx is moved into place, every XML part of the zip is inflated
 * and must end with the closing tag of its root element.
 */
#ifndef PL_XLSX_CHECK_H
#define PL_XLSX_CHECK_H

#include "error.h"

/* Returns 0 when every XML part of the xlsx at path is complete, PL_EIO
 * (message naming `name`) otherwise. Memory stays small whatever the size. */
int pl_xlsx_check(const char *path, const char *name, pl_error *err);

#endif
