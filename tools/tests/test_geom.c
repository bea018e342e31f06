// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_geom: the sectors a mapping gets, LUKS's room, resize's verdicts. */
#include <stdint.h>

#include "fl_geom.h"
#include "tap.h"

#define MiB	(1ULL << 20)

static void sectors(uint64_t size, uint64_t off, uint64_t limit, unsigned bs,
		    uint64_t want, const char *what)
{
	uint64_t s = 12345;

	is_int(fl_geom_sectors(size, off, limit, bs, &s), FL_GEOM_OK,
	       "%s: maps", what);
	is_u64(s, want, "%s: %" PRIu64 " sectors", what, want);
}

static void refused(uint64_t size, uint64_t off, uint64_t limit, unsigned bs,
		    enum fl_geom_verdict want, const char *what)
{
	uint64_t s = 12345;

	is_int(fl_geom_sectors(size, off, limit, bs, &s), want,
	       "%s: refused", what);
	is_u64(s, 12345, "%s: sectors left alone", what);
}

/* A plain 64 MiB file mapped whole, 512-byte blocks, read-write. */
static struct fl_resize_in base(void)
{
	struct fl_resize_in in = {
		.segments = 1,
		.old_size = 64 * MiB,
		.regular = true,
		.sectors = 64 * MiB / 512,
	};
	return in;
}

static void verdict(const struct fl_resize_in *in,
		    enum fl_resize_verdict want, const char *what)
{
	struct fl_resize_plan plan;

	is_int(fl_resize_plan(in, &plan), want, "resize: %s", what);
}

int main(void)
{
	struct fl_resize_plan plan;
	struct fl_resize_in in;

	/* fl_geom_sectors */
	sectors(MiB, 0, 0, 0, 2048, "whole 1 MiB file");
	sectors(MiB, 4096, 0, 0, 2040, "after a 4 KiB offset");
	sectors(MiB, 0, 65536, 0, 128, "--sizelimit 64 KiB");
	sectors(MiB, 512, MiB - 512, 0, 2047, "offset + sizelimit = file");
	sectors(MiB + 1000, 0, 0, 0, 2049, "a partial sector is dropped");
	sectors(MiB + 1000, 0, 0, 4096, 2048, "rounded down to 4 KiB blocks");
	sectors(10000, 0, 0, 4096, 16, "two 4 KiB blocks of 10000 bytes");
	sectors(UINT64_MAX, 0, 0, 0, UINT64_MAX / 512, "the largest file");
	refused(MiB, MiB, 0, 0, FL_GEOM_OFFSET, "offset at the end");
	refused(MiB, 2 * MiB, 0, 0, FL_GEOM_OFFSET, "offset past the end");
	refused(0, 0, 0, 0, FL_GEOM_OFFSET, "empty file");
	refused(MiB, 512, MiB, 0, FL_GEOM_SIZELIMIT, "offset + sizelimit past the end");
	refused(MiB, 0, MiB + 512, 0, FL_GEOM_SIZELIMIT, "sizelimit past the end");
	refused(MiB, 0, UINT64_MAX, 0, FL_GEOM_SIZELIMIT, "sizelimit of 2^64-1 (no overflow)");
	refused(4095, 0, 0, 4096, FL_GEOM_EMPTY, "less than one 4 KiB block");
	refused(511, 0, 0, 0, FL_GEOM_EMPTY, "less than one sector");
	refused(MiB, MiB - 100, 0, 0, FL_GEOM_EMPTY, "100 bytes after the offset");

	/* fl_geom_luks_fits */
	ok(fl_geom_luks_fits(FL_LUKS_MIN_BYTES / 512), "17 MiB fits LUKS2");
	ok(!fl_geom_luks_fits(FL_LUKS_MIN_BYTES / 512 - 1),
	   "a sector less does not");
	ok(!fl_geom_luks_fits(0), "nothing does not");

	/* fl_resize_precheck: in the order resize reports them */
	in = base();
	is_int(fl_resize_precheck(&in), FL_RESIZE_OK, "precheck: plain file");
	in.segments = 2;
	is_int(fl_resize_precheck(&in), FL_RESIZE_OK,
	       "precheck: several segments, the last to its file's end");
	in.sizelimit = true;
	in.last_short = true;
	in.foreign_luks = true;
	is_int(fl_resize_precheck(&in), FL_RESIZE_SIZELIMIT,
	       "precheck: --sizelimit first");
	in.sizelimit = false;
	is_int(fl_resize_precheck(&in), FL_RESIZE_SEGMENTS,
	       "precheck: then a last segment that ends before its file");
	in.last_short = false;
	is_int(fl_resize_precheck(&in), FL_RESIZE_FOREIGN_LUKS,
	       "precheck: then someone else's LUKS");

	/* fl_resize_plan */
	in = base();
	is_int(fl_resize_plan(&in, &plan), FL_RESIZE_OK,
	       "no --size: to the file's size");
	is_u64(plan.new_size, 64 * MiB, "file keeps its size");
	ok(!plan.grow_file, "file does not grow");
	is_u64(plan.sectors, 64 * MiB / 512, "same length");

	in.size_given = true;
	in.size = 128 * MiB;
	is_int(fl_resize_plan(&in, &plan), FL_RESIZE_OK, "--size 128M");
	ok(plan.grow_file, "file grows");
	is_u64(plan.new_size, 128 * MiB, "to 128 MiB");
	is_u64(plan.sectors, 128 * MiB / 512, "mapping of 128 MiB");

	in.offset = MiB;
	in.sectors = 63 * MiB / 512;
	is_int(fl_resize_plan(&in, &plan), FL_RESIZE_OK, "with an offset");
	is_u64(plan.sectors, 127 * MiB / 512, "mapping ends at the file's end");

	in = base();
	in.size_given = true;
	in.size = 64 * MiB + 1000;
	in.block_size = 4096;
	is_int(fl_resize_plan(&in, &plan), FL_RESIZE_OK,
	       "a size not a multiple of the block");
	is_u64(plan.sectors, 64 * MiB / 512, "rounds down to whole blocks");

	in = base();
	in.size_given = true;
	in.size = 32 * MiB;
	verdict(&in, FL_RESIZE_SHRINK_FILE, "smaller than the file: refused");
	in.size = 128 * MiB;
	in.regular = false;
	verdict(&in, FL_RESIZE_NOT_FILE, "a block device cannot grow");
	in.size = 64 * MiB;
	verdict(&in, FL_RESIZE_OK,
		"a block device at its own size: a reload only");
	in = base();
	in.size_given = true;
	in.size = 128 * MiB;
	in.read_only = true;
	verdict(&in, FL_RESIZE_READ_ONLY, "a read-only mapping cannot grow");
	in.size = 64 * MiB;
	verdict(&in, FL_RESIZE_OK, "read-only at the same size: fine");

	in = base();
	in.offset = 64 * MiB;
	is_int(fl_resize_plan(&in, &plan), FL_RESIZE_GEOMETRY,
	       "offset at the end: geometry");
	is_int(plan.geom, FL_GEOM_OFFSET, "says which");

	in = base();
	in.sectors = 64 * MiB / 512 + 8;	/* mapped longer than the file now */
	verdict(&in, FL_RESIZE_SHRINK_MAP, "a shorter mapping: refused");

	in = base();
	in.foreign_luks = true;
	in.size_given = true;
	in.size = 32 * MiB;
	verdict(&in, FL_RESIZE_FOREIGN_LUKS, "plan runs the prechecks first");
	return done_testing();
}
