/* mib-disk.c: getters of vmonDiskTable, one row per block device of each
 * domain (block.<N>.* statistics). */
#include <config.h>

#include "mib.h"

bool vmon_mib_get_disk_name(const vmon_mib_object *obj, const vmon_mib_row *row,
                            vmon_mib_value *val)
{
    const vmon_disk *disk = row->item;

    (void)obj;
    return vmon_mib_set_string(val, disk->name);
}

bool vmon_mib_get_disk_path(const vmon_mib_object *obj, const vmon_mib_row *row,
                            vmon_mib_value *val)
{
    const vmon_disk *disk = row->item;

    (void)obj;
    return vmon_mib_set_string(val, disk->path);
}

bool vmon_mib_get_disk_field(const vmon_mib_object *obj,
                             const vmon_mib_row *row, vmon_mib_value *val)
{
    const vmon_disk *disk = row->item;

    return vmon_mib_set_field(obj, disk, disk->has, val);
}
