/* vmon-events.h: what happened on a watched host, as a queue of events the
 * core fills (libvirt callbacks, poll-to-poll changes) and front ends drain. */
#ifndef VMON_EVENTS_H
#define VMON_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vmon-snapshot.h"

typedef enum {
    VMON_EVENT_LIFECYCLE = 1,      /* virDomainEventType + detail */
    VMON_EVENT_CONN_LOST = 2,      /* a connected URI stopped answering */
    VMON_EVENT_CONN_RESTORED = 3,  /* ... and came back (outage_s set) */
    VMON_EVENT_MAGIC_CHANGED = 4,  /* magic-file content changed */
    VMON_EVENT_MARKER_SET = 5,     /* content became the boot-blocking marker */
    VMON_EVENT_MARKER_CLEARED = 6, /* ... and stopped being it */
    VMON_EVENT_CELL_LOW = 7,       /* a NUMA cell's free memory fell below */
    VMON_EVENT_CELL_RECOVERED = 8, /* ... and rose above threshold+hysteresis */
    VMON_EVENT_HOST_LOW = 9,       /* host free memory fell below threshold */
    VMON_EVENT_HOST_RECOVERED = 10,
    VMON_EVENT_CONN_OVERDUE = 11,       /* a call passed its deadline */
    VMON_EVENT_CONN_OVERDUE_ENDED = 12, /* ... and a poll completed since */
    VMON_EVENT_DOMAIN_STALE = 13,   /* a domain's stats groups are missing */
    VMON_EVENT_DOMAIN_CURRENT = 14, /* ... and are fetched again */
} vmon_event_kind;

typedef struct {
    vmon_event_kind kind;
    unsigned int conn_index; /* 1-based, as in the connection table */
    char *uri;               /* configured URI of that connection */
    struct timespec time;    /* CLOCK_REALTIME when the core saw it */
    uint64_t seen_ns;        /* CLOCK_MONOTONIC, for latency measurement */
    /* VMON_EVENT_LIFECYCLE, VMON_EVENT_DOMAIN_* */
    char *dom_name;
    unsigned char uuid[VMON_UUID_LEN];
    char uuid_str[VMON_UUID_STRLEN + 1];
    int event;      /* virDomainEventType */
    int detail;     /* virDomainEvent*DetailType of that event */
    bool has_state; /* false when the domain is already gone */
    int state, reason;
    bool is_reconciled; /* derived from a snapshot after a reconnect, not
                           reported by libvirt */
    /* VMON_EVENT_CONN_*, VMON_EVENT_DOMAIN_* */
    char *reason_text; /* why the connection was lost or overdue, or which
                          groups of a domain are missing and since when */
    uint32_t outage_s; /* on restore or overdue end: how long it lasted */
    /* VMON_EVENT_MAGIC_* / MARKER_* */
    size_t magic_len;
    unsigned char magic[VMON_MAGIC_MAX];
    bool is_boot_blocked; /* the content is the marker */
    /* VMON_EVENT_CELL_* / HOST_* */
    unsigned int cell;
    uint64_t free_bytes, threshold_bytes;
} vmon_event;

void vmon_event_free(vmon_event *ev);

#endif
