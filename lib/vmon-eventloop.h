/* vmon-eventloop.h: the process-wide libvirt event loop thread, needed for
 * keepalive, close callbacks and domain events. Counted: the last user's
 * stop ends it. */
#ifndef VMON_EVENTLOOP_H
#define VMON_EVENTLOOP_H

#include <stdbool.h>

int vmon_eventloop_start(void);
void vmon_eventloop_stop(void);
bool vmon_eventloop_is_running(void);

#endif
