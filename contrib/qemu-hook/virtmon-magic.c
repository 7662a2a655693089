/* virtmon-magic: shows, checks, sets and clears the host's magic file by the
 * rules of the libvirt extension, for operators and the QEMU hook. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmon-magic-local.h"

enum {
    EXIT_ALLOWED = 0, /* check: domains may start */
    EXIT_BLOCKED = 1, /* check: the marker is set */
    EXIT_FAILED = 2,  /* the file cannot be read or written */
    EXIT_USAGE = 64,
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: virtmon-magic show|check|set|clear [FILE]\n"
            "  show   print the first 32 bytes of the magic file\n"
            "  check  exit 0 if domains may start, 1 if the marker is set,\n"
            "         2 if the file cannot be read (a start is refused)\n"
            "  set    write the marker, replacing the file in one rename\n"
            "  clear  remove the file\n"
            "FILE defaults to %s.\n",
            VMON_MAGIC_LOCAL_PATH);
}

/* The read runs in a child process, which hands its result over a pipe:
 * on FUSE a thread stuck in a read that never answers keeps its process
 * from exiting, and libvirt waits for the hook's exit. The child lets go of
 * stdin, stdout and stderr first, so that a child left hanging holds none
 * of libvirt's pipes open. The parent waits a little longer than the
 * child's own one-second bound. */
static void read_in_child(const char *path, vmon_magic_local *out)
{
    struct pollfd pfd;
    int fds[2], null_fd;
    pid_t pid;

    memset(out, 0, sizeof(*out));
    out->status = VMON_MAGIC_ERROR;
    out->errnum = ETIMEDOUT;
    snprintf(out->error, sizeof(out->error), "cannot read magic file '%s': %s",
             path, strerror(ETIMEDOUT));
    if (pipe(fds) < 0 || (pid = fork()) < 0) {
        out->errnum = errno;
        snprintf(out->error, sizeof(out->error),
                 "cannot read magic file '%s': %s", path, strerror(errno));
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        null_fd = open("/dev/null", O_RDWR);
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        dup2(null_fd, STDERR_FILENO);
        vmon_magic_local_read(path, out);
        _exit(write(fds[1], out, sizeof(*out)) == (ssize_t)sizeof(*out) ? 0
                                                                        : 1);
    }
    close(fds[1]);
    pfd.fd = fds[0];
    pfd.events = POLLIN;
    if (poll(&pfd, 1, VMON_MAGIC_LOCAL_TIMEOUT_MS + 1000) == 1 &&
        read(fds[0], out, sizeof(*out)) == (ssize_t)sizeof(*out))
        waitpid(pid, NULL, WNOHANG);
    close(fds[0]);
}

static int cmd_show(const char *path)
{
    vmon_magic_local m;

    read_in_child(path, &m);
    if (m.status == VMON_MAGIC_MISSING) {
        fprintf(stderr, "virtmon-magic: '%s' does not exist\n", path);
        return EXIT_FAILED;
    }
    if (m.status != VMON_MAGIC_OK) {
        fprintf(stderr, "virtmon-magic: %s\n", m.error);
        return EXIT_FAILED;
    }
    fwrite(m.content, 1, m.len, stdout);
    putchar('\n');
    return EXIT_ALLOWED;
}

/* A start is allowed only when the file is missing or read without the
 * marker: whatever cannot be read may hold it. */
static int cmd_check(const char *path)
{
    vmon_magic_local m;

    read_in_child(path, &m);
    if (m.status == VMON_MAGIC_MISSING)
        return EXIT_ALLOWED;
    if (m.status != VMON_MAGIC_OK) {
        fprintf(stderr, "domain start refused: %s\n", m.error);
        return EXIT_FAILED;
    }
    if (vmon_magic_is_marker(m.content, m.len)) {
        fprintf(stderr, "domain start refused: magic file '%s' holds '%s'\n",
                path, VMON_MAGIC_MARKER);
        return EXIT_BLOCKED;
    }
    return EXIT_ALLOWED;
}

/* Written next to the file and renamed over it, so that no reader ever
 * sees it empty or half written, and whatever was at the path (a FIFO
 * included) is replaced, never written into. */
static int cmd_set(const char *path)
{
    static const char content[] = VMON_MAGIC_MARKER "\n";
    char tmp[4096];
    int fd, n;

    n = snprintf(tmp, sizeof(tmp), "%s.virtmon-magic.%ld", path,
                 (long)getpid());
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        fprintf(stderr, "virtmon-magic: path too long: '%s'\n", path);
        return EXIT_FAILED;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0 ||
        write(fd, content, sizeof(content) - 1) !=
            (ssize_t)(sizeof(content) - 1) ||
        fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        fprintf(stderr, "virtmon-magic: cannot write '%s': %s\n", path,
                strerror(errno));
        if (fd >= 0)
            unlink(tmp);
        return EXIT_FAILED;
    }
    return EXIT_ALLOWED;
}

static int cmd_clear(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT) {
        fprintf(stderr, "virtmon-magic: cannot remove '%s': %s\n", path,
                strerror(errno));
        return EXIT_FAILED;
    }
    return EXIT_ALLOWED;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*run)(const char *path);
    } commands[] = {
        {"show", cmd_show},
        {"check", cmd_check},
        {"set", cmd_set},
        {"clear", cmd_clear},
    };
    const char *path = argc > 2 ? argv[2] : VMON_MAGIC_LOCAL_PATH;
    size_t i;

    if (argc == 2 &&
        (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return EXIT_ALLOWED;
    }
    if (argc < 2 || argc > 3) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(path);
    usage(stderr);
    return EXIT_USAGE;
}
