/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between the kernels dm-fileloop is built for
 * (Debian's 6.1, 6.12, 6.18 and the newest 7.x).  Everything
 * version-dependent lives here so the target itself reads like code for
 * one kernel.
 */
#ifndef FILELOOP_COMPAT_H
#define FILELOOP_COMPAT_H

#include <linux/version.h>
#include <linux/device-mapper.h>
#include <linux/blkdev.h>
#include <linux/workqueue.h>

/* dm_table_get_mode() returns blk_mode_t since 6.5, fmode_t before. */
static inline bool fileloop_table_writable(struct dm_table *t)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
	return dm_table_get_mode(t) & BLK_OPEN_WRITE;
#else
	return dm_table_get_mode(t) & FMODE_WRITE;
#endif
}

/*
 * Bytes of the bio's current bvec already done: bvec_iter.bi_bvec_done,
 * renamed bi_offset in 7.x.  Computed from the helpers every kernel has, so
 * no version needs guessing.
 */
static inline unsigned int fileloop_bio_bvec_done(const struct bio *bio)
{
	return mp_bvec_iter_offset(bio->bi_io_vec, bio->bi_iter) -
	       __bvec_iter_bvec(bio->bi_io_vec, bio->bi_iter)->bv_offset;
}

/*
 * Since 6.17 the queue limits carry max_hw_wzeroes_unmap_sectors (write
 * zeroes that also deallocates, for FALLOC_FL_WRITE_ZEROES), and
 * blk_validate_limits() refuses limits where it is set and differs from
 * max_write_zeroes_sectors.  dm starts a table from the stacking defaults,
 * which set both to UINT_MAX, and a target without an underlying device
 * (iterate_devices reports none) has nothing that lowers the unmap one.
 * So a target that sets max_write_zeroes_sectors must set it too, or every
 * table fails in dm_table_set_restrictions().  fileloop does not promise
 * that a write of zeroes deallocates (neither does loop): 0.
 */
static inline void fileloop_limits_no_wzeroes_unmap(struct queue_limits *lim)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
	lim->max_hw_wzeroes_unmap_sectors = 0;
#endif
}

/*
 * Workqueues are moving from per-CPU by default to unbound by default:
 * 6.17 added WQ_PERCPU (some stable kernels have it too), and 7.x warns at
 * alloc_workqueue() when a queue names neither WQ_PERCPU nor WQ_UNBOUND.
 * A per-CPU queue says so where the flag exists.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 17, 0)
#define FILELOOP_WQ_PERCPU	WQ_PERCPU
#else
#define FILELOOP_WQ_PERCPU	0
#endif

#endif /* FILELOOP_COMPAT_H */
