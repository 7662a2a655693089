/* log.c: the core's single log function; front ends route it to snmp_log or
 * collectd's log so that nothing in lib/ writes to stdout. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "vmon-core.h"

static void log_stderr(vmon_log_level level, const char *msg, void *opaque)
{
    (void)opaque;
    fprintf(stderr, "virtmon[%d]: %s\n", (int)level, msg);
}

static vmon_log_fn log_fn = log_stderr;
static void *log_opaque;

void vmon_log_set(vmon_log_fn fn, void *opaque)
{
    log_fn = fn ? fn : log_stderr;
    log_opaque = opaque;
}

void vmon_log(vmon_log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_fn(level, msg, log_opaque);
}
