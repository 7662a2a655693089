/* events.c: the bounded event queue with its wake-up pipe, and the events
 * that connections emit into it. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "vmon-core.h"
#include "vmon-queue.h"
#include "vmon-util.h"

#define VMON_EVENT_QUEUE_DEFAULT 1024

/* A ring of events. The pipe holds one byte exactly while the ring is not
 * empty, so its read end is readable when, and only when, there is work. */
struct vmon_event_queue {
    pthread_mutex_t lock;
    vmon_event **ring;
    size_t size, head, len;
    uint64_t total, dropped;
    int pipe[2];
};

vmon_event_queue *vmon_event_queue_new(unsigned int len)
{
    vmon_event_queue *queue = calloc(1, sizeof(*queue));

    if (!queue)
        return NULL;
    queue->pipe[0] = queue->pipe[1] = -1;
    queue->size = len ? len : VMON_EVENT_QUEUE_DEFAULT;
    pthread_mutex_init(&queue->lock, NULL);
    if (!(queue->ring = calloc(queue->size, sizeof(*queue->ring))) ||
        vmon_pipe_new(queue->pipe) < 0) {
        vmon_event_queue_free(queue);
        return NULL;
    }
    return queue;
}

void vmon_event_queue_free(vmon_event_queue *queue)
{
    vmon_event *ev;

    if (!queue)
        return;
    while (queue->ring && (ev = vmon_event_queue_pop(queue)))
        vmon_event_free(ev);
    if (queue->pipe[0] >= 0)
        close(queue->pipe[0]);
    if (queue->pipe[1] >= 0)
        close(queue->pipe[1]);
    pthread_mutex_destroy(&queue->lock);
    free(queue->ring);
    free(queue);
}

void vmon_event_queue_push(vmon_event_queue *queue, vmon_event *ev)
{
    bool is_dropped = false;
    char c = 1;

    pthread_mutex_lock(&queue->lock);
    if (!ev || queue->len == queue->size) {
        queue->dropped++;
        is_dropped = true;
    } else {
        queue->ring[(queue->head + queue->len) % queue->size] = ev;
        if (queue->len++ == 0 && write(queue->pipe[1], &c, 1) < 0)
            vmon_log(VMON_LOG_WARNING, "cannot signal queued event: %s",
                     strerror(errno));
        queue->total++;
    }
    pthread_mutex_unlock(&queue->lock);
    /* the reader learns of drops from the counter, not from the log */
    if (is_dropped)
        vmon_event_free(ev);
}

vmon_event *vmon_event_queue_pop(vmon_event_queue *queue)
{
    vmon_event *ev = NULL;
    char c;

    pthread_mutex_lock(&queue->lock);
    if (queue->len > 0) {
        ev = queue->ring[queue->head];
        queue->ring[queue->head] = NULL;
        queue->head = (queue->head + 1) % queue->size;
        if (--queue->len == 0 && read(queue->pipe[0], &c, 1) < 0)
            vmon_log(VMON_LOG_WARNING, "cannot clear event signal: %s",
                     strerror(errno));
    }
    pthread_mutex_unlock(&queue->lock);
    return ev;
}

int vmon_event_queue_fd(const vmon_event_queue *queue)
{
    return queue->pipe[0];
}

uint64_t vmon_event_queue_dropped(vmon_event_queue *queue)
{
    uint64_t n;

    pthread_mutex_lock(&queue->lock);
    n = queue->dropped;
    pthread_mutex_unlock(&queue->lock);
    return n;
}

uint64_t vmon_event_queue_total(vmon_event_queue *queue)
{
    uint64_t n;

    pthread_mutex_lock(&queue->lock);
    n = queue->total;
    pthread_mutex_unlock(&queue->lock);
    return n;
}

vmon_event *vmon_event_new(vmon_event_kind kind, const vmon_emitter *em)
{
    vmon_event *ev = calloc(1, sizeof(*ev));

    if (!ev)
        return NULL;
    if (!(ev->uri = strdup(em->uri))) {
        free(ev);
        return NULL;
    }
    ev->kind = kind;
    ev->conn_index = em->conn_index;
    clock_gettime(CLOCK_REALTIME, &ev->time);
    ev->seen_ns = vmon_monotonic_ns();
    return ev;
}

void vmon_event_free(vmon_event *ev)
{
    if (!ev)
        return;
    free(ev->uri);
    free(ev->dom_name);
    free(ev->reason_text);
    free(ev);
}

void vmon_event_emit(const vmon_emitter *em, vmon_event *ev)
{
    if (em->queue)
        vmon_event_queue_push(em->queue, ev);
    else
        vmon_event_free(ev);
}
