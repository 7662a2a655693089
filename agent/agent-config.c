/* agent-config.c: the strict parser of virtmon-agent.conf: one directive per
 * line, '#' comments; anything it does not understand stops start-up. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "agent-config.h"
#include "vmon-core.h"

#define MAX_WORDS 16

/* One line split into words; words[0] is the directive. */
typedef struct {
    const char *path;
    unsigned int number;
    char *words[MAX_WORDS];
    size_t n_words;
} config_line;

int vmon_parse_uint(const char *str, unsigned int min, unsigned int max,
                    unsigned int *out)
{
    unsigned long value;
    char *end;

    /* strtoul would take "-1", " 5" and "" */
    if (!str || !isdigit((unsigned char)str[0]))
        return -1;
    errno = 0;
    value = strtoul(str, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max)
        return -1;
    *out = (unsigned int)value;
    return 0;
}

int vmon_parse_size(const char *str, uint64_t *out)
{
    static const char suffixes[] = "KMGT";
    unsigned long long value;
    const char *unit;
    char *end;
    int shift = 0;

    if (!str || !isdigit((unsigned char)str[0]))
        return -1;
    errno = 0;
    value = strtoull(str, &end, 10);
    if (errno != 0)
        return -1;
    if (*end != '\0') {
        if (end[1] != '\0' ||
            !(unit = strchr(suffixes, toupper((unsigned char)*end))))
            return -1;
        shift = 10 * (int)(unit - suffixes + 1);
    }
    if (shift && value > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)value << shift;
    return 0;
}

static int add_uri(vmon_agent_config *config, const char *uri)
{
    char **uris;
    char *copy;

    if (!(copy = strdup(uri)))
        return -1;
    uris = reallocarray(config->uris, config->n_uris + 1, sizeof(*uris));
    if (!uris) {
        free(copy);
        return -1;
    }
    uris[config->n_uris++] = copy;
    config->uris = uris;
    return 0;
}

static void free_uris(vmon_agent_config *config)
{
    size_t i;

    for (i = 0; i < config->n_uris; i++)
        free(config->uris[i]);
    free(config->uris);
    config->uris = NULL;
    config->n_uris = 0;
}

static int parse_seconds(const config_line *line, unsigned int min,
                         unsigned int *out)
{
    if (vmon_parse_uint(line->words[1], min, VMON_AGENT_MAX_INTERVAL, out) <
        0) {
        snmp_log(LOG_ERR,
                 "%s:%u: %s: '%s' is not a number of seconds in %u..%u\n",
                 line->path, line->number, line->words[0], line->words[1], min,
                 VMON_AGENT_MAX_INTERVAL);
        return -1;
    }
    return 0;
}

static int apply_uri(vmon_agent_config *config, const config_line *line)
{
    return add_uri(config, line->words[1]);
}

static int apply_interval(vmon_agent_config *config, const config_line *line)
{
    return parse_seconds(line, 1, &config->interval_s);
}

static int apply_poll_timeout(vmon_agent_config *config,
                              const config_line *line)
{
    if (vmon_parse_uint(line->words[1], 1, VMON_POLL_TIMEOUT_MAX,
                        &config->poll_timeout_s) < 0) {
        snmp_log(LOG_ERR,
                 "%s:%u: %s: '%s' is not a number of seconds in 1..%u\n",
                 line->path, line->number, line->words[0], line->words[1],
                 VMON_POLL_TIMEOUT_MAX);
        return -1;
    }
    return 0;
}

static int apply_ping_interval(vmon_agent_config *config,
                               const config_line *line)
{
    return parse_seconds(line, 0, &config->ping_interval_s);
}

static int apply_agentx(vmon_agent_config *config, const config_line *line)
{
    return vmon_agent_config_set_agentx(config, line->words[1]);
}

static unsigned int stats_group(const char *name)
{
    if (strcmp(name, "all") == 0)
        return VMON_GROUP_ALL;
    return vmon_group_from_name(name);
}

static void log_unknown_group(const config_line *line, const char *name)
{
    char known[128] = "";
    size_t i;

    for (i = 0; i < VMON_GROUP_COUNT; i++) {
        strncat(known, vmon_group_names[i], sizeof(known) - strlen(known) - 1);
        strncat(known, " ", sizeof(known) - strlen(known) - 1);
    }
    snmp_log(LOG_ERR, "%s:%u: %s: unknown group '%s' (known: %sall)\n",
             line->path, line->number, line->words[0], name, known);
}

static int apply_stats(vmon_agent_config *config, const config_line *line)
{
    size_t i;

    for (i = 1; i < line->n_words; i++) {
        unsigned int group = stats_group(line->words[i]);

        if (!group) {
            log_unknown_group(line, line->words[i]);
            return -1;
        }
        config->stats_groups |= group;
    }
    return 0;
}

/* statsEvery GROUP POLLS: the costly groups (block, balloon) need not be
 * fetched every interval; between fetches their last values stay. */
static int apply_stats_every(vmon_agent_config *config, const config_line *line)
{
    unsigned int group = vmon_group_from_name(line->words[1]);
    unsigned int polls, bit = 0;

    if (!group) {
        log_unknown_group(line, line->words[1]);
        return -1;
    }
    if (line->n_words != 3 ||
        vmon_parse_uint(line->words[2], 1, 1000, &polls) < 0) {
        snmp_log(LOG_ERR,
                 "%s:%u: statsEvery: expected 'statsEvery GROUP POLLS' with "
                 "POLLS in 1..1000, got '%s'\n",
                 line->path, line->number,
                 line->n_words > 2 ? line->words[2] : "");
        return -1;
    }
    while (!(group & (1u << bit)))
        bit++;
    config->group_every[bit] = polls;
    return 0;
}

static int parse_number(const config_line *line, unsigned int min,
                        unsigned int max, unsigned int *out)
{
    if (vmon_parse_uint(line->words[1], min, max, out) < 0) {
        snmp_log(LOG_ERR, "%s:%u: %s: '%s' is not a number in %u..%u\n",
                 line->path, line->number, line->words[0], line->words[1], min,
                 max);
        return -1;
    }
    return 0;
}

static int parse_bytes(const config_line *line, uint64_t *out)
{
    if (vmon_parse_size(line->words[1], out) < 0) {
        snmp_log(LOG_ERR,
                 "%s:%u: %s: '%s' is not a number of bytes (suffixes K, M, G, "
                 "T allowed)\n",
                 line->path, line->number, line->words[0], line->words[1]);
        return -1;
    }
    return 0;
}

static int apply_queue_len(vmon_agent_config *config, const config_line *line)
{
    return parse_number(line, 1, VMON_AGENT_MAX_QUEUE,
                        &config->notify.queue_len);
}

static int apply_host_low(vmon_agent_config *config, const config_line *line)
{
    return parse_bytes(line, &config->notify.host_low_bytes);
}

static int apply_cell_low(vmon_agent_config *config, const config_line *line)
{
    return parse_bytes(line, &config->notify.cell_low_bytes);
}

static int apply_hysteresis(vmon_agent_config *config, const config_line *line)
{
    return parse_bytes(line, &config->notify.hysteresis_bytes);
}

static int apply_rate(vmon_agent_config *config, const config_line *line)
{
    return parse_number(line, 0, VMON_AGENT_MAX_RATE, &config->notify.rate);
}

static int apply_burst(vmon_agent_config *config, const config_line *line)
{
    return parse_number(line, 1, VMON_AGENT_MAX_RATE, &config->notify.burst);
}

/* magicLocalRead yes|no: on hosts whose libvirt lacks the magic file API,
 * read the local system daemon's file directly (see doc/magic-file.md). */
static int apply_magic_local_read(vmon_agent_config *config,
                                  const config_line *line)
{
    if (strcmp(line->words[1], "yes") == 0) {
        config->magic_local_read = true;
    } else if (strcmp(line->words[1], "no") == 0) {
        config->magic_local_read = false;
    } else {
        snmp_log(LOG_ERR, "%s:%u: %s: expected 'yes' or 'no', got '%s'\n",
                 line->path, line->number, line->words[0], line->words[1]);
        return -1;
    }
    return 0;
}

static const struct {
    const char *name;
    size_t max_values; /* every directive takes at least one */
    int (*apply)(vmon_agent_config *config, const config_line *line);
} directives[] = {
    {"uri", 1, apply_uri},
    {"interval", 1, apply_interval},
    {"pollTimeout", 1, apply_poll_timeout},
    {"agentx", 1, apply_agentx},
    {"pingInterval", 1, apply_ping_interval},
    {"stats", MAX_WORDS - 1, apply_stats},
    {"statsEvery", 2, apply_stats_every},
    {"eventQueueLength", 1, apply_queue_len},
    {"hostFreeMemoryLow", 1, apply_host_low},
    {"cellFreeMemoryLow", 1, apply_cell_low},
    {"freeMemoryHysteresis", 1, apply_hysteresis},
    {"notificationRate", 1, apply_rate},
    {"notificationBurst", 1, apply_burst},
    {"magicLocalRead", 1, apply_magic_local_read},
};

static int apply_line(vmon_agent_config *config, const config_line *line)
{
    const char *name = line->words[0];
    size_t n_values = line->n_words - 1;
    size_t i;

    for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
        if (strcasecmp(name, directives[i].name) != 0)
            continue;
        if (n_values < 1 || n_values > directives[i].max_values) {
            snmp_log(LOG_ERR, "%s:%u: %s takes %s\n", line->path, line->number,
                     name,
                     directives[i].max_values == 1 ? "exactly one value"
                                                   : "one or more values");
            return -1;
        }
        return directives[i].apply(config, line);
    }
    snmp_log(LOG_ERR, "%s:%u: unknown directive '%s'\n", line->path,
             line->number, name);
    return -1;
}

/* Splits `text` in place; returns -1 (logged) on too many words. */
static int split_line(char *text, config_line *line)
{
    char *save = NULL;
    char *word;

    line->n_words = 0;
    for (word = strtok_r(text, " \t\r\n", &save); word;
         word = strtok_r(NULL, " \t\r\n", &save)) {
        if (line->n_words == MAX_WORDS) {
            snmp_log(LOG_ERR, "%s:%u: %s: too many values\n", line->path,
                     line->number, line->words[0]);
            return -1;
        }
        line->words[line->n_words++] = word;
    }
    return 0;
}

/* A comment or a blank line, told before any counting of words. */
static bool is_blank_or_comment(const char *text)
{
    text += strspn(text, " \t\r\n");
    return *text == '\0' || *text == '#';
}

/* Reads one line (without its newline) into text[VMON_AGENT_CONFIG_MAX_LINE
 * + 1]. Returns 1 for a line, 0 at the end of the file, -1 (logged) on a
 * read error, a NUL byte, a line too long or a file too large. */
static int read_line(FILE *file, config_line *line, char *text, size_t *total)
{
    size_t len = 0;
    int c;

    while ((c = getc(file)) != EOF) {
        if (++*total > VMON_AGENT_CONFIG_MAX_SIZE) {
            snmp_log(LOG_ERR, "%s: larger than %u bytes\n", line->path,
                     VMON_AGENT_CONFIG_MAX_SIZE);
            return -1;
        }
        if (c == '\n')
            break;
        if (c == '\0') {
            snmp_log(LOG_ERR, "%s:%u: NUL byte in the line\n", line->path,
                     line->number + 1);
            return -1;
        }
        if (len == VMON_AGENT_CONFIG_MAX_LINE) {
            snmp_log(LOG_ERR, "%s:%u: line longer than %u bytes\n", line->path,
                     line->number + 1, VMON_AGENT_CONFIG_MAX_LINE);
            return -1;
        }
        text[len++] = (char)c;
    }
    if (c == EOF && ferror(file)) {
        snmp_log(LOG_ERR, "cannot read '%s': %s\n", line->path,
                 strerror(errno));
        return -1;
    }
    if (c == EOF && len == 0)
        return 0;
    text[len] = '\0';
    line->number++;
    return 1;
}

static int read_lines(vmon_agent_config *config, FILE *file, const char *path)
{
    config_line line = {.path = path};
    char text[VMON_AGENT_CONFIG_MAX_LINE + 1];
    size_t total = 0;
    int ret = 0, got;

    while (ret == 0 && (got = read_line(file, &line, text, &total)) != 0) {
        if (got < 0)
            return -1;
        if (is_blank_or_comment(text))
            continue;
        if (split_line(text, &line) < 0)
            return -1;
        ret = apply_line(config, &line);
    }
    return ret;
}

int vmon_agent_config_read(vmon_agent_config *config, const char *path,
                           bool must_exist)
{
    FILE *file = fopen(path, "r");
    int ret;

    if (!file) {
        if (errno == ENOENT && !must_exist) {
            DEBUGMSGTL(("virtmon", "no configuration file '%s'\n", path));
            return 0;
        }
        snmp_log(LOG_ERR, "cannot open '%s': %s\n", path, strerror(errno));
        return -1;
    }
    ret = read_lines(config, file, path);
    fclose(file);
    return ret;
}

vmon_agent_config *vmon_agent_config_new(void)
{
    vmon_agent_config *config = calloc(1, sizeof(*config));

    if (!config)
        return NULL;
    config->interval_s = VMON_AGENT_DEFAULT_INTERVAL;
    config->ping_interval_s = VMON_AGENT_DEFAULT_PING_INTERVAL;
    return config;
}

void vmon_agent_config_free(vmon_agent_config *config)
{
    if (!config)
        return;
    free_uris(config);
    free(config->agentx_socket);
    free(config);
}

int vmon_agent_config_set_uris(vmon_agent_config *config, char *const *uris,
                               size_t n_uris)
{
    size_t i;

    free_uris(config);
    for (i = 0; i < n_uris; i++)
        if (add_uri(config, uris[i]) < 0)
            return -1;
    return 0;
}

int vmon_agent_config_set_agentx(vmon_agent_config *config, const char *address)
{
    char *copy = strdup(address);

    if (!copy)
        return -1;
    free(config->agentx_socket);
    config->agentx_socket = copy;
    return 0;
}

int vmon_agent_config_finish(vmon_agent_config *config)
{
    if (config->stats_groups == 0)
        config->stats_groups = VMON_GROUP_ALL;
    if (config->n_uris == 0)
        return add_uri(config, VMON_AGENT_DEFAULT_URI);
    return 0;
}
