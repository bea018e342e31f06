/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A crash-consistent copy of a live fileloop device's image: the mapping
 * is suspended (I/O in flight finishes, the target fsyncs the file, new
 * I/O waits), the file is cloned with FICLONE, which shares its blocks
 * (xfs, btrfs: metadata only, whatever the size), or copied when asked
 * and it cannot be cloned, and the mapping is resumed.  What a
 * filesystem on the device had not written is not in the copy, as after
 * a power cut.  0 or -errno, no output.
 */
#ifndef FL_SNAPSHOT_H
#define FL_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

struct fl_snapshot {
	bool copied;		/* copied, not cloned */
	uint64_t bytes;		/* of the copy */
	uint64_t frozen_ns;	/* from the suspend to the resume */
	int resume_err;		/* the resume failed: the device is suspended */
};

/*
 * Copy file, which the fileloop mapping dm_name maps, to dest (created
 * 0600, never overwritten: -EEXIST).  -EOPNOTSUPP: it cannot be cloned
 * there (that filesystem, or two of them) and copy was not allowed.  On failure dest is removed and
 * the mapping resumed (s->resume_err if that failed too).
 */
int fl_snapshot(const char *dm_name, const char *file, const char *dest,
		bool copy, struct fl_snapshot *s);

#endif
