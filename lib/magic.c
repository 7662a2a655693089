/* magic.c: reads the host's magic file through virConnectGetMagicFileContent,
 * an extension API looked up at run time because stock libvirt lacks it;
 * without it, and only when opted in, reads the local system file itself. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "vmon-collect.h"
#include "vmon-magic-local.h"
#include "vmon-watch.h"

/* The symbol's version node: the API as libvirt 9.1.0 would add it, with
 * flags. An older build of the extension (no flags) is not called. */
#define MAGIC_SYMBOL "virConnectGetMagicFileContent"
#define MAGIC_SYMBOL_VERSION "LIBVIRT_9.1.0"

typedef char *(*magic_fn)(virConnectPtr conn, unsigned int flags);

static pthread_once_t magic_once = PTHREAD_ONCE_INIT;
static magic_fn magic_lookup_result;

/* The collectd plugin is loaded without RTLD_GLOBAL, so libvirt's symbols are
 * not in the default scope there: ask libvirt's own handle first. */
static void magic_lookup(void)
{
    void *lib = dlopen("libvirt.so.0", RTLD_NOW | RTLD_NOLOAD);
    void *sym = NULL;

    if (lib) {
        sym = dlvsym(lib, MAGIC_SYMBOL, MAGIC_SYMBOL_VERSION);
        dlclose(lib);
    }
    if (!sym)
        sym = dlvsym(RTLD_DEFAULT, MAGIC_SYMBOL, MAGIC_SYMBOL_VERSION);
    memcpy(&magic_lookup_result, &sym, sizeof(sym));
}

static atomic_bool is_local_read_on;

void vmon_magic_set_local_read(bool is_on)
{
    atomic_store(&is_local_read_on, is_on);
}

static magic_fn magic_function(void)
{
    pthread_once(&magic_once, magic_lookup);
    return magic_lookup_result;
}

/* GLib's g_ascii_isspace, which the extension uses: unlike isspace() it
 * leaves out '\v' and does not depend on the locale. */
static bool is_ascii_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool vmon_magic_is_marker(const unsigned char *content, size_t len)
{
    size_t marker_len = strlen(VMON_MAGIC_MARKER);

    /* `echo 0xabadcafe > magic_file` leaves a newline: the extension ignores
     * trailing whitespace when it compares, so virtmon does too. */
    while (len > 0 && is_ascii_space(content[len - 1]))
        len--;
    return len == marker_len && memcmp(content, VMON_MAGIC_MARKER, len) == 0;
}

static void magic_set_error(vmon_host_data *data)
{
    virErrorPtr err = virGetLastError();

    data->magic_source = VMON_MAGIC_SOURCE_API;
    if (err && err->code == VIR_ERR_SYSTEM_ERROR && err->int1 == ENOENT) {
        data->magic_status = VMON_MAGIC_MISSING;
    } else {
        data->magic_status = VMON_MAGIC_ERROR;
        data->magic_error = strdup(vmon_virt_error());
    }
    virResetLastError();
}

static void magic_set_content(vmon_host_data *data,
                              const unsigned char *content, size_t len,
                              vmon_magic_source source)
{
    data->magic_len = len < VMON_MAGIC_MAX ? len : VMON_MAGIC_MAX;
    memcpy(data->magic, content, data->magic_len);
    data->is_boot_blocked = vmon_magic_is_marker(data->magic, data->magic_len);
    data->magic_status = VMON_MAGIC_OK;
    data->magic_source = source;
}

/* Stock libvirt on this host: the file the system daemon would read, by the
 * same rules, when the operator opted in. */
static bool magic_read_local(vmon_host_data *data)
{
    vmon_magic_local local;

    if (!atomic_load(&is_local_read_on) ||
        !vmon_magic_uri_is_local_system(data->uri))
        return false;
    vmon_magic_local_read(VMON_MAGIC_LOCAL_PATH, &local);
    if (local.status == VMON_MAGIC_OK) {
        magic_set_content(data, local.content, local.len,
                          VMON_MAGIC_SOURCE_LOCAL);
        return true;
    }
    data->magic_status = local.status;
    data->magic_source = VMON_MAGIC_SOURCE_LOCAL;
    if (local.status == VMON_MAGIC_ERROR)
        data->magic_error = strdup(local.error);
    return true;
}

void vmon_collect_magic(virConnectPtr conn, vmon_host_data *data)
{
    magic_fn fn = magic_function();
    char *content;

    if (fn) {
        vmon_watch_step("virConnectGetMagicFileContent");
        content = fn(conn, 0);
        if (content) {
            magic_set_content(data, (const unsigned char *)content,
                              strnlen(content, VMON_MAGIC_MAX),
                              VMON_MAGIC_SOURCE_API);
            free(content);
            return;
        }
        if (!vmon_virt_error_is_unsupported()) {
            magic_set_error(data);
            return;
        }
        virResetLastError();
    }
    if (!magic_read_local(data))
        data->magic_status = VMON_MAGIC_UNSUPPORTED;
}
