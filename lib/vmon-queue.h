/* vmon-queue.h: the bounded event queue that every thread producing events
 * fills and the front end's thread drains, and the emitter through which a
 * connection's events reach it. */
#ifndef VMON_QUEUE_H
#define VMON_QUEUE_H

#include "vmon-events.h"

#define VMON_EVENT_QUEUE_MAX 1000000

typedef struct vmon_event_queue vmon_event_queue;

/* `len` 0: the default length (1024). NULL when out of memory. */
vmon_event_queue *vmon_event_queue_new(unsigned int len);
void vmon_event_queue_free(vmon_event_queue *queue);
/* Always takes `ev`: when the queue is full (or `ev` is NULL because it
 * could not be allocated) the event is counted as dropped. */
void vmon_event_queue_push(vmon_event_queue *queue, vmon_event *ev);
vmon_event *vmon_event_queue_pop(vmon_event_queue *queue);
int vmon_event_queue_fd(const vmon_event_queue *queue);
uint64_t vmon_event_queue_dropped(vmon_event_queue *queue);
uint64_t vmon_event_queue_total(vmon_event_queue *queue);

/* Where one connection's events go, and what stamps them. */
typedef struct {
    vmon_event_queue *queue; /* NULL: events are discarded */
    unsigned int conn_index; /* 1-based */
    const char *uri;         /* configured URI, outlives the emitter */
} vmon_emitter;

/* A new event of the emitter's connection, stamped now; NULL when out of
 * memory. */
vmon_event *vmon_event_new(vmon_event_kind kind, const vmon_emitter *em);
/* Queue `ev` (NULL counts as dropped), or free it when there is no queue. */
void vmon_event_emit(const vmon_emitter *em, vmon_event *ev);

#endif
