/* dump-mib-registry.c: prints the agent's registration table, one object a
 * line as "NAME OID TYPE", for test-mib-registry.sh to hold against the MIB. */
#include <config.h>

#include <stdio.h>

#include "mib.h"

static const char *type_name(u_char type)
{
    switch (type) {
    case ASN_OCTET_STR:
        return "String";
    case ASN_INTEGER:
        return "Integer";
    case ASN_UNSIGNED: /* also Gauge32 */
        return "Unsigned";
    case ASN_COUNTER:
        return "Counter";
    case ASN_COUNTER64:
        return "Counter64";
    default:
        return "unknown";
    }
}

int main(void)
{
    size_t i, j;

    for (i = 0; i < vmon_mib_n_objects; i++) {
        const vmon_mib_object *obj = &vmon_mib_objects[i];

        printf("%s ", obj->name);
        for (j = 0; j < obj->oid_len; j++)
            printf(".%lu", (unsigned long)obj->oid[j]);
        printf(" %s\n", type_name(obj->type));
    }
    return vmon_mib_registry_is_valid() ? 0 : 1;
}
