/* self-pipe.c: the pipes that carry wake-ups from the core's threads and
 * from signal handlers into the single-threaded net-snmp main loop. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "self-pipe.h"

int vmon_self_pipe_open(int fds[2], const char *what,
                        void (*on_readable)(int fd, void *opaque), void *opaque)
{
    int i;

    if (pipe(fds) < 0) {
        snmp_log(LOG_ERR, "cannot create the %s pipe: %s\n", what,
                 strerror(errno));
        fds[0] = fds[1] = -1;
        return -1;
    }
    for (i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    register_readfd(fds[0], on_readable, opaque);
    return 0;
}

void vmon_self_pipe_close(int fds[2])
{
    if (fds[0] < 0)
        return;
    unregister_readfd(fds[0]);
    close(fds[0]);
    close(fds[1]);
    fds[0] = fds[1] = -1;
}

void vmon_self_pipe_poke(const int fds[2], char byte)
{
    int saved_errno = errno;
    ssize_t n = write(fds[1], &byte, 1);

    (void)n;
    errno = saved_errno;
}
