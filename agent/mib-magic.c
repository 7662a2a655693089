/* mib-magic.c: getters of vmonMagicTable: the host's magic file as read
 * through libvirt (or locally, when opted in), and whether its content
 * blocks domains from starting. */
#include <config.h>

#include "mib.h"

/* vmonMagicStatus, spelled out so that the MIB's numbers never depend on
 * the order of the core's enum. */
static const struct {
    vmon_magic_status status;
    long mib;
} magic_statuses[] = {
    {VMON_MAGIC_OK, 1},          /* ok */
    {VMON_MAGIC_UNSUPPORTED, 2}, /* unsupported */
    {VMON_MAGIC_ERROR, 3},       /* error */
    {VMON_MAGIC_NOT_POLLED, 4},  /* notPolled */
    {VMON_MAGIC_MISSING, 5},     /* missing */
};

static vmon_magic_status magic_status(const vmon_mib_row *row)
{
    return row->host ? row->host->magic_status : VMON_MAGIC_NOT_POLLED;
}

static bool is_content_known(const vmon_mib_row *row)
{
    return magic_status(row) == VMON_MAGIC_OK;
}

bool vmon_mib_get_magic_status(const vmon_mib_object *obj,
                               const vmon_mib_row *row, vmon_mib_value *val)
{
    vmon_magic_status status = magic_status(row);
    size_t i;

    (void)obj;
    for (i = 0; i < sizeof(magic_statuses) / sizeof(magic_statuses[0]); i++)
        if (magic_statuses[i].status == status)
            return vmon_mib_set_integer(val, magic_statuses[i].mib);
    return false;
}

bool vmon_mib_get_magic_content(const vmon_mib_object *obj,
                                const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return is_content_known(row) &&
           vmon_mib_set_bytes(val, row->host->magic, row->host->magic_len);
}

bool vmon_mib_get_magic_length(const vmon_mib_object *obj,
                               const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return is_content_known(row) &&
           vmon_mib_set_number(val, row->host->magic_len);
}

bool vmon_mib_get_magic_is_boot_blocked(const vmon_mib_object *obj,
                                        const vmon_mib_row *row,
                                        vmon_mib_value *val)
{
    (void)obj;
    /* a missing file blocks nothing; unknown content says nothing */
    if (magic_status(row) == VMON_MAGIC_MISSING)
        return vmon_mib_set_truth(val, false);
    return is_content_known(row) &&
           vmon_mib_set_truth(val, row->host->is_boot_blocked);
}

bool vmon_mib_get_magic_error(const vmon_mib_object *obj,
                              const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return magic_status(row) == VMON_MAGIC_ERROR &&
           vmon_mib_set_string(val, row->host->magic_error);
}

/* vmonMagicSource, spelled out like vmonMagicStatus. */
static const struct {
    vmon_magic_source source;
    long mib;
} magic_sources[] = {
    {VMON_MAGIC_SOURCE_NONE, 1},  /* none */
    {VMON_MAGIC_SOURCE_API, 2},   /* libvirtApi */
    {VMON_MAGIC_SOURCE_LOCAL, 3}, /* localFile */
};

bool vmon_mib_get_magic_source(const vmon_mib_object *obj,
                               const vmon_mib_row *row, vmon_mib_value *val)
{
    vmon_magic_source source =
        row->host ? row->host->magic_source : VMON_MAGIC_SOURCE_NONE;
    size_t i;

    (void)obj;
    for (i = 0; i < sizeof(magic_sources) / sizeof(magic_sources[0]); i++)
        if (magic_sources[i].source == source)
            return vmon_mib_set_integer(val, magic_sources[i].mib);
    return false;
}
