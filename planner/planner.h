/*
 * planner.h - the planning core's umbrella header.
 */
#ifndef PL_PLANNER_H
#define PL_PLANNER_H

#include "error.h"
#include "text.h"
#include "lang.h"
#include "random.h"
#include "store.h"
#include "event.h"
#include "event_json.h"
#include "event_edit.h"
#include "agenda.h"
#include "origin.h"
#include "carpool.h"
#include "csv.h"
#include "registration.h"
#include "registration_csv.h"
#include "csv_map.h"
#include "allocate.h"
#include "ranks.h"
#include "registration_move.h"
#include "outbox.h"
#include "external.h"
#include "setting.h"
#include "geocoder.h"
#include "carpool_plan.h"
#include "carpool_json.h"

#endif
