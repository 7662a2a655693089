/* collectd-stubs.c: the few functions of the collectd daemon that the
 * plugin's configuration code calls, for the fuzz target that runs it
 * without a daemon. Values are checked as strictly as the daemon does. */
#include "collectd.h"

#include "plugin.h"
#include "utils/common/common.h"

#include <stdarg.h>

char *hostname_g = "fuzz-host";

void plugin_log(int level, const char *format, ...)
{
    char msg[1024];
    va_list ap;

    (void)level;
    va_start(ap, format);
    vsnprintf(msg, sizeof(msg), format, ap);
    va_end(ap);
}

static int single_value(const oconfig_item_t *ci, int type)
{
    return ci && ci->values_num == 1 && ci->values[0].type == type ? 0 : -1;
}

int cf_util_get_string(const oconfig_item_t *ci, char **ret_string)
{
    char *copy;

    if (single_value(ci, OCONFIG_TYPE_STRING) != 0 ||
        !(copy = strdup(ci->values[0].value.string)))
        return -1;
    free(*ret_string);
    *ret_string = copy;
    return 0;
}

int cf_util_get_int(const oconfig_item_t *ci, int *ret_value)
{
    double v;

    if (single_value(ci, OCONFIG_TYPE_NUMBER) != 0)
        return -1;
    v = ci->values[0].value.number;
    if (!(v >= INT_MIN && v <= INT_MAX))
        return -1;
    *ret_value = (int)v;
    return 0;
}

int cf_util_get_boolean(const oconfig_item_t *ci, bool *ret_bool)
{
    if (single_value(ci, OCONFIG_TYPE_BOOLEAN) != 0)
        return -1;
    *ret_bool = ci->values[0].value.boolean != 0;
    return 0;
}

char *sstrncpy(char *dest, const char *src, size_t n)
{
    if (n == 0)
        return dest;
    strncpy(dest, src, n - 1);
    dest[n - 1] = '\0';
    return dest;
}

int ssnprintf(char *str, size_t size, const char *format, ...)
{
    va_list ap;
    int ret;

    va_start(ap, format);
    ret = vsnprintf(str, size, format, ap);
    va_end(ap);
    if (size > 0)
        str[size - 1] = '\0';
    return ret;
}

char *ssnprintf_alloc(char const *format, ...)
{
    char *out;
    va_list ap;
    int len;

    va_start(ap, format);
    len = vsnprintf(NULL, 0, format, ap);
    va_end(ap);
    if (len < 0 || !(out = malloc((size_t)len + 1)))
        return NULL;
    va_start(ap, format);
    vsnprintf(out, (size_t)len + 1, format, ap);
    va_end(ap);
    return out;
}

cdtime_t plugin_get_interval(void)
{
    return TIME_T_TO_CDTIME_T(10);
}

int plugin_register_complex_config(const char *type,
                                   int (*callback)(oconfig_item_t *))
{
    (void)type;
    (void)callback;
    return 0;
}

int plugin_register_init(const char *name, plugin_init_cb callback)
{
    (void)name;
    (void)callback;
    return 0;
}

int plugin_register_shutdown(const char *name, plugin_shutdown_cb callback)
{
    (void)name;
    (void)callback;
    return 0;
}

int plugin_register_complex_read(const char *group, const char *name,
                                 plugin_read_cb callback, cdtime_t interval,
                                 user_data_t const *user_data)
{
    (void)group;
    (void)name;
    (void)callback;
    (void)interval;
    (void)user_data;
    return 0;
}

int plugin_dispatch_values(value_list_t const *vl)
{
    (void)vl;
    return 0;
}

int plugin_dispatch_notification(const notification_t *notif)
{
    (void)notif;
    return 0;
}

int plugin_notification_meta_add_string(notification_t *n, const char *name,
                                        const char *value)
{
    (void)n;
    (void)name;
    (void)value;
    return 0;
}

int plugin_notification_meta_add_signed_int(notification_t *n, const char *name,
                                            int64_t value)
{
    (void)n;
    (void)name;
    (void)value;
    return 0;
}

int plugin_notification_meta_add_unsigned_int(notification_t *n,
                                              const char *name, uint64_t value)
{
    (void)n;
    (void)name;
    (void)value;
    return 0;
}

int plugin_notification_meta_add_boolean(notification_t *n, const char *name,
                                         bool value)
{
    (void)n;
    (void)name;
    (void)value;
    return 0;
}

int plugin_notification_meta_free(notification_meta_t *n)
{
    (void)n;
    return 0;
}
