/* vmon-changes.h: events a connection derives by comparing each poll with
 * the ones before: connection lost, restored and overdue; reconciliation;
 * the magic file; memory thresholds; domains whose stats went stale. */
#ifndef VMON_CHANGES_H
#define VMON_CHANGES_H

#include "vmon-live.h"
#include "vmon-queue.h"

/* The memory thresholds of vmon_core_config. */
typedef struct {
    uint64_t cell_low_bytes; /* 0: off */
    uint64_t host_low_bytes; /* 0: off */
    uint64_t hysteresis_bytes;
} vmon_limits;

/* What a connection remembers between polls. Only its supervisor thread
 * touches it. */
typedef struct {
    const vmon_emitter *emitter; /* borrowed */
    vmon_live_store *live;       /* borrowed */
    vmon_limits limits;
    bool is_up;           /* a poll succeeded since the connection was lost */
    bool is_lost;         /* it was up, then lost: the next success restores */
    uint64_t lost_ns;     /* CLOCK_MONOTONIC when it was lost */
    bool is_overdue;      /* an overdue call was reported, no poll since */
    uint64_t overdue_ns;  /* CLOCK_MONOTONIC when the call started */
    vmon_host_data *last; /* data of the last successful poll */
    bool has_magic;       /* the fields below hold a known content */
    vmon_magic_status magic_status; /* VMON_MAGIC_OK or VMON_MAGIC_MISSING */
    size_t magic_len;
    unsigned char magic[VMON_MAGIC_MAX];
    bool is_boot_blocked;
    bool is_host_low;
    size_t n_cells;
    bool *is_cell_low; /* indexed by NUMA cell number */
} vmon_change_track;

void vmon_changes_init(vmon_change_track *track, const vmon_emitter *em,
                       vmon_live_store *live, const vmon_limits *limits);
void vmon_changes_clear(vmon_change_track *track);
void vmon_changes_conn_lost(vmon_change_track *track, const char *reason);
/* A call that started at `started_ns` passed its deadline; `reason` says
 * which. Reported once until a poll completes. */
void vmon_changes_overdue(vmon_change_track *track, const char *reason,
                          uint64_t started_ns);
/* A poll that started at `started_ns` (CLOCK_MONOTONIC) succeeded with
 * `data` (borrowed; a reference is kept). */
void vmon_changes_poll_done(vmon_change_track *track, vmon_host_data *data,
                            uint64_t started_ns);

#endif
