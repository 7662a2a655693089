/* daemon.c: pid file and signals. A signal only writes a byte into a pipe
 * that the net-snmp main loop watches, so the stop happens in that loop. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "daemon.h"
#include "self-pipe.h"

static int signal_pipe[2] = {-1, -1};

int vmon_pidfile_write(const char *path)
{
    FILE *file = fopen(path, "w");

    if (!file) {
        snmp_log(LOG_ERR, "cannot write pid file '%s': %s\n", path,
                 strerror(errno));
        return -1;
    }
    fprintf(file, "%ld\n", (long)getpid());
    if (fclose(file) != 0) {
        snmp_log(LOG_ERR, "cannot write pid file '%s': %s\n", path,
                 strerror(errno));
        return -1;
    }
    return 0;
}

void vmon_pidfile_remove(const char *path)
{
    FILE *file;
    long pid = 0;

    if (!path || !(file = fopen(path, "r")))
        return;
    /* another instance may have taken the file over: leave it alone */
    if (fscanf(file, "%ld", &pid) == 1 && pid == (long)getpid())
        unlink(path);
    fclose(file);
}

static void on_signal(int signum)
{
    vmon_self_pipe_poke(signal_pipe, (char)signum);
}

static void on_signal_pipe(int fd, void *opaque)
{
    volatile bool *is_stopping = opaque;
    char byte;

    if (read(fd, &byte, 1) == 1) {
        snmp_log(LOG_INFO, "received signal %d, stopping\n", byte);
        *is_stopping = true;
    }
}

int vmon_signals_start(volatile bool *is_stopping)
{
    struct sigaction sa;

    if (vmon_self_pipe_open(signal_pipe, "signal", on_signal_pipe,
                            (void *)is_stopping) < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    return 0;
}

void vmon_signals_stop(void)
{
    if (signal_pipe[0] < 0)
        return;
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    vmon_self_pipe_close(signal_pipe);
}
