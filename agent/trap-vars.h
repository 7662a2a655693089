/* trap-vars.h: what each VIRTMON-MIB notification carries, as the varbind
 * list that send_v2trap takes (snmpTrapOID.0 first). */
#ifndef VMON_TRAP_VARS_H
#define VMON_TRAP_VARS_H

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "vmon-events.h"

/* The notification of `ev`; NULL when out of memory or for a kind of event
 * that has none. The caller frees it with snmp_free_varbind. */
netsnmp_variable_list *vmon_trap_vars_new(const vmon_event *ev);
/* vmonNotificationsSuppressed: `count` held back since the previous one. */
netsnmp_variable_list *vmon_trap_vars_suppressed(uint32_t count);

/* VmonDomainEvent and VmonDomainEventDetail values of a libvirt event. */
long vmon_trap_domain_event(int event);
long vmon_trap_domain_detail(int event, int detail);

#endif
