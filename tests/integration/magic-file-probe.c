/* magic-file-probe: calls virConnectGetMagicFileContent over a read-only
 * connection and prints what a client sees, including the error's int1.
 * Usage: magic-file-probe URI [FLAGS] */

#include <stdio.h>
#include <stdlib.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* Prints "content=<hex>" on success or "error code=<n> int1=<n>" on
 * failure, so the test can check both the bytes and the errno that
 * crossed the remote protocol. */
int main(int argc, char **argv)
{
    virConnectPtr conn = NULL;
    char *content = NULL;
    int ret = 1;

    unsigned int flags = 0;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s URI [FLAGS]\n", argv[0]);
        return 2;
    }
    if (argc == 3)
        flags = (unsigned int)strtoul(argv[2], NULL, 0);

    if (!(conn = virConnectOpenReadOnly(argv[1]))) {
        fprintf(stderr, "cannot open '%s'\n", argv[1]);
        return 2;
    }

    if ((content = virConnectGetMagicFileContent(conn, flags))) {
        const unsigned char *p;

        printf("content=");
        for (p = (const unsigned char *)content; *p; p++)
            printf("%02x", *p);
        printf("\n");
        ret = 0;
    } else {
        virErrorPtr err = virGetLastError();

        printf("error code=%d int1=%d\n", err ? err->code : -1,
               err ? err->int1 : -1);
    }

    free(content);
    virConnectClose(conn);
    return ret;
}
