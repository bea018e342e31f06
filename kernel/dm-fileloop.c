// SPDX-License-Identifier: GPL-2.0-only
/*
 * dm-fileloop: a device-mapper target that maps its range onto a regular
 * file (or a block device) through the file's read_iter/write_iter, the way
 * the loop driver does, but as a dm target: named devices, atomic table
 * reloads and several files in one device.
 *
 * Table line:
 *   <path> <offset> [<#features> <feature>...]
 *
 * See Documentation in docs/dm-fileloop.rst.
 */

#include <linux/bio.h>
#include <linux/blkdev.h>
#include <linux/device-mapper.h>
#include <linux/falloc.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernfs.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/stat.h>
#include <linux/string_helpers.h>
#include <linux/uio.h>
#include <linux/workqueue.h>

#include "dm-fileloop.h"
#include "fileloop_compat.h"

#define DM_MSG_PREFIX "fileloop"

/* Path bytes escaped in the IMA status: its record separators too. */
#define FILELOOP_IMA_ESCAPE FILELOOP_PATH_ESCAPE ",;="

enum fileloop_io_request {
	FILELOOP_IO_AUTO,	/* direct when the file allows it */
	FILELOOP_IO_DIRECT,
	FILELOOP_IO_BUFFERED,
};

/* fileloop_c.flags: operations the backing filesystem refused. */
enum {
	FILELOOP_NO_PUNCH_HOLE,
	FILELOOP_NO_ZERO_RANGE,
};

struct fileloop_stats {
	atomic64_t reads;
	atomic64_t writes;
	atomic64_t flushes;
	atomic64_t fua;
	atomic64_t discards;
	atomic64_t write_zeroes;
	atomic64_t errors;
	atomic64_t retries;	/* refused with IOCB_NOWAIT, redone */
};

struct fileloop_c {
	struct file *file;
	struct dm_dev *dev;	/* the claim on a backing block device */
	char *path;		/* decoded, as opened */
	char *table_path;	/* octal-escaped, for the TABLE status */
	char *ima_path;		/* octal-escaped, for the IMA status */
	dev_t st_dev;		/* what stat() says of the opened path */
	u64 st_ino;
	sector_t offset;	/* into the file, in 512-byte sectors */
	unsigned int block_size;
	enum fileloop_io_request io_request;
	bool block_size_set;
	bool no_discard;
	bool shared;
	bool read_only;
	bool use_dio;
	unsigned int dio_align;	/* file offset and length alignment */
	bool nowait;		/* the file honours IOCB_NOWAIT: batches */
	unsigned long flags;
	int flush_err;		/* for the next flush: see postsuspend */
	struct workqueue_struct *batch_wq;	/* per-CPU */
	struct workqueue_struct *serial_wq;	/* unbound */
	struct fileloop_batch __percpu *batches;
	struct llist_head serial;	/* bios for serial_work, in order */
	struct work_struct serial_work;
	struct list_head mapped;	/* on fileloop_mapped */
	struct mapped_device *md;
	char dm_name[DM_NAME_LEN];	/* md's name at load, for messages */
	sector_t len;
	struct fileloop_stats stats;
};

/* Per-bio data (ti->per_io_data_size): nothing is allocated per I/O. */
struct fileloop_io {
	struct llist_node node;	/* on a batch or the serial list */
	struct kiocb iocb;
	atomic_t ref;		/* see fileloop_call_iter() */
	long ret;		/* of an asynchronous kiocb */
	struct fileloop_c *fc;
	loff_t pos;
};

/*
 * The I/O path, the same in both modes.  .map starts no file I/O: a read,
 * or in direct mode a write, goes on its device's batch for this CPU, and
 * everything else (flushes, discards, write zeroes, buffered writes) on the
 * device's serial list.  A batch starts its bios with IOCB_NOWAIT, direct
 * or from the page cache as the mode says, and redoes the reads the file
 * refused; refused writes go to the serial list.  The serial work does its
 * bios in order, allowed to block, as loop's worker does.
 *
 * Each device owns both workqueues, each with its own rescuer
 * (WQ_MEM_RECLAIM: we sit in the writeback path), as dm-crypt and dm-delay
 * do: a wait in one backing filesystem holds up only its own device's
 * bios, never those of a device that filesystem sits on.
 */
struct fileloop_batch {
	struct llist_head bios;
	struct work_struct work;
};

static struct bio *fileloop_io_bio(struct fileloop_io *io)
{
	return dm_bio_from_per_bio_data(io, sizeof(*io));
}

static void fileloop_end_bio(struct fileloop_c *fc, struct bio *bio,
			     blk_status_t status)
{
	if (status) {
		atomic64_inc(&fc->stats.errors);
		bio->bi_status = status;
	}
	bio_endio(bio);
}

/*
 * A read or write tried with IOCB_NOWAIT that would have blocked goes to
 * its device's serial list.  Nothing counts as done:
 * the whole request is done again, which is harmless, as the bio is still
 * ours and a write writes the same bytes.  -EOPNOTSUPP is what a device
 * below the backing filesystem answers when it cannot take REQ_NOWAIT.
 */
static bool fileloop_nowait_refused(struct kiocb *iocb, long ret)
{
	return (iocb->ki_flags & IOCB_NOWAIT) &&
	       (ret == -EAGAIN || ret == -EOPNOTSUPP);
}

/* The first bio on an empty list queues the work; the rest ride along. */
static void fileloop_queue_serial(struct fileloop_io *io)
{
	struct fileloop_c *fc = io->fc;

	if (llist_add(&io->node, &fc->serial))
		queue_work(fc->serial_wq, &fc->serial_work);
}

/*
 * Did a short read stop at the end of the file?  The size is the mapping
 * host's: for a block device, file_inode() is the device node's inode.
 */
static bool fileloop_read_hit_eof(struct fileloop_io *io, long ret)
{
	return io->pos + ret >= i_size_read(io->fc->file->f_mapping->host);
}

/*
 * End the bio, or return false for a NOWAIT attempt that was refused or
 * stopped short (a fallback to the page cache that reached a page it would
 * have to wait for), unless a read stopped at the end of the file: the
 * caller has it redone whole, allowed to block.
 */
static bool fileloop_rw_end(struct fileloop_io *io, long ret)
{
	struct kiocb *iocb = &io->iocb;
	struct bio *bio = fileloop_io_bio(io);
	struct fileloop_stats *s = &io->fc->stats;
	bool write = op_is_write(bio_op(bio));
	bool full = ret == (long)bio->bi_iter.bi_size;
	blk_status_t status = BLK_STS_OK;

	if (write)
		kiocb_end_write(iocb);
	if (fileloop_nowait_refused(iocb, ret) ||
	    ((iocb->ki_flags & IOCB_NOWAIT) && ret >= 0 && !full &&
	     (write || !fileloop_read_hit_eof(io, ret)))) {
		atomic64_inc(&s->retries);
		return false;
	}
	atomic64_inc(write ? &s->writes : &s->reads);
	if (write && (bio->bi_opf & REQ_FUA))
		atomic64_inc(&s->fua);

	if (full) {
		status = BLK_STS_OK;
	} else if (ret >= 0 && !write && fileloop_read_hit_eof(io, ret)) {
		/*
		 * The file was truncated below the table's end: what lies past
		 * EOF reads as zeroes, as it does through loop's buffered mode.
		 */
		bio_advance(bio, ret);
		zero_fill_bio(bio);
	} else {
		/*
		 * An error, or a read that stopped short of the end of the
		 * file: the page cache returns what it read before an I/O
		 * error, and zeroes must not stand in for the rest.
		 */
		status = ret < 0 ? errno_to_blk_status(ret) : BLK_STS_IOERR;
	}
	fileloop_end_bio(io->fc, bio, status);
	return true;
}

static void fileloop_ki_complete(struct kiocb *iocb, long ret)
{
	struct fileloop_io *io = container_of(iocb, struct fileloop_io, iocb);

	io->ret = ret;
	if (atomic_dec_and_test(&io->ref) && !fileloop_rw_end(io, ret))
		fileloop_queue_serial(io);
}

/*
 * Point @iter at the bio's own (multi-page) bvecs: no copy.  The bio may
 * start in the middle of a bvec after a split, hence iov_offset.  Returns
 * whether direct I/O can take the bio: it wants every segment a multiple
 * of the file's alignment, which can exceed our 512-byte granularity (a
 * 4096-byte sector disk under block_size 4096); such a bio goes through
 * the page cache instead of failing.
 */
static bool fileloop_bio_iter(struct fileloop_c *fc, struct bio *bio,
			      struct iov_iter *iter)
{
	unsigned int nr_bvec = 0, lengths = 0;
	struct bvec_iter bi;
	struct bio_vec bv;

	bio_for_each_bvec(bv, bio, bi) {
		nr_bvec++;
		lengths |= bv.bv_len;
	}
	iov_iter_bvec(iter, op_is_write(bio_op(bio)) ? ITER_SOURCE : ITER_DEST,
		      __bvec_iter_bvec(bio->bi_io_vec, bio->bi_iter),
		      nr_bvec, bio->bi_iter.bi_size);
	iter->iov_offset = fileloop_bio_bvec_done(bio);
	return fc->use_dio && !(lengths & (fc->dio_align - 1));
}

/*
 * Writers hold the backing superblock's freeze protection until the kiocb
 * completes.  With IOCB_NOWAIT a frozen filesystem is a refusal, as it is
 * for io_uring, not a wait.
 */
static bool fileloop_start_write(struct kiocb *iocb)
{
	struct super_block *sb = file_inode(iocb->ki_filp)->i_sb;

	if (!(iocb->ki_flags & IOCB_NOWAIT)) {
		kiocb_start_write(iocb);
		return true;
	}
	if (!sb_start_write_trylock(sb))
		return false;
	__sb_writers_release(sb, SB_FREEZE_WRITE);
	return true;
}

/*
 * The kiocb lives in the bio's per-bio data, which goes when the bio ends.
 * An asynchronous kiocb may complete on another CPU before read_iter or
 * write_iter has returned -EIOCBQUEUED, and the filesystem may still use
 * the kiocb after that (ext4 calls file_accessed(iocb->ki_filp)).  So, as
 * loop does for its commands, the call and the completion each hold a
 * reference, and whichever drops the last one ends the bio: the call by
 * returning the completion's result instead of -EIOCBQUEUED.
 */
static ssize_t fileloop_call_iter(struct fileloop_io *io,
				  struct iov_iter *iter)
{
	struct kiocb *iocb = &io->iocb;
	struct file *file = iocb->ki_filp;
	ssize_t ret;

	atomic_set(&io->ref, 2);
	if (iocb->ki_flags & IOCB_WRITE)
		ret = file->f_op->write_iter(iocb, iter);
	else
		ret = file->f_op->read_iter(iocb, iter);
	/* Anything but -EIOCBQUEUED: ki_complete is not called. */
	if (ret != -EIOCBQUEUED || !atomic_dec_and_test(&io->ref))
		return ret;
	return io->ret;
}

/*
 * Start the file I/O for a read or write bio.  Returns -EIOCBQUEUED when
 * the kiocb completes asynchronously.  With @nowait (IOCB_NOWAIT) a
 * page-cache write is not tried; -EAGAIN with IOCB_NOWAIT not set in
 * io->iocb.ki_flags means nothing was tried.
 */
static ssize_t fileloop_submit_rw(struct fileloop_io *io, struct bio *bio,
				  int nowait)
{
	struct fileloop_c *fc = io->fc;
	struct file *file = fc->file;
	struct iov_iter iter;
	int flags = 0;
	ssize_t ret;

	io->iocb = (struct kiocb) {
		.ki_filp = file,
		.ki_pos = io->pos,
		.ki_ioprio = bio->bi_ioprio,
	};
	/*
	 * Direct I/O completes asynchronously: many bios in flight.  Page
	 * cache I/O stays a synchronous kiocb (no ki_complete), as the
	 * filesystems expect of it.
	 */
	if (fileloop_bio_iter(fc, bio, &iter)) {
		flags = IOCB_DIRECT;
		io->iocb.ki_complete = fileloop_ki_complete;
	} else if (nowait && op_is_write(bio_op(bio))) {
		return -EAGAIN;
	}
	flags |= nowait;

	if (!op_is_write(bio_op(bio))) {
		io->iocb.ki_flags = flags;
		return fileloop_call_iter(io, &iter);
	}

	/* FUA: the filesystem makes the data durable before completing. */
	if (bio->bi_opf & REQ_FUA)
		flags |= IOCB_DSYNC;
	io->iocb.ki_flags = flags | IOCB_WRITE;
	if (!fileloop_start_write(&io->iocb)) {
		io->iocb.ki_flags = 0;
		return -EAGAIN;
	}
	ret = fileloop_call_iter(io, &iter);
	/*
	 * A page-cache write that meets an error after copying some bytes
	 * returns the short count: the rest is written again, so that the bio
	 * ends with the error itself (ENOSPC, EDQUOT), not a generic EIO.
	 */
	while (!io->iocb.ki_complete && ret > 0 && iov_iter_count(&iter)) {
		ssize_t more = fileloop_call_iter(io, &iter);

		if (more <= 0) {
			ret = more ?: ret;
			break;
		}
		ret += more;
	}
	return ret;
}

static void fileloop_rw(struct fileloop_io *io, struct bio *bio)
{
	ssize_t ret = fileloop_submit_rw(io, bio, 0);

	if (ret != -EIOCBQUEUED)
		fileloop_rw_end(io, ret);
}

/*
 * Try to start a read or write without blocking.  Returns true for a read
 * the file refused, which its batch redoes; a refused write, or what was
 * not tried, goes to the serial list.
 */
static bool fileloop_rw_nowait(struct fileloop_io *io, struct bio *bio)
{
	ssize_t ret = fileloop_submit_rw(io, bio, IOCB_NOWAIT);

	if (ret == -EIOCBQUEUED)
		return false;
	if (io->iocb.ki_flags & IOCB_NOWAIT) {
		if (fileloop_rw_end(io, ret))
			return false;
		if (!op_is_write(bio_op(bio)))
			return true;
	}
	fileloop_queue_serial(io);
	return false;
}

/*
 * DISCARD punches a hole; WRITE_ZEROES punches one too unless REQ_NOUNMAP
 * asks the blocks to stay allocated.  A filesystem that refuses a mode once
 * is not asked again: the bio fails with BLK_STS_NOTSUPP straight away, and
 * the block layer falls back to writing zeroes where it can.
 */
static int fileloop_fallocate(struct fileloop_c *fc, struct bio *bio,
			      loff_t pos)
{
	bool discard = bio_op(bio) == REQ_OP_DISCARD;
	int mode, bit, ret;

	atomic64_inc(discard ? &fc->stats.discards : &fc->stats.write_zeroes);

	if (discard || (!(bio->bi_opf & REQ_NOUNMAP) &&
			!test_bit(FILELOOP_NO_PUNCH_HOLE, &fc->flags))) {
		mode = FALLOC_FL_PUNCH_HOLE;
		bit = FILELOOP_NO_PUNCH_HOLE;
	} else {
		mode = FALLOC_FL_ZERO_RANGE;
		bit = FILELOOP_NO_ZERO_RANGE;
	}
	if (test_bit(bit, &fc->flags))
		return -EOPNOTSUPP;

	ret = vfs_fallocate(fc->file, mode | FALLOC_FL_KEEP_SIZE, pos,
			    bio->bi_iter.bi_size);
	if (ret == -EOPNOTSUPP && !test_and_set_bit(bit, &fc->flags))
		DMINFO("%s: filesystem cannot %s, no longer trying",
		       fc->path, discard || mode == FALLOC_FL_PUNCH_HOLE ?
		       "punch holes" : "zero ranges");
	return ret;
}

static void fileloop_handle_bio(struct fileloop_io *io, struct bio *bio)
{
	struct fileloop_c *fc = io->fc;
	int ret = 0;

	if (bio->bi_opf & REQ_PREFLUSH) {
		int suspend_err = xchg(&fc->flush_err, 0);

		atomic64_inc(&fc->stats.flushes);
		/*
		 * Nothing was written through a read-only table, and its file
		 * may have no ->fsync (squashfs, iso9660, erofs).
		 */
		if (!fc->read_only)
			ret = vfs_fsync(fc->file, 0);
		ret = ret ?: suspend_err;
		if (ret || !bio_sectors(bio))
			goto out;
	}

	switch (bio_op(bio)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		fileloop_rw(io, bio);
		return;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		ret = fileloop_fallocate(fc, bio, io->pos);
		break;
	default:
		ret = -EOPNOTSUPP;
		break;
	}
out:
	/* A refused DISCARD or WRITE_ZEROES is not a failure of the file. */
	if (ret == -EOPNOTSUPP) {
		bio->bi_status = BLK_STS_NOTSUPP;
		ret = 0;
	}
	fileloop_end_bio(fc, bio, errno_to_blk_status(ret));
}

/*
 * First every bio is started with IOCB_NOWAIT, under a plug that sends
 * their requests to the disk below together.  What the filesystem would
 * block for, it refuses: a write (its allocation, or the file's time
 * update that the first write of each clock tick needs) goes to the
 * serial work, so that the rest of the batch is not held up; a read (a
 * page not yet in the page cache, whose read the refusal has started) is
 * then redone here, allowed to block, in the order it came.
 */
static void fileloop_batch_work(struct work_struct *work)
{
	struct fileloop_batch *batch =
		container_of(work, struct fileloop_batch, work);
	struct llist_node *list = llist_del_all(&batch->bios);
	struct llist_node *redo = NULL;	/* newest first, as llist's */
	struct fileloop_io *io, *next;
	unsigned int noio_flags;
	struct blk_plug plug;

	/*
	 * Allocations below us (filesystem, page cache) must not recurse into
	 * writeback of this very device.
	 */
	noio_flags = memalloc_noio_save();
	blk_start_plug(&plug);
	/* _safe: a started bio may complete, and its io go, at once. */
	llist_for_each_entry_safe(io, next, llist_reverse_order(list), node) {
		if (fileloop_rw_nowait(io, fileloop_io_bio(io))) {
			io->node.next = redo;
			redo = &io->node;
		}
	}
	blk_finish_plug(&plug);
	llist_for_each_entry_safe(io, next, llist_reverse_order(redo), node)
		fileloop_rw(io, fileloop_io_bio(io));
	memalloc_noio_restore(noio_flags);
}

/*
 * One work item per device does its bios in order, allowed to block.
 * Refusals come in bursts (every write started before a clock tick's time
 * update is done, every write into a hole): one work item and one plug
 * for the burst, not a context switch per bio.
 */
static void fileloop_serial_work(struct work_struct *work)
{
	struct fileloop_c *fc = container_of(work, struct fileloop_c,
					     serial_work);
	struct llist_node *list = llist_del_all(&fc->serial);
	struct fileloop_io *io, *next;
	unsigned int noio_flags;
	struct blk_plug plug;

	noio_flags = memalloc_noio_save();
	blk_start_plug(&plug);
	llist_for_each_entry_safe(io, next, llist_reverse_order(list), node)
		fileloop_handle_bio(io, fileloop_io_bio(io));
	blk_finish_plug(&plug);
	memalloc_noio_restore(noio_flags);
}

/*
 * What a batch may start: reads in either mode, writes in direct mode.
 * Buffered writes stay serial, as loop does them: on several CPUs at once
 * they contend for the file's lock.
 */
static bool fileloop_batchable(struct fileloop_c *fc, struct bio *bio)
{
	if (!fc->nowait || (bio->bi_opf & REQ_PREFLUSH))
		return false;
	return bio_op(bio) == REQ_OP_READ ||
	       (bio_op(bio) == REQ_OP_WRITE && fc->use_dio);
}

static void fileloop_queue_batch(struct fileloop_io *io)
{
	int cpu = get_cpu();
	struct fileloop_batch *batch = per_cpu_ptr(io->fc->batches, cpu);

	if (llist_add(&io->node, &batch->bios))
		queue_work_on(cpu, io->fc->batch_wq, &batch->work);
	put_cpu();
}

static int fileloop_map(struct dm_target *ti, struct bio *bio)
{
	struct fileloop_c *fc = ti->private;
	struct fileloop_io *io = dm_per_bio_data(bio, sizeof(*io));

	if (unlikely(fc->read_only && op_is_write(bio_op(bio)) &&
		     bio_sectors(bio))) {
		atomic64_inc(&fc->stats.errors);
		return DM_MAPIO_KILL;
	}

	io->fc = fc;
	io->pos = (loff_t)(fc->offset +
			   dm_target_offset(ti, bio->bi_iter.bi_sector))
		  << SECTOR_SHIFT;
	/*
	 * No file I/O here, not even a NOWAIT read: .map runs inside
	 * submit_bio, which holds back every bio submitted under it until .map
	 * returns, and a filesystem may wait for one (ext4 for a block of a
	 * file's extent tree) even under IOCB_NOWAIT.
	 */
	if (fileloop_batchable(fc, bio))
		fileloop_queue_batch(io);
	else
		fileloop_queue_serial(io);
	return DM_MAPIO_SUBMITTED;
}

/*
 * Numbers are parsed with kstrto*(): dm_read_arg() uses sscanf("%u"), which
 * wraps 4294967297 to 1 without an error.
 */
static int fileloop_shift_uint(struct dm_arg_set *as, unsigned int min,
			       unsigned int max, unsigned int *value,
			       char **error, char *message)
{
	const char *arg = dm_shift_arg(as);

	if (!arg || kstrtouint(arg, 10, value) || *value < min ||
	    *value > max) {
		*error = message;
		return -EINVAL;
	}
	return 0;
}

/* The feature count's ti->error names the limit. */
static_assert(FILELOOP_MAX_FEATURE_ARGS == 5);

static int fileloop_parse_features(struct fileloop_c *fc,
				   struct dm_arg_set *as, char **error)
{
	unsigned int nr_features;
	const char *name;
	int ret;

	if (!as->argc)
		return 0;

	ret = fileloop_shift_uint(as, 0, FILELOOP_MAX_FEATURE_ARGS,
				  &nr_features, error,
				  "Invalid number of feature arguments: expected 0 to 5");
	if (ret)
		return ret;
	if (nr_features != as->argc) {
		*error = "Feature count does not match the number of feature arguments";
		return -EINVAL;
	}

	while (as->argc) {
		name = dm_shift_arg(as);

		if (!strcasecmp(name, FILELOOP_FEATURE_DIRECT_IO) ||
		    !strcasecmp(name, FILELOOP_FEATURE_BUFFERED_IO)) {
			if (fc->io_request != FILELOOP_IO_AUTO) {
				*error = "Give at most one of direct_io and buffered_io, once";
				return -EINVAL;
			}
			fc->io_request =
				!strcasecmp(name, FILELOOP_FEATURE_DIRECT_IO) ?
				FILELOOP_IO_DIRECT : FILELOOP_IO_BUFFERED;
		} else if (!strcasecmp(name, FILELOOP_FEATURE_NO_DISCARD)) {
			if (fc->no_discard) {
				*error = "Duplicate feature no_discard";
				return -EINVAL;
			}
			fc->no_discard = true;
		} else if (!strcasecmp(name, FILELOOP_FEATURE_SHARED)) {
			if (fc->shared) {
				*error = "Duplicate feature shared";
				return -EINVAL;
			}
			fc->shared = true;
		} else if (!strcasecmp(name, FILELOOP_FEATURE_BLOCK_SIZE)) {
			if (fc->block_size_set) {
				*error = "Duplicate feature block_size";
				return -EINVAL;
			}
			ret = fileloop_shift_uint(as, SECTOR_SIZE, PAGE_SIZE,
						  &fc->block_size, error,
						  "Invalid block_size: use 512, 1024, 2048 or 4096");
			if (ret)
				return ret;
			if (!is_power_of_2(fc->block_size)) {
				*error = "Invalid block_size: use 512, 1024, 2048 or 4096";
				return -EINVAL;
			}
			fc->block_size_set = true;
		} else {
			DMERR("unrecognised feature '%s'", name);
			*error = "Unrecognised feature: use direct_io, buffered_io, block_size <n>, no_discard or shared";
			return -EINVAL;
		}
	}
	return 0;
}

/* @path with the bytes in @esc written as \ooo, or NULL. */
static char *fileloop_escape(const char *path, const char *esc)
{
	size_t len = 4 * strlen(path);	/* every byte may become \ooo */
	char *out = kmalloc(len + 1, GFP_KERNEL);

	if (out)
		out[string_escape_str(path, out, len, ESCAPE_OCTAL, esc)] = '\0';
	return out;
}

static int fileloop_parse_path(struct fileloop_c *fc, const char *arg,
			       char **error)
{
	size_t len;

	fc->path = kstrdup(arg, GFP_KERNEL);
	if (!fc->path) {
		*error = "Cannot allocate path";
		return -ENOMEM;
	}
	/* \040 and friends, so that paths with blanks survive libdevmapper. */
	len = string_unescape_inplace(fc->path, UNESCAPE_OCTAL);
	if (len != strlen(fc->path)) {
		*error = "Backing file path contains an escaped NUL (\\000)";
		return -EINVAL;
	}
	if (fc->path[0] != '/') {
		*error = "Backing file path must be absolute";
		return -EINVAL;
	}

	fc->table_path = fileloop_escape(fc->path, FILELOOP_PATH_ESCAPE);
	fc->ima_path = fileloop_escape(fc->path, FILELOOP_IMA_ESCAPE);
	if (!fc->table_path || !fc->ima_path) {
		*error = "Cannot allocate path";
		return -ENOMEM;
	}
	return 0;
}

static int fileloop_check_geometry(struct dm_target *ti,
				   struct fileloop_c *fc, loff_t *end_bytes)
{
	sector_t mask = (fc->block_size >> SECTOR_SHIFT) - 1;
	sector_t end;

	if (fc->offset & mask) {
		ti->error = "Offset is not a multiple of the block size";
		return -EINVAL;
	}
	if (ti->len & mask) {
		ti->error = "Target length is not a multiple of the block size";
		return -EINVAL;
	}
	if (check_add_overflow(fc->offset, ti->len, &end) ||
	    end > (sector_t)(LLONG_MAX >> SECTOR_SHIFT)) {
		ti->error = "Offset plus length overflows a file position";
		return -EINVAL;
	}
	*end_bytes = (loff_t)end << SECTOR_SHIFT;
	return 0;
}

/*
 * A file on the device being built would send every I/O back into the
 * device itself.  Caught: the file's filesystem (or the block device) is
 * this device, or a device stacked directly on it, such as dm-crypt on
 * fileloop with the filesystem on top; stacked devices register as holders
 * of ours (bd_link_disk_holder), which shows as a link named after them in
 * our holders directory.  Deeper stacks are not followed.
 */
static bool fileloop_backed_by_itself(struct dm_target *ti,
				      struct inode *inode)
{
	struct gendisk *disk = dm_disk(dm_table_get_md(ti->table));
	struct kobject *holders = disk->part0->bd_holder_dir;
	struct block_device *bdev;
	struct kernfs_node *kn;

	bdev = S_ISBLK(inode->i_mode) ? I_BDEV(inode) : inode->i_sb->s_bdev;
	if (!bdev)
		return false;
	if (bdev->bd_disk == disk)
		return true;
	if (!holders)
		return false;
	kn = kernfs_find_and_get(holders->sd, bdev->bd_disk->disk_name);
	kernfs_put(kn);
	return kn != NULL;
}

/*
 * Alignment direct I/O needs for file offsets, or 0 when the file cannot do
 * direct I/O into our bios (whose memory is only sector aligned).
 */
static unsigned int fileloop_dio_alignment(struct file *file)
{
	struct inode *inode = file->f_mapping->host;
	struct kstat st;

	if (!(file->f_mode & FMODE_CAN_ODIRECT))
		return 0;
	if (S_ISBLK(inode->i_mode))
		return bdev_logical_block_size(I_BDEV(inode));
	if (!vfs_getattr(&file->f_path, &st, STATX_DIOALIGN,
			 AT_STATX_SYNC_AS_STAT) &&
	    (st.result_mask & STATX_DIOALIGN)) {
		if (st.dio_mem_align > SECTOR_SIZE)
			return 0;
		return st.dio_offset_align;
	}
	if (inode->i_sb->s_bdev)
		return bdev_logical_block_size(inode->i_sb->s_bdev);
	return SECTOR_SIZE;
}

static int fileloop_choose_io_mode(struct dm_target *ti,
				   struct fileloop_c *fc)
{
	unsigned int align = fileloop_dio_alignment(fc->file);
	bool can_dio = align && is_power_of_2(align) &&
		       align <= fc->block_size &&
		       !(((u64)fc->offset << SECTOR_SHIFT) & (align - 1));

	if (fc->io_request == FILELOOP_IO_DIRECT && !can_dio) {
		if (!align)
			DMERR("%s: the filesystem offers no direct I/O for this file into 512-byte aligned memory",
			      fc->path);
		else
			DMERR("%s: direct I/O needs %u-byte alignment, table has block_size %u and offset %llu bytes",
			      fc->path, align, fc->block_size,
			      (unsigned long long)fc->offset << SECTOR_SHIFT);
		ti->error = "direct_io: backing file cannot do direct I/O at this block size and offset";
		return -EINVAL;
	}
	fc->use_dio = can_dio && fc->io_request != FILELOOP_IO_BUFFERED;
	fc->dio_align = can_dio ? align : SECTOR_SIZE;
	fc->nowait = fc->file->f_mode & FMODE_NOWAIT;
	return 0;
}

static char *fileloop_open_error(int err, bool read_only)
{
	switch (err) {
	case -ENOENT:
		return "Backing file does not exist";
	case -ENOTDIR:
		return "A component of the backing file path is not a directory";
	case -EISDIR:
		return "Backing file must be a regular file or a block device";
	case -EACCES:
	case -EPERM:
	case -EROFS:
	case -ETXTBSY:
		if (!read_only)
			return "Cannot open backing file for writing (load the table read-only?)";
		fallthrough;
	default:
		return "Cannot open backing file";
	}
}

/*
 * A backing block device is claimed the way dm claims every device it
 * stacks on: the claim refuses a mounted device, and the holder links
 * show the stack to lsblk and dmsetup deps.  I/O still goes through
 * fc->file.
 */
static int fileloop_claim_bdev(struct dm_target *ti, struct fileloop_c *fc,
			       struct inode *inode)
{
	int ret = dm_get_device(ti, fc->path, dm_table_get_mode(ti->table),
				&fc->dev);

	if (ret) {
		DMERR("%s: cannot claim block device: %pe", fc->path,
		      ERR_PTR(ret));
		ti->error = "Cannot claim the backing block device (mounted, or held by another driver?)";
		return ret;
	}
	/* The path is looked up twice: it must name one device both times. */
	if (fc->dev->bdev != I_BDEV(inode)) {
		ti->error = "Backing block device path changed while the table was loaded";
		return -EBUSY;
	}
	return 0;
}

/* 0 for a regular file or a block device, -EINVAL for others, or -errno. */
static int fileloop_check_type(const char *name)
{
	struct path path;
	umode_t mode;
	int ret;

	ret = kern_path(name, LOOKUP_FOLLOW, &path);
	if (ret)
		return ret;
	mode = d_inode(path.dentry)->i_mode;
	path_put(&path);
	return S_ISREG(mode) || S_ISBLK(mode) ? 0 : -EINVAL;
}

static int fileloop_open(struct dm_target *ti, struct fileloop_c *fc,
			 loff_t end_bytes)
{
	int flags = O_LARGEFILE | (fc->read_only ? O_RDONLY : O_RDWR);
	struct inode *inode;
	struct kstat st;
	loff_t size;
	int ret;

	/*
	 * Only a regular file or a block device is opened: a FIFO opened
	 * read-only waits for a writer forever, a character device may act
	 * on open.  The type is looked at first, and O_NONBLOCK and O_NOCTTY
	 * hold for a path swapped between the look and the open.
	 */
	ret = fileloop_check_type(fc->path);
	if (ret) {
		ti->error = ret == -EINVAL ?
			"Backing file must be a regular file or a block device" :
			fileloop_open_error(ret, fc->read_only);
		return ret;
	}
	/*
	 * O_NOATIME: an image's atime says nothing, and updating it would
	 * cost reads a transaction of the backing filesystem.  Only the owner
	 * or CAP_FOWNER may ask for it.
	 */
	flags |= O_NONBLOCK | O_NOCTTY;
	fc->file = filp_open(fc->path, flags | O_NOATIME, 0);
	if (PTR_ERR_OR_ZERO(fc->file) == -EPERM)
		fc->file = filp_open(fc->path, flags, 0);
	if (IS_ERR(fc->file)) {
		int ret = PTR_ERR(fc->file);

		fc->file = NULL;
		DMERR("%s: cannot open%s: %pe", fc->path,
		      fc->read_only ? "" : " for writing", ERR_PTR(ret));
		ti->error = fileloop_open_error(ret, fc->read_only);
		return ret;
	}
	/* Reported in the status, for the tool to check it mapped its file. */
	ret = vfs_getattr(&fc->file->f_path, &st, STATX_INO,
			  AT_STATX_SYNC_AS_STAT);
	if (ret) {
		ti->error = "Cannot stat backing file";
		return ret;
	}
	fc->st_dev = st.dev;
	fc->st_ino = st.ino;

	inode = fc->file->f_mapping->host;
	if (!S_ISREG(inode->i_mode) && !S_ISBLK(inode->i_mode)) {
		ti->error = "Backing file must be a regular file or a block device";
		return -EINVAL;
	}
	spin_lock(&fc->file->f_lock);
	fc->file->f_flags &= ~O_NONBLOCK;
	spin_unlock(&fc->file->f_lock);
	/* Some pseudo filesystems' files have a size but only ->read. */
	if (!fc->file->f_op->read_iter ||
	    (!fc->read_only && (!fc->file->f_op->write_iter ||
				!fc->file->f_op->fsync))) {
		ti->error = "Backing file's filesystem cannot do file I/O for a block device (no read_iter, write_iter or fsync)";
		return -EINVAL;
	}
	if (fileloop_backed_by_itself(ti, inode)) {
		ti->error = "Backing file lives on the device being built";
		return -ELOOP;
	}
	if (S_ISBLK(inode->i_mode)) {
		ret = fileloop_claim_bdev(ti, fc, inode);
		if (ret)
			return ret;
	}

	size = S_ISBLK(inode->i_mode) ? bdev_nr_bytes(I_BDEV(inode)) :
					 i_size_read(inode);
	if (size < end_bytes) {
		DMERR("%s: file is %lld bytes, table needs %lld",
		      fc->path, size, end_bytes);
		ti->error = "Backing file is smaller than offset plus length";
		return -EINVAL;
	}
	return 0;
}

/*
 * Every constructed target, so that two devices never write one file
 * behind each other's back: two page caches, or two filesystems, on one
 * image.
 */
static LIST_HEAD(fileloop_mapped);
static DEFINE_MUTEX(fileloop_mapped_lock);

static struct inode *fileloop_inode(struct fileloop_c *fc)
{
	return fc->file->f_mapping->host;
}

/*
 * A read-write range may overlap no range of the same inode that another
 * device maps, and a read-only one no read-write one, unless both are
 * shared.  Tables of one device (a reload, several segments) may.
 */
static struct fileloop_c *fileloop_find_conflict(struct fileloop_c *fc)
{
	struct fileloop_c *other;

	lockdep_assert_held(&fileloop_mapped_lock);
	list_for_each_entry(other, &fileloop_mapped, mapped) {
		if (other->md == fc->md ||
		    fileloop_inode(other) != fileloop_inode(fc) ||
		    (other->read_only && fc->read_only) ||
		    (other->shared && fc->shared))
			continue;
		if (fc->offset < other->offset + other->len &&
		    other->offset < fc->offset + fc->len)
			return other;
	}
	return NULL;
}

static int fileloop_register(struct dm_target *ti, struct fileloop_c *fc)
{
	struct fileloop_c *other;

	mutex_lock(&fileloop_mapped_lock);
	other = fileloop_find_conflict(fc);
	if (!other) {
		list_add_tail(&fc->mapped, &fileloop_mapped);
		mutex_unlock(&fileloop_mapped_lock);
		return 0;
	}
	DMERR("%s: sectors %llu-%llu already mapped %s by %s (%s)",
	      fc->path, (unsigned long long)fc->offset,
	      (unsigned long long)(fc->offset + fc->len - 1),
	      other->read_only ? "read-only" : "read-write",
	      other->dm_name, dm_device_name(other->md));
	ti->error = other->read_only ?
		"Backing file range is mapped read-only by another device: load this table read-only, or add shared to both" :
		"Backing file range is mapped read-write by another device: remove it first, or add shared to both";
	mutex_unlock(&fileloop_mapped_lock);
	return -EBUSY;
}

static void fileloop_unregister(struct fileloop_c *fc)
{
	mutex_lock(&fileloop_mapped_lock);
	list_del(&fc->mapped);
	mutex_unlock(&fileloop_mapped_lock);
}

static void fileloop_free(struct dm_target *ti, struct fileloop_c *fc)
{
	if (fc->serial_wq)
		destroy_workqueue(fc->serial_wq);
	if (fc->batch_wq)
		destroy_workqueue(fc->batch_wq);
	free_percpu(fc->batches);
	if (fc->dev)
		dm_put_device(ti, fc->dev);
	if (fc->file)
		fput(fc->file);
	kfree(fc->ima_path);
	kfree(fc->table_path);
	kfree(fc->path);
	kfree(fc);
}

static int fileloop_alloc_queues(struct dm_target *ti, struct fileloop_c *fc)
{
	const char *dev = dm_table_device_name(ti->table);
	int cpu;

	/* A batch runs on the CPU that submitted its bios. */
	fc->batch_wq = alloc_workqueue("kfileloopd/%s",
				       FILELOOP_WQ_PERCPU | WQ_MEM_RECLAIM, 0,
				       dev);
	/* The serial work runs wherever a CPU is free, as loop's worker. */
	fc->serial_wq = alloc_workqueue("kfileloopd_serial/%s",
					WQ_UNBOUND | WQ_MEM_RECLAIM, 0, dev);
	fc->batches = alloc_percpu(struct fileloop_batch);
	if (!fc->batch_wq || !fc->serial_wq || !fc->batches) {
		ti->error = "Cannot allocate workqueues";
		return -ENOMEM;
	}
	for_each_possible_cpu(cpu) {
		struct fileloop_batch *batch = per_cpu_ptr(fc->batches, cpu);

		init_llist_head(&batch->bios);
		INIT_WORK(&batch->work, fileloop_batch_work);
	}
	return 0;
}

/*
 * Construct a fileloop mapping:
 *   <path> <offset> [<#features> <feature>...]
 */
static int fileloop_ctr(struct dm_target *ti, unsigned int argc, char **argv)
{
	struct dm_arg_set as = { .argc = argc, .argv = argv };
	unsigned long long offset;
	struct fileloop_c *fc;
	loff_t end_bytes;
	int ret;

	if (argc < 2) {
		ti->error = "Invalid argument count: need <path> <offset> [<#features> <feature>...]";
		return -EINVAL;
	}

	fc = kzalloc(sizeof(*fc), GFP_KERNEL);
	if (!fc) {
		ti->error = "Cannot allocate context";
		return -ENOMEM;
	}
	init_llist_head(&fc->serial);
	INIT_WORK(&fc->serial_work, fileloop_serial_work);
	fc->md = dm_table_get_md(ti->table);
	if (dm_copy_name_and_uuid(fc->md, fc->dm_name, NULL))
		strscpy(fc->dm_name, dm_device_name(fc->md), sizeof(fc->dm_name));
	fc->len = ti->len;
	fc->block_size = SECTOR_SIZE;
	fc->read_only = !fileloop_table_writable(ti->table);

	ret = fileloop_parse_path(fc, dm_shift_arg(&as), &ti->error);
	if (ret)
		goto bad;

	ret = kstrtoull(dm_shift_arg(&as), 10, &offset);
	if (ret) {
		ti->error = "Invalid offset: need a number of 512-byte sectors";
		goto bad;
	}
	fc->offset = offset;

	ret = fileloop_parse_features(fc, &as, &ti->error);
	if (ret)
		goto bad;
	ret = fileloop_check_geometry(ti, fc, &end_bytes);
	if (ret)
		goto bad;
	ret = fileloop_open(ti, fc, end_bytes);
	if (ret)
		goto bad;
	ret = fileloop_choose_io_mode(ti, fc);
	if (ret)
		goto bad;
	ret = fileloop_alloc_queues(ti, fc);
	if (ret)
		goto bad;
	ret = fileloop_register(ti, fc);
	if (ret)
		goto bad;

	ti->num_flush_bios = 1;
	/* No underlying dm_dev tells dm we honour flushes: say so. */
	ti->flush_supported = true;
	if (!fc->no_discard && !fc->read_only && fc->file->f_op->fallocate) {
		ti->num_discard_bios = 1;
		ti->discards_supported = true;
		ti->num_write_zeroes_bios = 1;
	}
	ti->per_io_data_size = sizeof(struct fileloop_io);
	ti->private = fc;
	return 0;

bad:
	fileloop_free(ti, fc);
	return ret;
}

static void fileloop_dtr(struct dm_target *ti)
{
	struct fileloop_c *fc = ti->private;

	fileloop_unregister(fc);
	/* Destroying the queues waits for work items still returning. */
	fileloop_free(ti, fc);
}

/*
 * A suspended device's backing file is consistent on disk, for copies.
 * The fsync reports a writeback error once per open file: kept here, it
 * fails the next flush, which would otherwise succeed over the lost
 * writes.
 */
static void fileloop_postsuspend(struct dm_target *ti)
{
	struct fileloop_c *fc = ti->private;
	int ret;

	if (fc->read_only)
		return;
	ret = vfs_fsync(fc->file, 0);
	if (ret) {
		DMERR_LIMIT("%s: fsync on suspend failed: %pe; failing the next flush",
			    fc->path, ERR_PTR(ret));
		cmpxchg(&fc->flush_err, 0, ret);
	}
}

static void fileloop_status(struct dm_target *ti, status_type_t type,
			    unsigned int status_flags, char *result,
			    unsigned int maxlen)
{
	struct fileloop_c *fc = ti->private;
	struct fileloop_stats *s = &fc->stats;
	unsigned int nr_features;
	unsigned int sz = 0;

	switch (type) {
	case STATUSTYPE_INFO:
		/* FILELOOP_INFO_FIELDS, in its order. */
		DMEMIT("%s %lld %lld %lld %lld %lld %lld %lld %lld %u:%u %llu",
		       fc->use_dio ? "direct" : "buffered",
		       atomic64_read(&s->reads), atomic64_read(&s->writes),
		       atomic64_read(&s->flushes), atomic64_read(&s->fua),
		       atomic64_read(&s->discards),
		       atomic64_read(&s->write_zeroes),
		       atomic64_read(&s->errors), atomic64_read(&s->retries),
		       MAJOR(fc->st_dev), MINOR(fc->st_dev),
		       (unsigned long long)fc->st_ino);
		break;

	case STATUSTYPE_TABLE:
		DMEMIT("%s %llu", fc->table_path,
		       (unsigned long long)fc->offset);
		nr_features = (fc->io_request != FILELOOP_IO_AUTO) +
			      2 * fc->block_size_set + fc->no_discard +
			      fc->shared;
		if (!nr_features)
			break;
		DMEMIT(" %u", nr_features);
		if (fc->io_request == FILELOOP_IO_DIRECT)
			DMEMIT(" " FILELOOP_FEATURE_DIRECT_IO);
		else if (fc->io_request == FILELOOP_IO_BUFFERED)
			DMEMIT(" " FILELOOP_FEATURE_BUFFERED_IO);
		if (fc->block_size_set)
			DMEMIT(" " FILELOOP_FEATURE_BLOCK_SIZE " %u",
			       fc->block_size);
		if (fc->no_discard)
			DMEMIT(" " FILELOOP_FEATURE_NO_DISCARD);
		if (fc->shared)
			DMEMIT(" " FILELOOP_FEATURE_SHARED);
		break;

	case STATUSTYPE_IMA:
		DMEMIT_TARGET_NAME_VERSION(ti->type);
		DMEMIT(",file_name=%s,offset=%llu,io_mode=%s,block_size=%u,discard=%c,readonly=%c,shared=%c;",
		       fc->ima_path, (unsigned long long)fc->offset,
		       fc->use_dio ? "direct" : "buffered", fc->block_size,
		       ti->num_discard_bios ? 'y' : 'n',
		       fc->read_only ? 'y' : 'n', fc->shared ? 'y' : 'n');
		break;
	}
}

/*
 * There is no dm_dev underneath; reporting none lets dm-table treat the
 * target's own WRITE_ZEROES support as the device's.
 */
static int fileloop_iterate_devices(struct dm_target *ti,
				    iterate_devices_callout_fn fn, void *data)
{
	return 0;
}

static void fileloop_io_hints(struct dm_target *ti,
			      struct queue_limits *limits)
{
	struct fileloop_c *fc = ti->private;

	limits->logical_block_size = fc->block_size;
	limits->physical_block_size = fc->block_size;
	limits->io_min = fc->block_size;

	if (ti->num_discard_bios) {
		limits->discard_granularity = fc->block_size;
		limits->max_hw_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		limits->max_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		limits->max_write_zeroes_sectors = UINT_MAX >> SECTOR_SHIFT;
	} else {
		limits->max_hw_discard_sectors = 0;
		limits->max_discard_sectors = 0;
		limits->max_write_zeroes_sectors = 0;
	}
	fileloop_limits_no_wzeroes_unmap(limits);
}

static struct target_type fileloop_target = {
	.name		 = FILELOOP_TARGET_NAME,
	.version	 = {FILELOOP_VERSION_MAJOR, FILELOOP_VERSION_MINOR,
			    FILELOOP_VERSION_PATCH},
	.module		 = THIS_MODULE,
	.ctr		 = fileloop_ctr,
	.dtr		 = fileloop_dtr,
	.map		 = fileloop_map,
	.postsuspend	 = fileloop_postsuspend,
	.status		 = fileloop_status,
	.iterate_devices = fileloop_iterate_devices,
	.io_hints	 = fileloop_io_hints,
};

static int __init dm_fileloop_init(void)
{
	return dm_register_target(&fileloop_target);
}

static void __exit dm_fileloop_exit(void)
{
	dm_unregister_target(&fileloop_target);
}

module_init(dm_fileloop_init);
module_exit(dm_fileloop_exit);

MODULE_DESCRIPTION(DM_NAME " target mapping a range of a file");
MODULE_AUTHOR("fileloop developers");
MODULE_LICENSE("GPL");
