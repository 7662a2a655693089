/* vmon-util.h: small system helpers the core's files share: the monotonic
 * clock and non-blocking, close-on-exec pipes. */
#ifndef VMON_UTIL_H
#define VMON_UTIL_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vmon_monotonic_ns(void);
/* pipe(2) with both ends non-blocking and close-on-exec; -1 on error. */
int vmon_pipe_new(int fds[2]);

#endif
