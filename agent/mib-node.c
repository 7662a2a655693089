/* mib-node.c: getters of vmonNodeTable and vmonCellTable: the physical host
 * behind each connection and its free memory per NUMA cell. */
#include <config.h>

#include <string.h>

#include "mib.h"

bool vmon_mib_get_node_cpu_model(const vmon_mib_object *obj,
                                 const vmon_mib_row *row, vmon_mib_value *val)
{
    const char *model;

    (void)obj;
    if (!row->host || !row->host->has_node_info)
        return false;
    /* virNodeInfo.model is a fixed array that need not be terminated */
    model = row->host->cpu_model;
    return vmon_mib_set_bytes(val, model,
                              strnlen(model, sizeof(row->host->cpu_model)));
}

bool vmon_mib_get_node_field(const vmon_mib_object *obj,
                             const vmon_mib_row *row, vmon_mib_value *val)
{
    if (!row->host || !row->host->has_node_info)
        return false;
    return vmon_mib_set_field(obj, row->host, 0, val);
}

bool vmon_mib_get_node_free_memory(const vmon_mib_object *obj,
                                   const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    if (!row->host || !row->host->has_free_memory)
        return false;
    return vmon_mib_set_number(val, row->host->free_memory_bytes);
}

bool vmon_mib_get_node_cell_count(const vmon_mib_object *obj,
                                  const vmon_mib_row *row, vmon_mib_value *val)
{
    (void)obj;
    return row->host && row->host->has_cells &&
           vmon_mib_set_number(val, row->host->n_cells);
}

bool vmon_mib_get_cell_number(const vmon_mib_object *obj,
                              const vmon_mib_row *row, vmon_mib_value *val)
{
    const vmon_cell *cell = row->item;

    (void)obj;
    return vmon_mib_set_number(val, cell->cell);
}

bool vmon_mib_get_cell_free_memory(const vmon_mib_object *obj,
                                   const vmon_mib_row *row, vmon_mib_value *val)
{
    const vmon_cell *cell = row->item;

    (void)obj;
    return vmon_mib_set_number(val, cell->free_bytes);
}
