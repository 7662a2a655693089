/* test-agent-config.c: the agent's configuration file parser on files that
 * once stopped or stalled start-up: long comments, devices, huge lines. */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "agent-config.h"
#include "check.h"

#define READ_DEADLINE_S 20 /* a parser that does not stop is a failure */

static char dir[] = "/tmp/vmon-config-test.XXXXXX";

/* Writes `len` bytes of `content` into a file of the test's directory. */
static const char *write_file(const char *name, const char *content, size_t len)
{
    static char path[sizeof(dir) + 64];
    FILE *file;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    file = fopen(path, "w");
    if (!file || fwrite(content, 1, len, file) != len || fclose(file) != 0) {
        perror(path);
        exit(1);
    }
    return path;
}

static char logged[4096]; /* what snmp_log said since log_has last looked */

static int take_log(int major, int minor, void *server_arg, void *client_arg)
{
    const struct snmp_log_message *message = server_arg;
    size_t used = strlen(logged);

    (void)major;
    (void)minor;
    (void)client_arg;
    snprintf(logged + used, sizeof(logged) - used, "%s", message->msg);
    return 0;
}

/* Whether the log holds `text`; empties it. */
static int log_has(const char *text)
{
    int found = strstr(logged, text) != NULL;

    if (!found)
        fprintf(stderr, "log has no '%s': '%s'\n", text, logged);
    logged[0] = '\0';
    return found;
}

static int load_config(const char *path, vmon_agent_config **out)
{
    vmon_agent_config *config = vmon_agent_config_new();
    int ret = vmon_agent_config_read(config, path, true);

    if (out)
        *out = config;
    else
        vmon_agent_config_free(config);
    return ret;
}

static void test_comment_of_many_words_is_a_comment(void)
{
    static const char text[] = "# a b c d e f g h i j k l m n o p q\n"
                               "   # r s t u v w x y z a b c d e f g h i\n"
                               "interval 7\n";
    vmon_agent_config *config;

    CHECK(load_config(write_file("comment.conf", text, strlen(text)),
                      &config) == 0);
    CHECK_U64(config->interval_s, 7);
    vmon_agent_config_free(config);
}

static void test_seventeen_words_of_a_directive_are_refused(void)
{
    static const char text[] = "stats a b c d e f g h i j k l m n o p\n";

    CHECK(load_config(write_file("words.conf", text, strlen(text)), NULL) < 0);
    CHECK(log_has("words.conf:1: stats: too many values"));
}

static void test_endless_device_is_refused(void)
{
    CHECK(load_config("/dev/zero", NULL) < 0);
    CHECK(log_has("/dev/zero:1: NUL byte in the line"));
}

static void test_line_too_long_is_refused(void)
{
    size_t len = VMON_AGENT_CONFIG_MAX_LINE + 10;
    char *text = malloc(len + 1);

    memset(text, '#', len);
    text[len] = '\n';
    CHECK(load_config(write_file("long.conf", text, len + 1), NULL) < 0);
    CHECK(log_has("long.conf:1: line longer than"));
    /* one byte less than the limit is a line like any other */
    memcpy(text, "interval 5 ", 11);
    memset(text + 11, ' ', VMON_AGENT_CONFIG_MAX_LINE - 11);
    text[VMON_AGENT_CONFIG_MAX_LINE] = '\n';
    CHECK(load_config(
              write_file("edge.conf", text, VMON_AGENT_CONFIG_MAX_LINE + 1),
              NULL) == 0);
    free(text);
}

static void test_file_too_large_is_refused(void)
{
    size_t len = VMON_AGENT_CONFIG_MAX_SIZE + 2;
    char *text = malloc(len);

    memset(text, '\n', len);
    CHECK(load_config(write_file("large.conf", text, len), NULL) < 0);
    CHECK(log_has("large.conf: larger than"));
    free(text);
}

static void test_read_error_is_not_end_of_file(void)
{
    /* fopen takes a directory; reading it fails with EISDIR */
    CHECK(load_config(dir, NULL) < 0);
    CHECK(log_has("cannot read"));
}

static void test_last_line_without_newline_counts(void)
{
    static const char text[] = "interval 9\ninterval 3";
    vmon_agent_config *config;

    CHECK(load_config(write_file("last.conf", text, strlen(text)), &config) ==
          0);
    CHECK_U64(config->interval_s, 3);
    vmon_agent_config_free(config);
}

static void remove_dir(void)
{
    char cmd[sizeof(dir) + 16];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove '%s'\n", dir);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror(dir);
        return 1;
    }
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
                           take_log, NULL);
    snmp_enable_calllog();
    alarm(READ_DEADLINE_S);
    RUN(test_comment_of_many_words_is_a_comment);
    RUN(test_seventeen_words_of_a_directive_are_refused);
    RUN(test_endless_device_is_refused);
    RUN(test_line_too_long_is_refused);
    RUN(test_file_too_large_is_refused);
    RUN(test_read_error_is_not_end_of_file);
    RUN(test_last_line_without_newline_counts);
    snmp_disable_log();
    remove_dir();
    return check_failures ? 1 : 0;
}
