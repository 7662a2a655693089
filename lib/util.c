/* util.c: the monotonic clock and the wake-up pipes of the core. */
#include <config.h>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "vmon-util.h"

uint64_t vmon_monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

int vmon_pipe_new(int fds[2])
{
    int i;

    if (pipe(fds) < 0)
        return -1;
    for (i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return 0;
}
