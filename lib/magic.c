/* magic.c: reads the host's magic file through virConnectGetMagicFileContent,
 * an extension API looked up at run time because stock libvirt lacks it. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#include <pthread.h>

#include "vmon-collect.h"
#include "vmon-watch.h"

typedef char *(*magic_fn)(virConnectPtr conn);

static pthread_once_t magic_once = PTHREAD_ONCE_INIT;
static magic_fn magic_lookup_result;

/* The collectd plugin is loaded without RTLD_GLOBAL, so libvirt's symbols are
 * not in the default scope there: ask libvirt's own handle first. */
static void magic_lookup(void)
{
    void *lib = dlopen("libvirt.so.0", RTLD_NOW | RTLD_NOLOAD);
    void *sym = NULL;

    if (lib) {
        sym = dlsym(lib, "virConnectGetMagicFileContent");
        dlclose(lib);
    }
    if (!sym)
        sym = dlsym(RTLD_DEFAULT, "virConnectGetMagicFileContent");
    memcpy(&magic_lookup_result, &sym, sizeof(sym));
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

    if (err && err->code == VIR_ERR_SYSTEM_ERROR && err->int1 == ENOENT) {
        data->magic_status = VMON_MAGIC_MISSING;
    } else if (vmon_virt_error_is_unsupported()) {
        data->magic_status = VMON_MAGIC_UNSUPPORTED;
    } else {
        data->magic_status = VMON_MAGIC_ERROR;
        data->magic_error = strdup(vmon_virt_error());
    }
    virResetLastError();
}

void vmon_collect_magic(virConnectPtr conn, vmon_host_data *data)
{
    magic_fn fn = magic_function();
    char *content;

    if (!fn) {
        data->magic_status = VMON_MAGIC_UNSUPPORTED;
        return;
    }
    vmon_watch_step("virConnectGetMagicFileContent");
    content = fn(conn);
    if (!content) {
        magic_set_error(data);
        return;
    }
    data->magic_len = strnlen(content, VMON_MAGIC_MAX);
    memcpy(data->magic, content, data->magic_len);
    data->is_boot_blocked = vmon_magic_is_marker(data->magic, data->magic_len);
    data->magic_status = VMON_MAGIC_OK;
    free(content);
}
