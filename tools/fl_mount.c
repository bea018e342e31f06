// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <libmount/libmount.h>

#include "fl_mount.h"
#include "fl_strv.h"

extern char **environ;

/*
 * mnt_context_mount()/umount() return 0, a negative libmount error, or a
 * positive code when the syscall or a mount helper failed; turn that into
 * the errno the kernel gave, so the CLI can say "busy" or "no such
 * directory" rather than "failed".
 */
static int context_errno(struct libmnt_context *cxt, int rc)
{
	int e;

	if (!rc)
		return 0;
	if (mnt_context_syscall_called(cxt)) {
		e = mnt_context_get_syscall_errno(cxt);
		return e ? -e : -EIO;
	}
	if (rc < 0 && rc > -4096 && rc != -1)
		return rc;
	return -EIO;
}

int fl_mount(const char *source, const char *target, bool read_only,
	     const char *options)
{
	struct libmnt_context *cxt;
	int r;

	cxt = mnt_new_context();
	if (!cxt)
		return -ENOMEM;
	r = -ENOMEM;
	if (mnt_context_set_source(cxt, source) ||
	    mnt_context_set_target(cxt, target))
		goto out;
	if (options && mnt_context_set_options(cxt, options))
		goto out;
	if (read_only && mnt_context_append_options(cxt, "ro"))
		goto out;
	/* The filesystem type is probed by libmount (libblkid). */
	r = context_errno(cxt, mnt_context_mount(cxt));
out:
	mnt_free_context(cxt);
	return r;
}

int fl_umount(const char *target)
{
	struct libmnt_context *cxt;
	int r;

	cxt = mnt_new_context();
	if (!cxt)
		return -ENOMEM;
	r = -ENOMEM;
	if (mnt_context_set_target(cxt, target))
		goto out;
	/* We may be umount.fileloop: never hand the umount back to us. */
	mnt_context_disable_helpers(cxt, 1);
	r = context_errno(cxt, mnt_context_umount(cxt));
out:
	mnt_free_context(cxt);
	return r;
}

int fl_mounts_of(dev_t dev, char ***targets)
{
	struct libmnt_table *tb;
	struct libmnt_iter *itr;
	struct libmnt_fs *fs;
	char **v = NULL;
	size_t n = 0;
	int r = 0;

	*targets = NULL;
	tb = mnt_new_table_from_file("/proc/self/mountinfo");
	if (!tb)
		return -errno ? -errno : -EIO;
	itr = mnt_new_iter(MNT_ITER_FORWARD);
	if (!itr) {
		mnt_unref_table(tb);
		return -ENOMEM;
	}
	while (!mnt_table_next_fs(tb, itr, &fs)) {
		const char *t = mnt_fs_get_target(fs);

		if (mnt_fs_get_devno(fs) != dev || !t)
			continue;
		r = fl_strv_append(&v, &n, t);
		if (r)
			break;
	}
	mnt_free_iter(itr);
	mnt_unref_table(tb);
	if (r) {
		fl_strv_free(v);
		v = NULL;
	}
	*targets = v;
	return r;
}

/* Run argv[0] from PATH with our stdio; 0 if it exited 0. */
static int run(char *const argv[])
{
	pid_t pid;
	int st, r;

	/* Our buffered output first, then the program's. */
	fflush(NULL);
	r = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (r)
		return -r;
	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	/* 127: posix_spawnp's child could not exec the program. */
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return -ENOENT;
	return -EIO;
}

int fl_mkfs(const char *type, const char *device)
{
	char prog[64];
	int n;

	/*
	 * mkfs.TYPE rather than mkfs -t TYPE: the wrapper is deprecated and
	 * the missing-program case then reads -ENOENT.  -q keeps the
	 * output of mke2fs/mkfs.xfs/mkfs.btrfs to errors.
	 */
	n = snprintf(prog, sizeof(prog), "mkfs.%s", type);
	if (n < 0 || (size_t)n >= sizeof(prog) || strchr(type, '/'))
		return -EINVAL;
	if (!strcmp(type, "vfat") || !strcmp(type, "fat"))
		return run((char *const[]){ prog, (char *)device, NULL });
	return run((char *const[]){ prog, "-q", (char *)device, NULL });
}

int fl_grow_fs(const char *type, const char *device, const char *mountpoint)
{
	if (!strcmp(type, "ext2") || !strcmp(type, "ext3") ||
	    !strcmp(type, "ext4"))
		/* resize2fs grows mounted ext filesystems online. */
		return run((char *const[]){ "resize2fs", (char *)device, NULL });
	if (!strcmp(type, "xfs")) {
		if (!mountpoint)
			return -ENOTCONN;	/* xfs grows only mounted */
		return run((char *const[]){ "xfs_growfs", (char *)mountpoint,
					    NULL });
	}
	return -EOPNOTSUPP;
}
