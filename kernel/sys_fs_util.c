/*
 * The helpers the file system calls share (kernel/sys_fs_util.h), and the
 * boot of the file system: the image's tree, descriptors 0-2 on
 * /dev/console (0 reads end-of-file, 1 and 2 write to the console), and
 * the working directory /.
 */
#include "kernel/sys_fs_util.h"

#include "kernel/error.h"
#include "kernel/panic.h"
#include "uaccess.h"

extern const char app_root_start[], app_root_end[];

char path_buf[FS_PATH_MAX];
static struct fs_node *cwd;

void fs_boot(void)
{
	int err = fs_init(app_root_start, (size_t)(app_root_end - app_root_start));
	if (err)
		panic("file system: the image's root archive is unusable (error %d)", err);
	err = fd_init();
	if (err)
		panic("file system: no console descriptors (error %d)", err);
	cwd = fs_root();
	fs_hold(cwd);
}

long fdarg(uint64_t v)
{
	return (long)(int32_t)v;
}

struct fs_node *working_dir(void)
{
	return cwd;
}

/* The working directory holds an open of its node, so it survives rmdir. */
void set_working_dir(struct fs_node *n)
{
	fs_hold(n);
	fs_release(cwd);
	cwd = n;
}

long get_path(char *buf, uint64_t upath)
{
	long len = strncpy_from_user(buf, upath, FS_PATH_MAX);
	return len < 0 ? len : 0;
}

int fd_dir(uint64_t fd, struct file **out)
{
	struct file *f = fd_get(fdarg(fd));
	if (!f)
		return -EBADF;
	if (!f->node || !fs_is_dir(f->node))
		return -ENOTDIR;
	*out = f;
	return 0;
}

int at_base(long dirfd, const char *path, struct fs_node **base)
{
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		*base = cwd;
		return 0;
	}
	struct file *f;
	int err = fd_dir((uint64_t)dirfd, &f);
	if (!err)
		*base = f->node;
	return err;
}

long at_path(uint64_t dirfd, uint64_t upath, char *buf, struct fs_node **base)
{
	long err = get_path(buf, upath);
	if (err)
		return err;
	return at_base(fdarg(dirfd), buf, base);
}

/* AT_EMPTY_PATH's "": DIRFD itself, the working directory for AT_FDCWD. */
static long empty_path_node(uint64_t dirfd, struct fs_node **out, struct file **fout)
{
	if (fdarg(dirfd) == AT_FDCWD) {
		*out = cwd;
		return 0;
	}
	struct file *f = fd_get(fdarg(dirfd));
	if (!f)
		return -EBADF;
	*fout = f;
	*out = f->node;
	return 0;
}

long at_node(uint64_t dirfd, uint64_t upath, uint64_t flags, struct fs_node **out,
	     struct file **fout)
{
	struct fs_node *base;
	long err = get_path(path_buf, upath);
	if (err)
		return err;
	*fout = NULL;
	if (path_buf[0] == 0 && (flags & AT_EMPTY_PATH))
		return empty_path_node(dirfd, out, fout);
	err = at_base(fdarg(dirfd), path_buf, &base);
	if (err)
		return err;
	int e = 0;
	*out = fs_lookup(base, path_buf, &e);
	return *out ? 0 : e;
}
