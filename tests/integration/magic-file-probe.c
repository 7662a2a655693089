/* magic-file-probe: calls virConnectGetMagicFileContent over a read-only
 * connection and prints what a client sees, including the error's int1. */

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

    if (argc != 2) {
        fprintf(stderr, "usage: %s URI\n", argv[0]);
        return 2;
    }

    if (!(conn = virConnectOpenReadOnly(argv[1]))) {
        fprintf(stderr, "cannot open '%s'\n", argv[1]);
        return 2;
    }

    if ((content = virConnectGetMagicFileContent(conn))) {
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
