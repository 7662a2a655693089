/* vmon-live.h: the domain states that lifecycle events reported since the
 * last poll, kept by domain UUID. The event loop thread notes them; the
 * poll side applies them to the served data and reconciles from them. */
#ifndef VMON_LIVE_H
#define VMON_LIVE_H

#include <pthread.h>

#include "vmon-events.h"
#include "vmon-snapshot.h"

typedef struct {
    unsigned char uuid[VMON_UUID_LEN];
    char uuid_str[VMON_UUID_STRLEN + 1];
    char *name;
    bool is_gone; /* undefined */
    bool has_state;
    int state, reason;
    uint64_t seen_ns; /* CLOCK_MONOTONIC */
    time_t seen;      /* Unix time */
} vmon_live_state;

typedef struct {
    pthread_mutex_t lock;
    vmon_live_state *live;
    size_t n_live;
    bool is_dirty; /* noted since the last vmon_live_take_dirty */
} vmon_live_store;

void vmon_live_init(vmon_live_store *store);
void vmon_live_clear(vmon_live_store *store);
/* From the event loop thread: libvirt reported `ev`, a lifecycle event. */
void vmon_live_note(vmon_live_store *store, const vmon_event *ev);
/* Forget the states seen before `before_ns` (CLOCK_MONOTONIC). */
void vmon_live_prune(vmon_live_store *store, uint64_t before_ns);
/* Whether anything was noted since the last call; clears the flag. */
bool vmon_live_take_dirty(vmon_live_store *store);
/* A copy of every state (names duplicated), for vmon_live_copy_free. */
vmon_live_state *vmon_live_copy(vmon_live_store *store, size_t *n);
void vmon_live_copy_free(vmon_live_state *copy, size_t n);
/* Give the domains of `data` the states noted for them since `since_ns`
 * (CLOCK_MONOTONIC), with the event's time as their state time, and drop
 * the undefined ones. Returns how many rows changed; `has_unknown` tells
 * whether a noted domain has no row. */
size_t vmon_live_apply(vmon_live_store *store, vmon_host_data *data,
                       uint64_t since_ns, bool *has_unknown);

#endif
