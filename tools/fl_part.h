/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Partitions inside a fileloop device, as kpartx maps them: the table is
 * read by libblkid (GPT, MBR with logical partitions, the MBR of an ISO
 * hybrid image, ...), and each partition N becomes a dm-linear device
 * NAMEpN over NAME, with the dm UUID "partN-<NAME's UUID>" that marks it
 * as NAME's child (kpartx's scheme).  An extended partition maps its
 * first 1 KiB, as the kernel shows it.  0 or -errno, no output.
 */
#ifndef FL_PART_H
#define FL_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct fl_part {
	unsigned partno;
	uint64_t start, sectors;	/* 512-byte sectors into the device */
	bool extended;
};

/*
 * The partitions of the block device path, in table order; *n 0 and
 * *parts NULL when it has no partition table.  *parts is the caller's to
 * free.
 */
int fl_part_read(const char *path, struct fl_part **parts, size_t *n);

/* NAMEpN; -ENAMETOOLONG when it is no dm name. */
int fl_part_name(const char *parent, unsigned partno, char *out, size_t len);

/*
 * Map every partition of the dm device parent (read-only if asked).  On
 * failure those made are removed again; *failed (if not NULL) is the
 * number of the partition that failed.
 */
int fl_part_map(const char *parent, const struct fl_part *parts, size_t n,
		bool read_only, unsigned *failed);

/* The children of parent (dev, uuid), NULL-terminated; NULL for none. */
int fl_part_children(dev_t dev, const char *uuid, char ***names);

/*
 * Remove the children of the dm device parent; -EBUSY (with *busy, the
 * caller's to free, naming it) when one is in use: then none is removed.
 */
int fl_part_remove(const char *parent, char **busy);

#endif
