/* agent-config.h: virtmon-agent's settings, from defaults, its strict
 * configuration file and the command line. */
#ifndef VMON_AGENT_CONFIG_H
#define VMON_AGENT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmon-core.h"

#define VMON_AGENT_DEFAULT_URI "qemu:///system"
#define VMON_AGENT_DEFAULT_INTERVAL 15
#define VMON_AGENT_DEFAULT_PING_INTERVAL 5
#define VMON_AGENT_MAX_INTERVAL 86400
#define VMON_AGENT_MAX_QUEUE 1000000
#define VMON_AGENT_MAX_RATE 100000
/* A configuration file is a few dozen short lines: anything far larger is
 * a wrong path (a device, a log) and stops start-up. */
#define VMON_AGENT_CONFIG_MAX_LINE 4096
#define VMON_AGENT_CONFIG_MAX_SIZE 1048576

/* What turns the core's events into notifications (traps.c). */
typedef struct {
    unsigned int queue_len;    /* events the core holds; 0: its default */
    uint64_t cell_low_bytes;   /* 0: no NUMA cell threshold */
    uint64_t host_low_bytes;   /* 0: no host threshold */
    uint64_t hysteresis_bytes; /* recovery needs threshold + this */
    unsigned int rate;         /* notifications per second; 0: no limit */
    unsigned int burst;        /* sent at once after a quiet time; 0: rate */
} vmon_notify_config;

typedef struct {
    char **uris; /* empty until set; see vmon_agent_config_finish */
    size_t n_uris;
    unsigned int interval_s;
    unsigned int poll_timeout_s; /* 0: vmon_default_poll_timeout */
    char *agentx_socket;          /* NULL: net-snmp's default */
    unsigned int ping_interval_s; /* 0: never reconnect to the master */
    unsigned int stats_groups;    /* VMON_GROUP_*; 0 until set */
    /* statsEvery: poll a group only every N polls (0: every poll) */
    unsigned int group_every[VMON_GROUP_COUNT];
    vmon_notify_config notify;
    bool magic_local_read; /* magicLocalRead: stock libvirt, local file */
} vmon_agent_config;

/* Defaults; NULL when out of memory. Free with vmon_agent_config_free. */
vmon_agent_config *vmon_agent_config_new(void);
void vmon_agent_config_free(vmon_agent_config *config);

/* Reads `path`. A file that does not exist is fine when !must_exist. Any
 * unknown directive or bad value is logged as "FILE:LINE: ..." and makes
 * it return -1. */
int vmon_agent_config_read(vmon_agent_config *config, const char *path,
                           bool must_exist);

/* Replaces the URIs (-u); copies them. */
int vmon_agent_config_set_uris(vmon_agent_config *config, char *const *uris,
                               size_t n_uris);
int vmon_agent_config_set_agentx(vmon_agent_config *config,
                                 const char *address);

/* Fills in what nothing set: the default URI, every stats group. */
int vmon_agent_config_finish(vmon_agent_config *config);

/* Parses a whole decimal number in min..max; -1 when `str` is not one. */
int vmon_parse_uint(const char *str, unsigned int min, unsigned int max,
                    unsigned int *out);
/* Parses a number of bytes, optionally with a K, M, G or T suffix (powers
 * of 1024); -1 when `str` is not one or it does not fit in 64 bits. */
int vmon_parse_size(const char *str, uint64_t *out);

#endif
