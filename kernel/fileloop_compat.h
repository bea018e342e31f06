/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between the kernels dm-fileloop is built for
 * (Debian's 6.1 and 6.12).  Everything version-dependent lives here so the
 * target itself reads like code for one kernel.
 */
#ifndef FILELOOP_COMPAT_H
#define FILELOOP_COMPAT_H

#include <linux/version.h>
#include <linux/device-mapper.h>
#include <linux/blkdev.h>

/* dm_table_get_mode() returns blk_mode_t since 6.5, fmode_t before. */
static inline bool fileloop_table_writable(struct dm_table *t)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return dm_table_get_mode(t) & BLK_OPEN_WRITE;
#else
	return dm_table_get_mode(t) & FMODE_WRITE;
#endif
}

#endif /* FILELOOP_COMPAT_H */
