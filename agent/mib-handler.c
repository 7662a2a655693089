/* mib-handler.c: answers Get and GetNext (and GetBulk, which net-snmp turns
 * into GetNext) by searching the current view; refuses every Set. */
#include <config.h>

#include <stdlib.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "mib-handler.h"

struct vmon_mib_handler {
    netsnmp_handler_registration *reg;
    vmon_mib_view *view; /* NULL until the first one is rendered */
};

static void set_value(netsnmp_variable_list *var, const vmon_mib_cell *cell)
{
    switch (cell->type) {
    case ASN_OCTET_STR:
        snmp_set_var_typed_value(var, ASN_OCTET_STR, cell->v.str.bytes,
                                 cell->v.str.len);
        break;
    case ASN_INTEGER: {
        long v = cell->v.integer;

        snmp_set_var_typed_value(var, ASN_INTEGER, &v, sizeof(v));
        break;
    }
    case ASN_COUNTER64: {
        struct counter64 v = {.high = (u_long)(cell->v.number >> 32),
                              .low = (u_long)(cell->v.number & 0xffffffff)};

        snmp_set_var_typed_value(var, ASN_COUNTER64, &v, sizeof(v));
        break;
    }
    case ASN_COUNTER: { /* Counter32 wraps */
        u_long v = (u_long)(cell->v.number & 0xffffffff);

        snmp_set_var_typed_value(var, ASN_COUNTER, &v, sizeof(v));
        break;
    }
    default: { /* Unsigned32 and Gauge32 latch at their maximum */
        u_long v =
            cell->v.number > 0xffffffff ? 0xffffffff : (u_long)cell->v.number;

        snmp_set_var_typed_value(var, cell->type, &v, sizeof(v));
        break;
    }
    }
}

static void answer_get(const vmon_mib_handler *h,
                       netsnmp_agent_request_info *reqinfo,
                       netsnmp_request_info *request)
{
    netsnmp_variable_list *var = request->requestvb;
    const vmon_mib_cell *cell = NULL;

    if (h->view)
        cell = vmon_mib_view_get(h->view, var->name, var->name_length);
    if (cell)
        set_value(var, cell);
    else if (vmon_mib_object_containing(var->name, var->name_length))
        netsnmp_set_request_error(reqinfo, request, SNMP_NOSUCHINSTANCE);
    else
        netsnmp_set_request_error(reqinfo, request, SNMP_NOSUCHOBJECT);
}

/* Nothing after the request within the MIB: the variable is left alone and
 * net-snmp carries on in the next subtree. */
static void answer_getnext(const vmon_mib_handler *h,
                           netsnmp_request_info *request)
{
    netsnmp_variable_list *var = request->requestvb;
    const vmon_mib_cell *cell;
    oid name[MAX_OID_LEN];
    size_t len;

    if (!h->view)
        return;
    cell = vmon_mib_view_next(h->view, var->name, var->name_length,
                              request->inclusive);
    if (!cell)
        return;
    len = vmon_mib_view_cell_oid(h->view, cell, name);
    snmp_set_var_objid(var, name, len);
    set_value(var, cell);
}

static int handle_request(netsnmp_mib_handler *handler,
                          netsnmp_handler_registration *reginfo,
                          netsnmp_agent_request_info *reqinfo,
                          netsnmp_request_info *requests)
{
    const vmon_mib_handler *h = handler->myvoid;
    netsnmp_request_info *request;

    (void)reginfo;
    for (request = requests; request; request = request->next) {
        if (request->processed)
            continue;
        switch (reqinfo->mode) {
        case MODE_GET:
            answer_get(h, reqinfo, request);
            break;
        case MODE_GETNEXT:
            answer_getnext(h, request);
            break;
        case MODE_SET_RESERVE1:
            /* HANDLER_CAN_RONLY makes net-snmp refuse Sets before they get
             * here; this is the answer should one ever arrive */
            netsnmp_set_request_error(reqinfo, request, SNMP_ERR_NOTWRITABLE);
            break;
        default:
            break;
        }
    }
    return SNMP_ERR_NOERROR;
}

vmon_mib_handler *vmon_mib_handler_new(void)
{
    vmon_mib_handler *h = calloc(1, sizeof(*h));

    if (!h) {
        snmp_log(LOG_ERR, "out of memory registering VIRTMON-MIB\n");
        return NULL;
    }
    /* read-only and without HANDLER_CAN_GETBULK: net-snmp injects its
     * bulk_to_next handler, so GetBulk arrives here as GetNext */
    h->reg = netsnmp_create_handler_registration(
        "virtmon", handle_request, vmon_mib_root, vmon_mib_root_len,
        HANDLER_CAN_RONLY);
    if (!h->reg) {
        snmp_log(LOG_ERR, "cannot create the VIRTMON-MIB handler\n");
        free(h);
        return NULL;
    }
    h->reg->handler->myvoid = h;
    if (netsnmp_register_handler(h->reg) != MIB_REGISTERED_OK) {
        /* net-snmp frees a registration that it refuses */
        snmp_log(LOG_ERR, "cannot register VIRTMON-MIB\n");
        free(h);
        return NULL;
    }
    return h;
}

void vmon_mib_handler_set_view(vmon_mib_handler *h, vmon_mib_view *view)
{
    vmon_mib_view_free(h->view);
    h->view = view;
}

void vmon_mib_handler_free(vmon_mib_handler *h)
{
    if (!h)
        return;
    netsnmp_unregister_handler(h->reg);
    vmon_mib_view_free(h->view);
    free(h);
}
