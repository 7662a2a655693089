/* vmon-watch.h: the deadline of the libvirt calls of a poll. A poll runs in
 * a worker thread; before each libvirt call it names the call, so that the
 * connection's supervisor can tell which call passed its deadline. */
#ifndef VMON_WATCH_H
#define VMON_WATCH_H

/* `what` (a static string, the libvirt function) starts now in the calling
 * thread's poll; nothing when the thread runs no watched poll. */
void vmon_watch_step(const char *what);

#endif
