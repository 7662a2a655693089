/* vmon-core-internal.h: what the unit tests reach inside a vmon_core. */
#ifndef VMON_CORE_INTERNAL_H
#define VMON_CORE_INTERNAL_H

#include "vmon-conn.h"

/* The i-th watched connection (0-based), or NULL. */
vmon_conn *vmon_core_conn(vmon_core *core, size_t i);

#endif
