/* log-relay.h: routes the core's log messages to snmp_log, passing those of
 * other threads through the main loop, the only thread that may call
 * net-snmp. */
#ifndef VMON_LOG_RELAY_H
#define VMON_LOG_RELAY_H

/* Call from the main thread, after net-snmp's logging is set up and before
 * the core starts its threads. Returns -1 (logged) on failure. */
int vmon_log_relay_start(void);
/* After the core's threads are gone: logs what is still queued. */
void vmon_log_relay_stop(void);

#endif
