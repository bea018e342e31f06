// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The verbs that only look: list (every device), status (one), table (the
 * line dmsetup would take for a file).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fl_list.h"
#include "fl_show.h"
#include "fl_size.h"

static void show_flags(const struct fl_opts *o, struct fl_show_flags *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->columns = o->columns;
	fl->json = fl_opt_set(o, OPT_JSON);
	fl->raw = fl_opt_set(o, OPT_RAW);
	fl->noheadings = fl_opt_set(o, OPT_NOHEADINGS);
	fl->bytes = fl_opt_set(o, OPT_BYTES);
}

static int show(const struct fl_dev *devs, size_t n, struct fl_show_flags *fl)
{
	const char *bad = NULL;
	int r;

	r = fl_show_table(devs, n, fl, &bad);
	if (r == -EINVAL && bad) {
		cmd_msg("unknown column in '%s' (see fileloopctl list --help)",
			bad);
		return FL_EXIT_USAGE;
	}
	if (r)
		return cmd_fail(r, "cannot print the table");
	return 0;
}

int cmd_list(const struct fl_opts *o)
{
	struct fl_show_flags fl;
	struct fl_dev *devs;
	size_t n;
	int r, ex;

	r = fl_list_all(&devs, &n);
	if (r)
		return cmd_fail(r, "cannot list devices");
	show_flags(o, &fl);
	/*
	 * Like losetup --list, nothing at all when nothing is mapped (but
	 * still validate -O, so a typo is caught before there are devices).
	 */
	if (!n && !fl.json)
		fl.noheadings = true;
	ex = show(devs, n, &fl);
	fl_devs_free(devs, n);
	return ex;
}

/* Each range of a device that spans files, after the first's fields. */
static void segments_text(const struct fl_dev *d)
{
	uint64_t start = 0;
	char sz[32];
	unsigned i;

	printf("  segments:   %u\n", d->segments);
	for (i = 0; i < d->segments; i++) {
		const struct fl_segment *g = &d->segs[i];

		printf("    %u: %s, offset %" PRIu64 " bytes, %s (%" PRIu64
		       " bytes) at byte %" PRIu64 "\n", i, g->params.path,
		       g->params.offset * FL_SECTOR,
		       fl_size_human(g->sectors * FL_SECTOR, sz, sizeof(sz)),
		       g->sectors * FL_SECTOR, start * FL_SECTOR);
		start += g->sectors;
	}
}

/* cryptsetup status layout: a headline, then aligned fields. */
static void status_text(const struct fl_dev *d)
{
	char sz[32], tsz[32];

	printf("/dev/mapper/%s is active%s.\n", d->name,
	       d->top_open_count > 0 ? " and is in use" : "");
	printf("  type:       %s\n", d->luks ? "fileloop + LUKS" : "fileloop");
	printf("  file:       %s\n", d->params.path);
	printf("  offset:     %" PRIu64 " bytes\n", d->params.offset * FL_SECTOR);
	printf("  size:       %s (%" PRIu64 " bytes)\n",
	       fl_size_human(d->sectors * FL_SECTOR, sz, sizeof(sz)),
	       d->sectors * FL_SECTOR);
	printf("  mode:       %s\n", d->read_only ? "read-only" : "read/write");
	printf("  io:         %s\n", d->have_stats ? fl_io_mode_name(d->stats.io) :
					       fl_io_mode_name(d->params.io));
	printf("  block size: %u\n", d->params.block_size ?
	       d->params.block_size : FL_SECTOR);
	printf("  discard:    %s\n", d->params.no_discard ? "off" : "on");
	if (d->params.shared)
		printf("  shared:     yes: other devices may map the file\n");
	printf("  mapping:    %s (%s)\n", d->dm_name, d->uuid);
	if (d->segments > 1)
		segments_text(d);
	if (d->luks)
		printf("  luks:       %s, %s (see cryptsetup status %s)\n", d->luks,
		       fl_size_human(d->top_sectors * FL_SECTOR, tsz, sizeof(tsz)),
		       d->luks);
	printf("  mounted:    %s\n", d->mount ? d->mount : "no");
	if (d->have_stats)
		printf("  requests:   %" PRIu64 " reads, %" PRIu64 " writes, %"
		       PRIu64 " flushes, %" PRIu64 " fua, %" PRIu64
		       " discards, %" PRIu64 " write-zeroes, %" PRIu64
		       " errors, %" PRIu64 " retries\n", d->stats.reads,
		       d->stats.writes, d->stats.flushes, d->stats.fua,
		       d->stats.discards, d->stats.write_zeroes, d->stats.errors,
		       d->stats.retries);
}

int cmd_status(const struct fl_opts *o)
{
	struct fl_device_params p = { .name = o->args[0] };
	struct fl_show_flags fl;
	struct fl_device dev;
	int ex;

	fl_device_init(&dev, &p);
	ex = cmd_find(&dev, p.name);
	if (ex)
		goto out;
	show_flags(o, &fl);
	if (fl.json || o->columns) {
		fl.all_columns = !o->columns;
		ex = show(&dev.found, 1, &fl);
	} else {
		status_text(&dev.found);
	}
out:
	fl_device_free(&dev);
	return ex;
}

int cmd_table(const struct fl_opts *o)
{
	struct fl_params p = o->map;
	uint64_t size, sectors;
	enum fl_geom_verdict v;
	char *path, *line;
	int r, ex = 0;

	path = realpath(o->args[0], NULL);
	if (!path)
		return cmd_fail(-errno, "%s", o->args[0]);
	r = fl_backing_size(path, &size, NULL);
	if (r) {
		ex = r == -EMEDIUMTYPE ?
		     (cmd_msg("%s is not a regular file or block device", path),
		      FL_EXIT_USAGE) : cmd_fail(r, "%s", path);
		goto out;
	}
	v = fl_geom_sectors(size, o->offset, o->sizelimit, p.block_size,
			    &sectors);
	if (v != FL_GEOM_OK) {
		ex = cmd_geom_msg(v, path, size, o->offset, o->sizelimit,
				  p.block_size);
		goto out;
	}
	p.path = path;
	r = fl_table_line(sectors, &p, &line);
	if (r) {
		ex = cmd_fail(r, "cannot build the table line");
		goto out;
	}
	printf("%s\n", line);
	free(line);
out:
	free(path);
	return ex;
}
