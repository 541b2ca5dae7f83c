/*
 * liblimen: screening of persons, documents and objects against shared alerts.
 * Umbrella header: includes every public module.
 */
#ifndef LIMEN_H
#define LIMEN_H

#include "limen/status.h"
#include "limen/buf.h"
#include "limen/entity.h"
#include "limen/screen.h"
#include "limen/mrz.h"
#include "limen/convert.h"
#include "limen/paxlst.h"
#include "limen/store.h"

#define LIMEN_VERSION "0.1.0"

#endif
