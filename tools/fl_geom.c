// SPDX-License-Identifier: GPL-2.0-or-later
/* Size policy of a mapping: pure functions, see fl_geom.h. */
#include "fl_geom.h"
#include "fl_table.h"

enum fl_geom_verdict fl_geom_sectors(uint64_t file_size, uint64_t offset,
				     uint64_t sizelimit, unsigned block_size,
				     uint64_t *sectors)
{
	unsigned bs = block_size ? block_size : FL_SECTOR;
	uint64_t len;

	if (offset >= file_size)
		return FL_GEOM_OFFSET;
	if (sizelimit && sizelimit > file_size - offset)
		return FL_GEOM_SIZELIMIT;
	len = sizelimit ? sizelimit : file_size - offset;
	len -= len % bs;
	if (!len)
		return FL_GEOM_EMPTY;
	*sectors = len / FL_SECTOR;
	return FL_GEOM_OK;
}

bool fl_geom_luks_fits(uint64_t sectors)
{
	return sectors * FL_SECTOR >= FL_LUKS_MIN_BYTES;
}

enum fl_resize_verdict fl_resize_precheck(const struct fl_resize_in *in)
{
	/*
	 * Mapped with --sizelimit: it ends where the user said, and the
	 * rest of the file may be someone else's (the next partition).
	 */
	if (in->sizelimit)
		return FL_RESIZE_SIZELIMIT;
	if (in->last_short)
		return FL_RESIZE_SEGMENTS;
	if (in->foreign_luks)
		return FL_RESIZE_FOREIGN_LUKS;
	return FL_RESIZE_OK;
}

enum fl_resize_verdict fl_resize_plan(const struct fl_resize_in *in,
				      struct fl_resize_plan *plan)
{
	enum fl_resize_verdict v = fl_resize_precheck(in);

	if (v != FL_RESIZE_OK)
		return v;
	plan->new_size = in->size_given ? in->size : in->old_size;
	plan->grow_file = plan->new_size > in->old_size;
	plan->geom = FL_GEOM_OK;
	plan->sectors = 0;
	if (plan->new_size < in->old_size)
		return FL_RESIZE_SHRINK_FILE;
	if (plan->grow_file && !in->regular)
		return FL_RESIZE_NOT_FILE;
	if (plan->grow_file && in->read_only)
		return FL_RESIZE_READ_ONLY;
	/* The new table: same parameters, length up to the new end. */
	plan->geom = fl_geom_sectors(plan->new_size, in->offset, 0,
				     in->block_size, &plan->sectors);
	if (plan->geom != FL_GEOM_OK)
		return FL_RESIZE_GEOMETRY;
	if (plan->sectors < in->sectors)
		return FL_RESIZE_SHRINK_MAP;
	return FL_RESIZE_OK;
}
