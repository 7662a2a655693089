/* daemon.h: the process side of virtmon-agent: its pid file and turning
 * SIGTERM and SIGINT into an orderly stop of the main loop. */
#ifndef VMON_DAEMON_H
#define VMON_DAEMON_H

#include <stdbool.h>

/* Writes our pid to `path`; -1 (logged) on failure. */
int vmon_pidfile_write(const char *path);
/* Removes `path` if it still holds our pid. Accepts NULL. */
void vmon_pidfile_remove(const char *path);

/* Catches SIGTERM and SIGINT; from then on *is_stopping becomes true in the
 * main loop after one of them arrives. Ignores SIGPIPE. -1 on failure. */
int vmon_signals_start(volatile bool *is_stopping);
void vmon_signals_stop(void);

#endif
