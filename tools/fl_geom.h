/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Size policy of a fileloop mapping, as pure functions of numbers: how many
 * sectors a mapping of a file gets, whether LUKS fits in it, and whether a
 * resize may go ahead.  No system calls, so all of it is unit-tested; the
 * device layer (fl_device.h) gathers the numbers and acts on the verdicts.
 */
#ifndef FL_GEOM_H
#define FL_GEOM_H

#include <stdbool.h>
#include <stdint.h>

/* A LUKS2 container: its 16 MiB header and at least 1 MiB of data. */
#define FL_LUKS_MIN_BYTES	(17ULL << 20)

enum fl_geom_verdict {
	FL_GEOM_OK,
	FL_GEOM_OFFSET,		/* offset at or past the end of the file */
	FL_GEOM_SIZELIMIT,	/* offset + sizelimit past the end */
	FL_GEOM_EMPTY,		/* less than one logical block is left */
};

/*
 * Sectors a mapping of a file of file_size bytes gets: sizelimit bytes
 * (0: up to the end of the file) from offset bytes on, rounded down to the
 * logical block size (0: 512).  *sectors is set only for FL_GEOM_OK.
 */
enum fl_geom_verdict fl_geom_sectors(uint64_t file_size, uint64_t offset,
				     uint64_t sizelimit, unsigned block_size,
				     uint64_t *sectors);

/* Is a mapping of this many sectors big enough for LUKS2? */
bool fl_geom_luks_fits(uint64_t sectors);

/* What resize knows about a device before it touches anything. */
struct fl_resize_in {
	bool sizelimit;		/* it was mapped with --sizelimit */
	unsigned segments;	/* of its table: resize grows the last */
	bool last_short;	/* which ends before its file does */
	bool foreign_luks;	/* someone else's LUKS sits on it */
	uint64_t old_size;	/* bytes of the file (or block device) now */
	bool size_given;	/* a new size was asked for... */
	uint64_t size;		/* ...this one */
	bool regular;		/* the backing is a regular file */
	bool read_only;		/* the mapping is */
	uint64_t offset;	/* bytes into the file */
	unsigned block_size;	/* of the mapping, 0: 512 */
	uint64_t sectors;	/* length of the mapping now */
};

enum fl_resize_verdict {
	FL_RESIZE_OK,
	FL_RESIZE_SIZELIMIT,	/* would map past the user's --sizelimit */
	FL_RESIZE_SEGMENTS,	/* the last of several segments ends before
				 * its file: it was given a SIZE */
	FL_RESIZE_FOREIGN_LUKS,	/* resize that one with cryptsetup */
	FL_RESIZE_SHRINK_FILE,	/* new size below the file's */
	FL_RESIZE_NOT_FILE,	/* only a regular file can grow */
	FL_RESIZE_READ_ONLY,	/* a read-only mapping cannot grow */
	FL_RESIZE_GEOMETRY,	/* fl_geom_sectors() said no: see geom */
	FL_RESIZE_SHRINK_MAP,	/* the new mapping would be shorter */
};

struct fl_resize_plan {
	uint64_t new_size;	/* bytes the file will have */
	uint64_t sectors;	/* of the new mapping */
	bool grow_file;		/* new_size > old_size */
	enum fl_geom_verdict geom;
};

/*
 * The checks that need only the device's table and record (the first
 * three verdicts); resize asks them before it looks at the file.
 */
enum fl_resize_verdict fl_resize_precheck(const struct fl_resize_in *in);
/* All the checks; on FL_RESIZE_OK, *plan says what to do. */
enum fl_resize_verdict fl_resize_plan(const struct fl_resize_in *in,
				      struct fl_resize_plan *plan);

#endif
