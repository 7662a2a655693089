/* test-magic-local.c: the local read of the magic file follows the
 * extension's rules for every kind of file, and only local system URIs use
 * it. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "vmon-magic-local.h"

static char dir[] = "/tmp/test-magic-local.XXXXXX";

static const char *path_of(const char *name)
{
    static char path[256];

    if (name[0] == '/')
        return name;
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return path;
}

static void write_file(const char *name, const void *content, size_t len)
{
    int fd = open(path_of(name), O_WRONLY | O_CREAT | O_TRUNC, 0644);

    CHECK(fd >= 0);
    CHECK(write(fd, content, len) == (ssize_t)len);
    close(fd);
}

/* read_ok NAME WANT LEN: the read succeeds with exactly those bytes. */
static void read_ok(const char *name, const char *want, size_t len)
{
    vmon_magic_local m;

    vmon_magic_local_read(path_of(name), &m);
    CHECK_U64(m.status, VMON_MAGIC_OK);
    CHECK_U64(m.len, len);
    CHECK(m.len == len && memcmp(m.content, want, len) == 0);
}

/* read_refused NAME ERRNO: the read fails with that errno. */
static void read_refused(const char *name, int errnum)
{
    vmon_magic_local m;

    vmon_magic_local_read(path_of(name), &m);
    CHECK_U64(m.status, VMON_MAGIC_ERROR);
    CHECK_U64(m.errnum, errnum);
    CHECK(strstr(m.error, path_of(name)) != NULL);
}

static void test_regular_file_gives_its_bytes(void)
{
    write_file("plain", "hello magic\n", 12);
    read_ok("plain", "hello magic\n", 12);
}

static void test_empty_file_is_empty(void)
{
    write_file("empty", "", 0);
    read_ok("empty", "", 0);
}

static void test_long_file_gives_32_bytes(void)
{
    write_file("long", "0123456789abcdefghijklmnopqrstuvwxyz", 36);
    read_ok("long", "0123456789abcdefghijklmnopqrstuv", 32);
}

static void test_nul_byte_ends_the_content(void)
{
    write_file("nul", "before\0after", 12);
    read_ok("nul", "before", 6);
}

static void test_huge_sparse_file_gives_its_start(void)
{
    write_file("huge", "huge", 4);
    CHECK(truncate(path_of("huge"), 4LL << 30) == 0);
    read_ok("huge", "huge", 4);
}

static void test_missing_file_is_missing(void)
{
    vmon_magic_local m;

    vmon_magic_local_read(path_of("missing"), &m);
    CHECK_U64(m.status, VMON_MAGIC_MISSING);
}

static void test_symlink_is_not_followed(void)
{
    char target[256];

    write_file("target", "secret", 6);
    snprintf(target, sizeof(target), "%s", path_of("target"));
    CHECK(symlink(target, path_of("link")) == 0);
    read_refused("link", ELOOP);
}

static void test_directory_is_refused(void)
{
    CHECK(mkdir(path_of("dir"), 0755) == 0);
    read_refused("dir", EISDIR);
}

static void test_device_node_is_not_opened(void)
{
    read_refused("/dev/null", EINVAL);
}

static void test_fifo_without_writer_is_refused(void)
{
    CHECK(mkfifo(path_of("fifo"), 0600) == 0);
    read_refused("fifo", EINVAL);
}

/* Never opened, so the writer's bytes stay for their reader. */
static void test_fifo_with_writer_keeps_its_bytes(void)
{
    char buf[16] = {0};
    int fd;

    CHECK(mkfifo(path_of("fifo-writer"), 0600) == 0);
    fd = open(path_of("fifo-writer"), O_RDWR | O_NONBLOCK);
    CHECK(fd >= 0);
    CHECK(write(fd, "0xabadcafe\n", 11) == 11);
    read_refused("fifo-writer", EINVAL);
    CHECK(read(fd, buf, sizeof(buf) - 1) == 11);
    CHECK_STR(buf, "0xabadcafe\n");
    close(fd);
}

static void test_file_of_another_user_is_refused(void)
{
    if (geteuid() != 0) {
        printf("skip test_file_of_another_user_is_refused: not root\n");
        return;
    }
    write_file("foreign", "planted\n", 8);
    CHECK(chown(path_of("foreign"), 65534, 65534) == 0);
    read_refused("foreign", EPERM);
}

static void test_only_local_system_uris_read_locally(void)
{
    CHECK(vmon_magic_uri_is_local_system("qemu:///system"));
    CHECK(vmon_magic_uri_is_local_system("qemu+unix:///system"));
    CHECK(vmon_magic_uri_is_local_system(
        "qemu:///system?socket=/run/libvirt/libvirt-sock"));
    CHECK(!vmon_magic_uri_is_local_system("qemu:///session"));
    CHECK(!vmon_magic_uri_is_local_system("qemu:///systemd"));
    CHECK(!vmon_magic_uri_is_local_system("qemu+tcp://host/system"));
    CHECK(!vmon_magic_uri_is_local_system("qemu+ssh://root@host/system"));
    CHECK(!vmon_magic_uri_is_local_system("test:///default"));
    CHECK(!vmon_magic_uri_is_local_system("test+unix:///system"));
    CHECK(!vmon_magic_uri_is_local_system(NULL));
}

static void remove_dir(void)
{
    static const char *const names[] = {
        "plain", "empty", "long", "nul",         "huge",    "target",
        "link",  "dir",   "fifo", "fifo-writer", "foreign",
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        remove(path_of(names[i]));
    rmdir(dir);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_regular_file_gives_its_bytes);
    RUN(test_empty_file_is_empty);
    RUN(test_long_file_gives_32_bytes);
    RUN(test_nul_byte_ends_the_content);
    RUN(test_huge_sparse_file_gives_its_start);
    RUN(test_missing_file_is_missing);
    RUN(test_symlink_is_not_followed);
    RUN(test_directory_is_refused);
    RUN(test_device_node_is_not_opened);
    RUN(test_fifo_without_writer_is_refused);
    RUN(test_fifo_with_writer_keeps_its_bytes);
    RUN(test_file_of_another_user_is_refused);
    RUN(test_only_local_system_uris_read_locally);
    remove_dir();
    return check_failures ? 1 : 0;
}
