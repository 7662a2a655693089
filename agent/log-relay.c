/* log-relay.c: the core logs from its poll and event threads, but net-snmp
 * is not thread-safe; messages from those threads wait in a bounded queue
 * that the main loop empties when the relay's pipe becomes readable. */
#include <config.h>

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "log-relay.h"
#include "self-pipe.h"
#include "vmon-core.h"

#define QUEUE_LEN 64
#define MSG_MAX 1024

typedef struct {
    vmon_log_level level;
    char msg[MSG_MAX];
} queued_msg;

static struct {
    pthread_t main_thread;
    pthread_mutex_t lock; /* guards queue, head, n_queued, n_dropped */
    queued_msg queue[QUEUE_LEN];
    size_t head, n_queued;
    unsigned long n_dropped;
    int pipe[2];
    bool is_debug; /* net-snmp debugging was on at start */
} relay = {.lock = PTHREAD_MUTEX_INITIALIZER, .pipe = {-1, -1}};

static void emit(vmon_log_level level, const char *msg)
{
    if (level == VMON_LOG_DEBUG)
        DEBUGMSGTL(("virtmon", "%s\n", msg));
    else
        snmp_log((int)level, "%s\n", msg);
}

/* Takes the oldest message off the queue; false when it is empty. */
static bool dequeue(queued_msg *out, unsigned long *n_dropped)
{
    bool has_msg;

    pthread_mutex_lock(&relay.lock);
    has_msg = relay.n_queued > 0;
    if (has_msg) {
        *out = relay.queue[relay.head];
        relay.head = (relay.head + 1) % QUEUE_LEN;
        relay.n_queued--;
    }
    *n_dropped = relay.n_dropped;
    relay.n_dropped = 0;
    pthread_mutex_unlock(&relay.lock);
    return has_msg;
}

static void flush_queue(void)
{
    queued_msg m;
    unsigned long n_dropped;

    while (dequeue(&m, &n_dropped)) {
        if (n_dropped > 0)
            snmp_log(LOG_WARNING, "%lu core log messages dropped\n", n_dropped);
        emit(m.level, m.msg);
    }
    if (n_dropped > 0)
        snmp_log(LOG_WARNING, "%lu core log messages dropped\n", n_dropped);
}

static void enqueue(vmon_log_level level, const char *msg)
{

    pthread_mutex_lock(&relay.lock);
    if (relay.n_queued == QUEUE_LEN) {
        relay.n_dropped++;
    } else {
        queued_msg *m = &relay.queue[(relay.head + relay.n_queued) % QUEUE_LEN];

        m->level = level;
        snprintf(m->msg, sizeof(m->msg), "%s", msg);
        relay.n_queued++;
    }
    pthread_mutex_unlock(&relay.lock);
    vmon_self_pipe_poke(relay.pipe, 1);
}

static void log_from_core(vmon_log_level level, const char *msg, void *opaque)
{
    (void)opaque;
    if (level == VMON_LOG_DEBUG && !relay.is_debug)
        return;
    if (pthread_equal(pthread_self(), relay.main_thread)) {
        flush_queue(); /* keep the order of earlier messages */
        emit(level, msg);
    } else {
        enqueue(level, msg);
    }
}

static void on_readable(int fd, void *opaque)
{
    char buf[64];

    (void)opaque;
    while (read(fd, buf, sizeof(buf)) > 0)
        ;
    flush_queue();
}

int vmon_log_relay_start(void)
{
    relay.main_thread = pthread_self();
    relay.is_debug = snmp_get_do_debugging() != 0;
    if (vmon_self_pipe_open(relay.pipe, "log", on_readable, NULL) < 0)
        return -1;
    vmon_log_set(log_from_core, NULL);
    return 0;
}

void vmon_log_relay_stop(void)
{
    flush_queue();
    vmon_self_pipe_close(relay.pipe);
}
