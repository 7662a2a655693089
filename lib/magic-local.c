/* magic-local.c: reads the local magic file directly, by the extension's
 * rules, so that stock libvirt hosts can opt in to magic file monitoring. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmon-magic-local.h"

/* One read, shared by the caller and the thread doing it: whichever lets go
 * last frees it, so a caller that gave up on a hung read leaves the thread
 * a valid job to finish. */
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int refs;
    bool is_done;
    char *path;
    vmon_magic_local result;
} magic_job;

/* Reads that have not returned yet, hung ones included. */
static atomic_int pending_reads;

static void job_unref(magic_job *job)
{
    bool is_last;

    pthread_mutex_lock(&job->lock);
    is_last = --job->refs == 0;
    pthread_mutex_unlock(&job->lock);
    if (!is_last)
        return;
    pthread_cond_destroy(&job->cond);
    pthread_mutex_destroy(&job->lock);
    free(job->path);
    free(job);
}

/* "<what> '<path>'<why>: <strerror>", the shape of libvirt's messages. */
static void set_error(vmon_magic_local *out, int errnum, const char *what,
                      const char *path, const char *why)
{
    out->status = VMON_MAGIC_ERROR;
    out->errnum = errnum;
    snprintf(out->error, sizeof(out->error), "%s '%s'%s: %s", what, path, why,
             strerror(errnum));
}

/* Refuses what is not a regular file of root or of this process's user:
 * a symlink (ELOOP), a directory (EISDIR), a FIFO, socket or device node
 * (EINVAL), another owner (EPERM). Returns 0 when the file may be read. */
static int check_stat(const struct stat *sb, const char *path,
                      vmon_magic_local *out)
{
    if (!S_ISREG(sb->st_mode)) {
        set_error(out,
                  S_ISLNK(sb->st_mode)   ? ELOOP
                  : S_ISDIR(sb->st_mode) ? EISDIR
                                         : EINVAL,
                  "magic file", path, " is not a regular file");
        return -1;
    }
    if (sb->st_uid != 0 && sb->st_uid != geteuid()) {
        set_error(out, EPERM, "magic file", path,
                  " is owned by neither root nor this user");
        return -1;
    }
    return 0;
}

/* lstat first, so that nothing but a regular file is ever opened (opening
 * a device can have side effects; a FIFO would swallow a writer's bytes);
 * then open without following symlinks or waiting for a FIFO writer, and
 * check again what was opened. May block on a hung file system. */
static void read_now(const char *path, vmon_magic_local *out)
{
    unsigned char buf[VMON_MAGIC_MAX];
    struct stat sb;
    ssize_t got;
    int fd;

    if (lstat(path, &sb) < 0) {
        if (errno == ENOENT) {
            out->status = VMON_MAGIC_MISSING;
            out->errnum = ENOENT;
        } else {
            set_error(out, errno, "cannot read magic file", path, "");
        }
        return;
    }
    if (check_stat(&sb, path, out) < 0)
        return;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0 || fstat(fd, &sb) < 0) {
        set_error(out, errno, "cannot read magic file", path, "");
        if (fd >= 0)
            close(fd);
        return;
    }
    if (check_stat(&sb, path, out) == 0) {
        do {
            got = read(fd, buf, sizeof(buf));
        } while (got < 0 && errno == EINTR);
        if (got < 0) {
            set_error(out, errno, "cannot read magic file", path, "");
        } else {
            out->status = VMON_MAGIC_OK;
            out->len = strnlen((const char *)buf, (size_t)got);
            memcpy(out->content, buf, out->len);
        }
    }
    close(fd);
}

static void *read_thread(void *opaque)
{
    magic_job *job = opaque;
    vmon_magic_local result = {0};

    read_now(job->path, &result);
    pthread_mutex_lock(&job->lock);
    job->result = result;
    job->is_done = true;
    pthread_cond_signal(&job->cond);
    pthread_mutex_unlock(&job->lock);
    atomic_fetch_sub(&pending_reads, 1);
    job_unref(job);
    return NULL;
}

static magic_job *job_start(const char *path)
{
    magic_job *job = calloc(1, sizeof(*job));
    pthread_condattr_t attr;
    pthread_attr_t tattr;
    pthread_t thread;
    int rc;

    if (!job || !(job->path = strdup(path))) {
        free(job);
        return NULL;
    }
    job->refs = 2;
    pthread_mutex_init(&job->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&job->cond, &attr);
    pthread_condattr_destroy(&attr);
    pthread_attr_init(&tattr);
    pthread_attr_setdetachstate(&tattr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&thread, &tattr, read_thread, job);
    pthread_attr_destroy(&tattr);
    if (rc != 0) {
        job->refs = 1;
        job_unref(job);
        errno = rc;
        return NULL;
    }
    return job;
}

/* Waits at most VMON_MAGIC_LOCAL_TIMEOUT_MS; true if the read finished. */
static bool job_wait(magic_job *job, vmon_magic_local *out)
{
    struct timespec deadline;
    bool is_done;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += VMON_MAGIC_LOCAL_TIMEOUT_MS / 1000;
    deadline.tv_nsec += (VMON_MAGIC_LOCAL_TIMEOUT_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&job->lock);
    while (!job->is_done &&
           pthread_cond_timedwait(&job->cond, &job->lock, &deadline) == 0)
        ;
    is_done = job->is_done;
    if (is_done)
        *out = job->result;
    pthread_mutex_unlock(&job->lock);
    return is_done;
}

void vmon_magic_local_read(const char *path, vmon_magic_local *out)
{
    magic_job *job;

    memset(out, 0, sizeof(*out));
    if (atomic_fetch_add(&pending_reads, 1) >= VMON_MAGIC_LOCAL_READS_MAX) {
        atomic_fetch_sub(&pending_reads, 1);
        set_error(out, EBUSY, "cannot read magic file", path,
                  ", earlier reads have not returned");
        return;
    }
    if (!(job = job_start(path))) {
        atomic_fetch_sub(&pending_reads, 1);
        set_error(out, errno ? errno : ENOMEM,
                  "cannot start a read of magic file", path, "");
        return;
    }
    if (!job_wait(job, out))
        set_error(out, ETIMEDOUT, "cannot read magic file", path, "");
    job_unref(job);
}

bool vmon_magic_uri_is_local_system(const char *uri)
{
    const char *rest;

    if (!uri || strncmp(uri, "test", 4) == 0 || !(rest = strstr(uri, "://")))
        return false;
    rest += 3;
    /* no host part: the path follows at once, then an optional query */
    return strncmp(rest, "/system", 7) == 0 &&
           (rest[7] == '\0' || rest[7] == '?');
}
