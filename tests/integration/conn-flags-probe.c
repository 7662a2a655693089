/* conn-flags-probe: what libvirt itself says of a connection's security,
 * the truth the tests hold VIRTMON-MIB's vmonConnIsSecure/IsEncrypted to. */
#include <stdio.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* Prints "secure=N encrypted=N" for URI (1, 0 or -1 as libvirt answers). */
int main(int argc, char **argv)
{
    virConnectPtr conn;

    if (argc != 2) {
        fprintf(stderr, "usage: %s URI\n", argv[0]);
        return 2;
    }
    if (!(conn = virConnectOpenReadOnly(argv[1]))) {
        fprintf(stderr, "cannot open '%s'\n", argv[1]);
        return 1;
    }
    printf("secure=%d encrypted=%d\n", virConnectIsSecure(conn),
           virConnectIsEncrypted(conn));
    virConnectClose(conn);
    return 0;
}
