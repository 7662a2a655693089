/* self-pipe.h: a non-blocking pipe whose read end the net-snmp main loop
 * watches; how threads and signal handlers wake that loop. */
#ifndef VMON_SELF_PIPE_H
#define VMON_SELF_PIPE_H

/* Creates the pipe and registers `on_readable` for its read end; -1
 * (logged, naming `what`) on failure. */
int vmon_self_pipe_open(int fds[2], const char *what,
                        void (*on_readable)(int fd, void *opaque),
                        void *opaque);
/* Unregisters and closes; accepts a pipe that was never opened. */
void vmon_self_pipe_close(int fds[2]);
/* Writes `byte`; async-signal-safe. A full pipe is already awake, so a
 * byte that does not fit is not missed. */
void vmon_self_pipe_poke(const int fds[2], char byte);

#endif
