/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Filesystems on a mapping: mount and unmount through libmount, find
 * where a device is mounted, and run the mkfs / grow programs.  0 or
 * -errno; the programs run here keep their own stderr (their messages are
 * the useful ones), this code itself prints nothing.
 */
#ifndef FL_MOUNT_H
#define FL_MOUNT_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * options: mount(8)'s -o list (filesystem options, and userspace ones
 * such as helper= that libmount keeps in its utab), or NULL.
 */
int fl_mount(const char *source, const char *target, bool read_only,
	     const char *options);
/* Never through a umount helper: fileloopctl is umount.fileloop itself. */
int fl_umount(const char *target);
/*
 * Mount points of dev, NULL-terminated (fl_strv_free); *targets is NULL
 * when none.
 */
int fl_mounts_of(dev_t dev, char ***targets);

/* mkfs -t type device (quiet); -ECHILD-ish failures become -EIO. */
int fl_mkfs(const char *type, const char *device);
/* resize2fs device, or xfs_growfs mountpoint; -EOPNOTSUPP for others. */
int fl_grow_fs(const char *type, const char *device, const char *mountpoint);

#endif
