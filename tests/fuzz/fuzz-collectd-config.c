/* fuzz-collectd-config.c: libFuzzer target for the collectd plugin's
 * configuration: the input becomes a <Plugin virtmon> block of options with
 * values of every type, which the plugin's config callback takes; accepted
 * filters are then matched against random names. */
#include "../../collectd-plugin/virtmon.c"

#include "fuzz-input.h"

#define MAX_OPTIONS 12
#define MAX_VALUES 5
#define MAX_TEXT 48

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vm_config initial_config;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    initial_config = config;
    return 0;
}

/* Words an option's value is likely to be made of. */
static const char *const words[] = {
    "qemu:///system",
    "test:///default",
    "qemu+tls://host.example/system",
    "name",
    "uuid",
    "hostname",
    "connection",
    "none",
    "block",
    "cpu",
    "balloon",
    "vcpu",
    "interface",
    "state",
    "/^web[0-9]+$/",
    "/(/",
    "//",
    "/",
    "vda",
    "guest:vda",
    "",
    "a:b:c",
};

static void random_text(fuzz_input *in, char *buf)
{
    if (fuzz_pick(in, 2) == 0)
        snprintf(buf, MAX_TEXT + 1, "%s",
                 words[fuzz_pick(in, sizeof(words) / sizeof(words[0]))]);
    else
        fuzz_string(in, buf, MAX_TEXT);
}

static void random_value(fuzz_input *in, oconfig_value_t *v)
{
    static const double numbers[] = {0,     1,     -1,    0.5,   4,
                                     1000,  1001,  86400, 86401, 2147483648.0,
                                     1e300, -1e300};
    char text[MAX_TEXT + 1];
    uint64_t bits;

    v->type = (int)fuzz_pick(in, 3);
    switch (v->type) {
    case OCONFIG_TYPE_STRING:
        random_text(in, text);
        v->value.string = strdup(text);
        break;
    case OCONFIG_TYPE_NUMBER:
        if (fuzz_pick(in, 2) == 0) {
            v->value.number =
                numbers[fuzz_pick(in, sizeof(numbers) / sizeof(numbers[0]))];
        } else {
            bits = fuzz_bytes_le(in, 8);
            memcpy(&v->value.number, &bits, sizeof(bits));
        }
        break;
    default:
        v->value.boolean = fuzz_byte(in) & 1;
        break;
    }
}

static void random_option(fuzz_input *in, oconfig_item_t *item,
                          oconfig_item_t *parent)
{
    char key[MAX_TEXT + 1];
    int i;

    if (fuzz_pick(in, 8) != 0)
        snprintf(key, sizeof(key), "%s",
                 options[fuzz_pick(in, STATIC_ARRAY_SIZE(options))].key);
    else
        fuzz_string(in, key, MAX_TEXT);
    item->key = strdup(key);
    item->parent = parent;
    item->values_num = (int)fuzz_pick(in, MAX_VALUES + 1);
    item->values = calloc(MAX_VALUES, sizeof(*item->values));
    for (i = 0; i < item->values_num; i++)
        random_value(in, &item->values[i]);
}

static void free_tree(oconfig_item_t *root)
{
    int i, j;

    for (i = 0; i < root->children_num; i++) {
        oconfig_item_t *item = &root->children[i];

        for (j = 0; j < item->values_num; j++)
            if (item->values[j].type == OCONFIG_TYPE_STRING)
                free(item->values[j].value.string);
        free(item->values);
        free(item->key);
    }
    free(root->children);
}

/* What an accepted configuration must hold. */
static void check_accepted(fuzz_input *in)
{
    char name[MAX_TEXT + 1];
    size_t i;

    if (config.refresh_s < 0 || config.refresh_s > VM_MAX_REFRESH_S ||
        config.hostname_format.n_fields > VM_MAX_FORMAT ||
        config.plugin_instance_format.n_fields > VM_MAX_FORMAT)
        __builtin_trap();
    for (i = 0; i < config.n_conns; i++)
        if (!config.conns[i].uri || !config.conns[i].name ||
            strlen(config.conns[i].name) >= DATA_MAX_NAME_LEN)
            __builtin_trap();
    for (i = 0; i < VMON_GROUP_COUNT; i++)
        if (config.group_every[i] > 1000)
            __builtin_trap();
    random_text(in, name);
    (void)filter_skips(&config.domains, name);
    (void)filter_skips_device(&config.block_devices, name, "vda");
    (void)filter_skips_device(&config.interfaces, "guest", name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size, 0};
    oconfig_item_t root = {0};
    int i;

    root.key = "Plugin";
    root.children_num = (int)fuzz_pick(&in, MAX_OPTIONS + 1);
    root.children = calloc(MAX_OPTIONS, sizeof(*root.children));
    for (i = 0; i < root.children_num; i++)
        random_option(&in, &root.children[i], &root);
    if (virtmon_config(&root) == 0)
        check_accepted(&in);
    free_tree(&root);
    config_clear();
    config = initial_config;
    has_config_error = false;
    return 0;
}
