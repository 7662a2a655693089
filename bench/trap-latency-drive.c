/* trap-latency-drive.c: makes libvirt emit lifecycle events at a given rate
 * (suspend, resume, suspend, ...) and prints when each one was emitted. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static long long realtime_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long deadline_ns)
{
    long long left = deadline_ns - realtime_ns();
    struct timespec ts;

    if (left <= 0)
        return;
    ts.tv_sec = left / 1000000000LL;
    ts.tv_nsec = left % 1000000000LL;
    nanosleep(&ts, NULL);
}

/* Usage: trap-latency-drive URI DOMAIN COUNT PER_SECOND (0: at once).
 * Prints "N EVENT CALLED_NS RETURNED_NS" per event: libvirtd emits the
 * event somewhere between the two. */
int main(int argc, char **argv)
{
    virConnectPtr conn = NULL;
    virDomainPtr dom = NULL;
    long long start, called;
    int i, count, rate, state, reason, ret = 1;
    int first = 0; /* 0: suspend first; 1: the domain is paused, resume */

    if (argc != 5) {
        fprintf(stderr, "usage: %s URI DOMAIN COUNT PER_SECOND\n", argv[0]);
        return 2;
    }
    count = atoi(argv[3]);
    rate = atoi(argv[4]);
    if (!(conn = virConnectOpen(argv[1])) ||
        !(dom = virDomainLookupByName(conn, argv[2])) ||
        virDomainGetState(dom, &state, &reason, 0) < 0)
        goto cleanup;
    if (state == VIR_DOMAIN_PAUSED)
        first = 1;
    start = realtime_ns();
    for (i = 0; i < count; i++) {
        int is_suspend = (i + first) % 2 == 0;

        if (rate > 0)
            sleep_until(start + (long long)i * 1000000000LL / rate);
        called = realtime_ns();
        if ((is_suspend ? virDomainSuspend(dom) : virDomainResume(dom)) < 0)
            goto cleanup;
        printf("%d %s %lld %lld\n", i, is_suspend ? "suspended" : "resumed",
               called, realtime_ns());
    }
    ret = 0;
cleanup:
    if (ret != 0)
        fprintf(stderr, "libvirt: %s\n", virGetLastErrorMessage());
    if (dom)
        virDomainFree(dom);
    if (conn)
        virConnectClose(conn);
    return ret;
}
