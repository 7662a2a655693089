/* vmon-stats.h: records of virConnectGetAllDomainStats as vmon_domain rows,
 * and the carry-over of values a poll did not fetch. One table of fields
 * drives both; nothing here calls libvirt, so any record can be fed in. */
#ifndef VMON_STATS_H
#define VMON_STATS_H

#include <libvirt/libvirt.h>

#include "vmon-snapshot.h"

/* Polls in a row a group may miss before its carried values are dropped,
 * unless one of virtmon's own calls is overdue (a stuck guest keeps its
 * last values for as long as it is stuck). */
#define VMON_CARRY_MAX_MISSES 10

/* Parse the typed parameters of one record into `dom`, whose name, UUID and
 * ID the caller has set. Unknown fields, fields of an unexpected type and
 * malformed indexes are ignored; every vCPU, disk and interface row is one
 * that the record names (vcpu.<N>, block.<N>, net.<N>). -1: out of memory. */
int vmon_stats_parse(vmon_domain *dom, const virTypedParameter *params,
                     int nparams);

/* What a poll asked for, to decide what `dom` takes over from the last
 * published row of the same domain. */
typedef struct {
    unsigned int configured; /* VMON_GROUP_* collected at all */
    unsigned int requested;  /* VMON_GROUP_* due in this poll */
    time_t polled;           /* Unix time at which the poll started */
    bool has_overdue;        /* one of the connection's calls is overdue */
} vmon_stats_poll;

/* Whether `dom` (just parsed) lacks values of a requested group that `old`
 * had while the domain ran on with the same ID: libvirt skipped them
 * (NOWAIT and a busy job). Changes nothing. */
bool vmon_stats_lacks(vmon_domain *dom, const vmon_domain *old,
                      unsigned int requested);

/* Complete `dom` (just parsed) from `old` (NULL for a new domain): groups
 * not requested are taken over whole; values of requested groups that the
 * record lacks but `old` had are taken over while the domain runs on with
 * the same ID (another client held its job, or a guest is stuck). Sets
 * group_time, group_misses and is_stale. -1: out of memory. */
int vmon_stats_carry(vmon_domain *dom, const vmon_domain *old,
                     const vmon_stats_poll *poll);

/* vmon_stats_carry for every domain of `data` (sorted by UUID), from the
 * same domain in `prev` (NULL: none). */
int vmon_stats_merge(vmon_host_data *data, const vmon_host_data *prev,
                     const vmon_stats_poll *poll);

#endif
