/* hang-fs: a FUSE file system with one regular file, magic_file, owned by
 * root, whose read never answers: a stand-in for a hung NFS or FUSE mount
 * behind the magic file's path. Usage: hang-fs -f MOUNTPOINT */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fuse.h>

static const char file_path[] = "/magic_file";

static int hang_getattr(const char *path, struct stat *st,
                        struct fuse_file_info *fi)
{
    (void)fi;
    memset(st, 0, sizeof(*st));
    if (strcmp(path, "/") == 0) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2;
        return 0;
    }
    if (strcmp(path, file_path) != 0)
        return -ENOENT;
    st->st_mode = S_IFREG | 0644;
    st->st_nlink = 1;
    st->st_size = 11;
    return 0;
}

static int hang_open(const char *path, struct fuse_file_info *fi)
{
    if (strcmp(path, file_path) != 0)
        return -ENOENT;
    fi->direct_io = 1; /* every read reaches hang_read, none the page cache */
    return 0;
}

/* Never answers; the request is aborted when this process dies. */
static int hang_read(const char *path, char *buf, size_t size, off_t offset,
                     struct fuse_file_info *fi)
{
    (void)path;
    (void)buf;
    (void)size;
    (void)offset;
    (void)fi;
    for (;;)
        pause();
    return 0;
}

static const struct fuse_operations hang_ops = {
    .getattr = hang_getattr,
    .open = hang_open,
    .read = hang_read,
};

int main(int argc, char **argv)
{
    return fuse_main(argc, argv, &hang_ops, NULL);
}
