/* mib-domain-state.c: libvirt's domain states, state reasons and vCPU states
 * as VIRTMON-MIB enum values, by explicit tables with an unknown fallback. */
#include <config.h>

#include <libvirt/libvirt.h>

#include "mib.h"

/* VmonLibvirtDomainState, VmonLibvirtStateReason and vmonVcpuState values
 * for what this version does not know. */
#define MIB_STATE_UNKNOWN 99
#define MIB_REASON_UNKNOWN 9999
#define MIB_VCPU_STATE_UNKNOWN 99

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    int state;
    long mib;
} domain_states[] = {
    {VIR_DOMAIN_NOSTATE, 0},     /* nostate */
    {VIR_DOMAIN_RUNNING, 1},     /* running */
    {VIR_DOMAIN_BLOCKED, 2},     /* blocked */
    {VIR_DOMAIN_PAUSED, 3},      /* paused */
    {VIR_DOMAIN_SHUTDOWN, 4},    /* shutdown */
    {VIR_DOMAIN_SHUTOFF, 5},     /* shutoff */
    {VIR_DOMAIN_CRASHED, 6},     /* crashed */
    {VIR_DOMAIN_PMSUSPENDED, 7}, /* pmsuspended */
};

static const struct {
    int state;
    int reason;
    long mib;
} domain_reasons[] = {
    {VIR_DOMAIN_NOSTATE, VIR_DOMAIN_NOSTATE_UNKNOWN, 0},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNKNOWN, 100},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED, 101},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED, 102},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED, 103},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_FROM_SNAPSHOT, 104},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED, 105},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATION_CANCELED, 106},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_SAVE_CANCELED, 107},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_WAKEUP, 108},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_CRASHED, 109},
    {VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY, 110},
    {VIR_DOMAIN_RUNNING, 11, 111}, /* RUNNING_POSTCOPY_FAILED, libvirt 8.5 */
    {VIR_DOMAIN_BLOCKED, VIR_DOMAIN_BLOCKED_UNKNOWN, 200},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN, 300},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER, 301},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION, 302},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SAVE, 303},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_DUMP, 304},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR, 305},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_WATCHDOG, 306},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_FROM_SNAPSHOT, 307},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SHUTTING_DOWN, 308},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SNAPSHOT, 309},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_CRASHED, 310},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP, 311},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY, 312},
    {VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED, 313},
    {VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN, 400},
    {VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER, 401},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN, 500},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN, 501},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED, 502},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED, 503},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_MIGRATED, 504},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED, 505},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED, 506},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT, 507},
    {VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DAEMON, 508},
    {VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_UNKNOWN, 600},
    {VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED, 601},
    {VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN, 700},
};

static const struct {
    int state;
    long mib;
} vcpu_states[] = {
    {VIR_VCPU_OFFLINE, 0}, /* offline */
    {VIR_VCPU_RUNNING, 1}, /* running */
    {VIR_VCPU_BLOCKED, 2}, /* blocked */
};

long vmon_mib_domain_state(int state)
{
    size_t i;

    for (i = 0; i < N_ELEMENTS(domain_states); i++)
        if (domain_states[i].state == state)
            return domain_states[i].mib;
    return MIB_STATE_UNKNOWN;
}

long vmon_mib_domain_reason(int state, int reason)
{
    size_t i;

    for (i = 0; i < N_ELEMENTS(domain_reasons); i++)
        if (domain_reasons[i].state == state &&
            domain_reasons[i].reason == reason)
            return domain_reasons[i].mib;
    return MIB_REASON_UNKNOWN;
}

long vmon_mib_vcpu_state(int state)
{
    size_t i;

    for (i = 0; i < N_ELEMENTS(vcpu_states); i++)
        if (vcpu_states[i].state == state)
            return vcpu_states[i].mib;
    return MIB_VCPU_STATE_UNKNOWN;
}
