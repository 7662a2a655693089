/* mib-value.c: the functions getters use to fill in a value, so that every
 * getter reads as one line of "which field, present when". */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "mib.h"

size_t vmon_mib_utf8_cut(const void *bytes, size_t len, size_t max)
{
    const unsigned char *s = bytes;

    if (len <= max)
        return len;
    len = max;
    while (len > 0 && (s[len] & 0xc0) == 0x80)
        len--;
    return len;
}

bool vmon_mib_set_number(vmon_mib_value *val, uint64_t number)
{
    val->number = number;
    return true;
}

bool vmon_mib_set_integer(vmon_mib_value *val, long integer)
{
    val->integer = integer;
    return true;
}

bool vmon_mib_set_truth(vmon_mib_value *val, bool is_true)
{
    /* SNMPv2-TC TruthValue */
    return vmon_mib_set_integer(val, is_true ? 1 : 2);
}

bool vmon_mib_set_bytes(vmon_mib_value *val, const void *bytes, size_t len)
{
    val->bytes = bytes;
    val->len = len;
    val->is_text = false;
    return true;
}

bool vmon_mib_set_string(vmon_mib_value *val, const char *str)
{
    if (!str)
        return false;
    return vmon_mib_set_bytes(val, str, strlen(str));
}

bool vmon_mib_set_version(vmon_mib_value *val, unsigned long version)
{
    int len =
        snprintf(val->text, sizeof(val->text), "%lu.%lu.%lu", version / 1000000,
                 version / 1000 % 1000, version % 1000);

    if (len < 0 || (size_t)len >= sizeof(val->text))
        return false;
    val->len = (size_t)len;
    val->is_text = true;
    return true;
}

bool vmon_mib_set_field(const vmon_mib_object *obj, const void *base,
                        uint32_t has, vmon_mib_value *val)
{
    const char *field = (const char *)base + obj->offset;

    if (obj->has && !(has & obj->has))
        return false;
    if (obj->size == sizeof(uint64_t)) {
        uint64_t number;

        memcpy(&number, field, sizeof(number));
        return vmon_mib_set_number(val, number);
    }
    if (obj->size == sizeof(unsigned int)) {
        unsigned int number;

        memcpy(&number, field, sizeof(number));
        return vmon_mib_set_number(val, number);
    }
    snmp_log(LOG_ERR, "MIB object '%s' has a field of unknown size %zu\n",
             obj->name, obj->size);
    return false;
}
