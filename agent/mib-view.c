/* mib-view.c: renders a snapshot through the registration table into one
 * sorted array of instances, so that a request is a binary search. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "mib-view.h"

/* conn index, 16 bytes of UUID, device number */
#define INDEX_MAX (1 + VMON_UUID_LEN + 1)

/* SNMP sub-identifiers are 32-bit; net-snmp's oid is a long. Storing the
 * instances' OIDs as 32-bit halves the biggest part of a view. */
typedef uint32_t subid;

struct vmon_mib_view {
    vmon_snapshot *snap;
    subid *oids; /* every instance's OID below the root, back to back */
    size_t n_oids, cap_oids;
    vmon_mib_cell *cells; /* in OID order */
    size_t n_cells, cap_cells;
    char **texts; /* formatted strings that cells point to */
    size_t n_texts, cap_texts;
};

typedef struct {
    vmon_mib_view *view;
    vmon_mib_row row;
    oid index[INDEX_MAX];
    size_t index_len;
    bool is_failed;
} builder;

static void copy_subids(subid *dst, const oid *src, size_t n)
{
    size_t i;

    /* a request may carry sub-identifiers no instance can have: clamping
     * them keeps the order of every OID that can exist */
    for (i = 0; i < n; i++)
        dst[i] = src[i] > UINT32_MAX ? UINT32_MAX : (subid)src[i];
}

static int subids_cmp(const subid *a, size_t a_len, const subid *b,
                      size_t b_len)
{
    size_t i, n = a_len < b_len ? a_len : b_len;

    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

static bool grow(void **items, size_t *cap, size_t need, size_t size)
{
    size_t n = *cap ? *cap : 256;
    void *grown;

    if (need <= *cap)
        return true;
    while (n < need)
        n *= 2;
    if (!(grown = reallocarray(*items, n, size)))
        return false;
    *items = grown;
    *cap = n;
    return true;
}

/* Gives back what doubling over-allocated; a view lives for a whole poll
 * interval. */
static void shrink(void **items, size_t n, size_t size)
{
    void *shrunk;

    if (n > 0 && (shrunk = reallocarray(*items, n, size)))
        *items = shrunk;
}

static bool keep_text(vmon_mib_view *view, vmon_mib_value *val)
{
    char *copy;

    if (!grow((void **)&view->texts, &view->cap_texts, view->n_texts + 1,
              sizeof(*view->texts)) ||
        !(copy = strndup(val->text, val->len)))
        return false;
    view->texts[view->n_texts++] = copy;
    val->bytes = copy;
    return true;
}

static bool store_value(vmon_mib_view *view, const vmon_mib_object *obj,
                        vmon_mib_value *val, vmon_mib_cell *cell)
{
    cell->type = obj->type;
    switch (obj->type) {
    case ASN_OCTET_STR:
        if (val->is_text && !keep_text(view, val))
            return false;
        cell->v.str.bytes = val->bytes;
        cell->v.str.len =
            obj->max_len ? vmon_mib_utf8_cut(val->bytes, val->len, obj->max_len)
                         : val->len;
        return true;
    case ASN_INTEGER:
        cell->v.integer = val->integer;
        return true;
    default:
        cell->v.number = val->number;
        return true;
    }
}

static void add_cell(builder *b, const vmon_mib_object *obj)
{
    vmon_mib_view *view = b->view;
    size_t suffix_len = obj->oid_len - vmon_mib_root_len;
    size_t oid_len = suffix_len + b->index_len;
    vmon_mib_value val = {0};
    vmon_mib_cell *cell;
    subid *name;

    if (b->is_failed || !obj->get(obj, &b->row, &val))
        return;
    if (!grow((void **)&view->cells, &view->cap_cells, view->n_cells + 1,
              sizeof(*view->cells)) ||
        !grow((void **)&view->oids, &view->cap_oids, view->n_oids + oid_len,
              sizeof(*view->oids))) {
        b->is_failed = true;
        return;
    }
    cell = &view->cells[view->n_cells];
    name = &view->oids[view->n_oids];
    copy_subids(name, obj->oid + vmon_mib_root_len, suffix_len);
    copy_subids(name + suffix_len, b->index, b->index_len);
    cell->oid_off = (uint32_t)view->n_oids;
    cell->oid_len = (uint16_t)oid_len;
    if (!store_value(view, obj, &val, cell)) {
        b->is_failed = true;
        return;
    }
    view->n_oids += oid_len;
    view->n_cells++;
}

/* Rows of the tables below a domain: index conn.uuid.(N + 1) */
static void visit_item(builder *b, const vmon_mib_object *obj, const void *item,
                       unsigned int number)
{
    b->row.item = item;
    b->index[1 + VMON_UUID_LEN] = (oid)number + 1;
    b->index_len = INDEX_MAX;
    add_cell(b, obj);
}

static void visit_domain(builder *b, const vmon_mib_object *obj,
                         const vmon_domain *dom)
{
    size_t i;

    b->row.dom = dom;
    b->row.item = NULL;
    for (i = 0; i < VMON_UUID_LEN; i++)
        b->index[1 + i] = dom->uuid[i];
    b->index_len = 1 + VMON_UUID_LEN;
    switch (obj->table) {
    case VMON_MIB_DOMAIN:
        add_cell(b, obj);
        break;
    case VMON_MIB_VCPU:
        for (i = 0; i < dom->n_vcpus; i++)
            visit_item(b, obj, &dom->vcpus[i], dom->vcpus[i].number);
        break;
    case VMON_MIB_DISK:
        for (i = 0; i < dom->n_disks; i++)
            visit_item(b, obj, &dom->disks[i], dom->disks[i].number);
        break;
    case VMON_MIB_IFACE:
        for (i = 0; i < dom->n_ifaces; i++)
            visit_item(b, obj, &dom->ifaces[i], dom->ifaces[i].number);
        break;
    default:
        break;
    }
}

/* Rows of one connection for `obj`'s table. */
static void visit_conn(builder *b, const vmon_mib_object *obj)
{
    const vmon_host_data *host = b->row.host;
    size_t i;

    switch (obj->table) {
    case VMON_MIB_CONN:
    case VMON_MIB_MAGIC:
        add_cell(b, obj);
        return;
    case VMON_MIB_NODE:
        if (host)
            add_cell(b, obj);
        return;
    case VMON_MIB_CELL:
        for (i = 0; host && i < host->n_cells; i++) {
            b->row.item = &host->cells[i];
            b->index[1] = (oid)host->cells[i].cell + 1;
            b->index_len = 2;
            add_cell(b, obj);
        }
        return;
    default:
        for (i = 0; host && i < host->n_domains; i++)
            visit_domain(b, obj, &host->domains[i]);
        return;
    }
}

/* Column by column, rows in index order: the result comes out sorted as
 * long as the snapshot keeps its promises (checked afterwards). */
static void visit_object(builder *b, const vmon_mib_object *obj)
{
    const vmon_snapshot *snap = b->row.snap;
    size_t i;

    if (obj->table == VMON_MIB_SCALARS) {
        b->index[0] = 0;
        b->index_len = 1;
        add_cell(b, obj);
        return;
    }
    for (i = 0; i < snap->n_conns; i++) {
        b->row.conn = snap->conns[i];
        b->row.host = snap->conns[i]->data;
        b->row.dom = NULL;
        b->row.item = NULL;
        b->index[0] = snap->conns[i]->index;
        b->index_len = 1;
        visit_conn(b, obj);
    }
}

static int cell_cmp(const void *a, const void *b, void *opaque)
{
    const vmon_mib_view *view = opaque;
    const vmon_mib_cell *x = a, *y = b;

    return subids_cmp(view->oids + x->oid_off, x->oid_len,
                      view->oids + y->oid_off, y->oid_len);
}

/* Sorts (when needed) and drops duplicate instances, keeping the first. */
static void view_sort(vmon_mib_view *view)
{
    size_t i, kept = 0;
    bool is_sorted = true;

    for (i = 1; i < view->n_cells && is_sorted; i++)
        is_sorted = cell_cmp(&view->cells[i - 1], &view->cells[i], view) < 0;
    if (is_sorted)
        return;
    DEBUGMSGTL(("virtmon/view", "snapshot rows out of order: sorting\n"));
    qsort_r(view->cells, view->n_cells, sizeof(*view->cells), cell_cmp, view);
    for (i = 0; i < view->n_cells; i++)
        if (kept == 0 ||
            cell_cmp(&view->cells[kept - 1], &view->cells[i], view) != 0)
            view->cells[kept++] = view->cells[i];
    view->n_cells = kept;
}

vmon_mib_view *vmon_mib_view_new(vmon_snapshot *snap,
                                 const vmon_mib_agent_info *agent)
{
    builder b = {0};
    size_t i;

    if (!(b.view = calloc(1, sizeof(*b.view))))
        return NULL;
    b.view->snap = vmon_snapshot_ref(snap);
    b.row.agent = agent;
    b.row.snap = snap;
    for (i = 0; i < vmon_mib_n_objects && !b.is_failed; i++)
        visit_object(&b, &vmon_mib_objects[i]);
    if (b.is_failed) {
        snmp_log(LOG_ERR, "out of memory rendering %zu MIB instances\n",
                 b.view->n_cells);
        vmon_mib_view_free(b.view);
        return NULL;
    }
    view_sort(b.view);
    shrink((void **)&b.view->cells, b.view->n_cells, sizeof(*b.view->cells));
    shrink((void **)&b.view->oids, b.view->n_oids, sizeof(*b.view->oids));
    return b.view;
}

void vmon_mib_view_free(vmon_mib_view *view)
{
    size_t i;

    if (!view)
        return;
    for (i = 0; i < view->n_texts; i++)
        free(view->texts[i]);
    free(view->texts);
    free(view->cells);
    free(view->oids);
    vmon_snapshot_unref(view->snap);
    free(view);
}

size_t vmon_mib_view_size(const vmon_mib_view *view)
{
    return view->n_cells;
}

/* Where `name` lies relative to the MIB: <0 before it, 0 at or under the
 * root, >0 after it. */
static int root_position(const oid *name, size_t len)
{
    size_t n = len < vmon_mib_root_len ? len : vmon_mib_root_len;
    int cmp = snmp_oid_compare(name, n, vmon_mib_root, n);

    if (cmp != 0)
        return cmp;
    return len < vmon_mib_root_len ? -1 : 0;
}

/* The part of a request OID below the root, stored as the view stores
 * OIDs; returns root_position() of the request. */
static int request_suffix(const oid *name, size_t len, subid *suffix,
                          size_t *suffix_len)
{
    int pos = root_position(name, len);

    if (pos == 0) {
        *suffix_len = len - vmon_mib_root_len;
        if (*suffix_len > MAX_OID_LEN)
            *suffix_len = MAX_OID_LEN;
        copy_subids(suffix, name + vmon_mib_root_len, *suffix_len);
    }
    return pos;
}

/* Index of the first cell whose OID suffix is > suffix (or >= when
 * is_inclusive). */
static size_t lower_bound(const vmon_mib_view *view, const subid *suffix,
                          size_t len, bool is_inclusive)
{
    size_t lo = 0, hi = view->n_cells;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const vmon_mib_cell *c = &view->cells[mid];
        int cmp = subids_cmp(view->oids + c->oid_off, c->oid_len, suffix, len);

        if (cmp < 0 || (cmp == 0 && !is_inclusive))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const vmon_mib_cell *vmon_mib_view_get(const vmon_mib_view *view,
                                       const oid *name, size_t len)
{
    subid suffix[MAX_OID_LEN];
    size_t suffix_len, i;
    const vmon_mib_cell *c;

    if (request_suffix(name, len, suffix, &suffix_len) != 0)
        return NULL;
    i = lower_bound(view, suffix, suffix_len, true);
    if (i == view->n_cells)
        return NULL;
    c = &view->cells[i];
    if (subids_cmp(view->oids + c->oid_off, c->oid_len, suffix, suffix_len) !=
        0)
        return NULL;
    return c;
}

const vmon_mib_cell *vmon_mib_view_next(const vmon_mib_view *view,
                                        const oid *name, size_t len,
                                        bool is_inclusive)
{
    subid suffix[MAX_OID_LEN];
    size_t suffix_len, i;
    int pos = request_suffix(name, len, suffix, &suffix_len);

    if (pos > 0 || view->n_cells == 0)
        return NULL;
    if (pos < 0)
        return &view->cells[0];
    i = lower_bound(view, suffix, suffix_len, is_inclusive);
    return i < view->n_cells ? &view->cells[i] : NULL;
}

size_t vmon_mib_view_cell_oid(const vmon_mib_view *view,
                              const vmon_mib_cell *cell, oid *buf)
{
    const subid *suffix = view->oids + cell->oid_off;
    size_t i;

    memcpy(buf, vmon_mib_root, vmon_mib_root_len * sizeof(oid));
    for (i = 0; i < cell->oid_len; i++)
        buf[vmon_mib_root_len + i] = suffix[i];
    return vmon_mib_root_len + cell->oid_len;
}
