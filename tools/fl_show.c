// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols/libsmartcols.h>

#include "fl_show.h"
#include "fl_size.h"

enum col {
	COL_NAME, COL_FILE, COL_OFFSET, COL_SIZE, COL_RO, COL_IO, COL_BLOCK,
	COL_DISCARD, COL_LUKS, COL_MOUNT, COL_DM, COL_UUID, COL_OPEN,
	COL_READS, COL_WRITES, COL_FLUSHES, COL_FUA, COL_DISCARDS,
	COL_ZEROES, COL_ERRORS, COL_RETRIES, COL_PARTS, COL_SEGMENTS,
	COL_FILES, COL_COUNT
};

struct col_def {
	const char *name;
	double whint;
	int flags;
	int json;
	bool is_size;
	const char *help;
};

static const struct col_def cols[COL_COUNT] = {
	[COL_NAME]	= { "NAME", 0.1, 0, SCOLS_JSON_STRING, false, "device name (/dev/mapper/NAME)" },
	[COL_FILE]	= { "FILE", 0.3, 0, SCOLS_JSON_STRING, false, "backing file" },
	[COL_OFFSET]	= { "OFFSET", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "offset into the file, bytes" },
	[COL_SIZE]	= { "SIZE", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, true, "size of the file mapping" },
	[COL_RO]	= { "RO", 1, SCOLS_FL_RIGHT, SCOLS_JSON_BOOLEAN, false, "read-only mapping" },
	[COL_IO]	= { "IO", 8, 0, SCOLS_JSON_STRING, false, "I/O mode in use: direct or buffered" },
	[COL_BLOCK]	= { "BLOCK", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "logical block size" },
	[COL_DISCARD]	= { "DISCARD", 1, SCOLS_FL_RIGHT, SCOLS_JSON_BOOLEAN, false, "discard passed to the file" },
	[COL_LUKS]	= { "LUKS", 0.1, 0, SCOLS_JSON_STRING, false, "LUKS device on top" },
	[COL_MOUNT]	= { "MOUNT", 0.2, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, false, "where the top device is mounted" },
	[COL_DM]	= { "DM", 0.1, 0, SCOLS_JSON_STRING, false, "fileloop mapping name" },
	[COL_UUID]	= { "UUID", 0.1, 0, SCOLS_JSON_STRING, false, "fileloop mapping dm UUID" },
	[COL_OPEN]	= { "OPEN", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "open count of the top device" },
	[COL_READS]	= { "READS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "read requests" },
	[COL_WRITES]	= { "WRITES", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "write requests" },
	[COL_FLUSHES]	= { "FLUSHES", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "flush requests" },
	[COL_FUA]	= { "FUA", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "FUA writes" },
	[COL_DISCARDS]	= { "DISCARDS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "discard requests" },
	[COL_ZEROES]	= { "ZEROES", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "write-zeroes requests" },
	[COL_ERRORS]	= { "ERRORS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "failed requests" },
	[COL_PARTS]	= { "PARTS", 0.1, 0, SCOLS_JSON_STRING, false, "partitions mapped on it (--partscan), comma separated" },
	[COL_SEGMENTS]	= { "SEGMENTS", 3, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "table lines: ranges of files, back to back" },
	[COL_FILES]	= { "FILES", 0.3, 0, SCOLS_JSON_STRING, false, "the file of each segment, in order, comma separated" },
	[COL_RETRIES]	= { "RETRIES", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, false, "direct requests the filesystem made wait, redone by a worker" },
};

static const enum col default_cols[] = {
	COL_NAME, COL_FILE, COL_OFFSET, COL_SIZE, COL_RO, COL_IO, COL_BLOCK,
	COL_LUKS, COL_MOUNT, COL_PARTS,
};

void fl_show_columns_help(FILE *out)
{
	int i;

	for (i = 0; i < COL_COUNT; i++)
		fprintf(out, "  %-9s %s\n", cols[i].name, cols[i].help);
}

static int find_col(const char *name, size_t len)
{
	int i;

	for (i = 0; i < COL_COUNT; i++)
		if (strlen(cols[i].name) == len &&
		    !strncasecmp(cols[i].name, name, len))
			return i;
	return -1;
}

/* Resolve the -O list into col ids; "+A,B" appends to the defaults. */
static int pick_columns(const struct fl_show_flags *fl, int *ids, size_t *n,
			const char **bad)
{
	const char *s = fl->columns, *end;
	size_t i;

	*n = 0;
	if (fl->all_columns) {
		for (i = 0; i < COL_COUNT; i++)
			ids[(*n)++] = (int)i;
		return 0;
	}
	if (!s || *s == '+') {
		for (i = 0; i < sizeof(default_cols) / sizeof(*default_cols); i++)
			ids[(*n)++] = default_cols[i];
		if (!s)
			return 0;
		s++;
	}
	while (*s) {
		int id;

		end = strchrnul(s, ',');
		id = find_col(s, (size_t)(end - s));
		if (id < 0 || *n >= COL_COUNT * 2) {
			*bad = s;
			return -EINVAL;
		}
		ids[(*n)++] = id;
		s = *end ? end + 1 : end;
	}
	if (!*n) {
		*bad = fl->columns;
		return -EINVAL;
	}
	return 0;
}

/* "a,b,c" */
static char *join(char *const *v)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; v[i]; i++)
		len += strlen(v[i]) + 1;
	s = calloc(1, len);
	for (i = 0; s && v[i]; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, v[i]);
	}
	return s;
}

static char *segment_files(const struct fl_dev *d)
{
	char **v = calloc(d->segments + 1, sizeof(*v)), *s;
	unsigned i;

	if (!v)
		return NULL;
	for (i = 0; i < d->segments; i++)
		v[i] = d->segs[i].params.path;
	s = join(v);
	free(v);
	return s;
}

static char *cell(const struct fl_dev *d, enum col c, bool bytes)
{
	const struct fl_stats *st = &d->stats;
	uint64_t v;
	char *s = NULL;

	switch (c) {
	case COL_NAME:
		return strdup(d->name);
	case COL_FILE:
		return strdup(d->params.path);
	case COL_OFFSET:
		v = d->params.offset * FL_SECTOR;
		break;
	case COL_SIZE:
		v = d->sectors * FL_SECTOR;
		if (!bytes) {
			char h[32];

			return strdup(fl_size_human(v, h, sizeof(h)));
		}
		break;
	case COL_RO:
		return strdup(d->read_only ? "1" : "0");
	case COL_IO:
		return strdup(d->have_stats ? fl_io_mode_name(st->io) :
			      fl_io_mode_name(d->params.io));
	case COL_BLOCK:
		v = d->params.block_size ? d->params.block_size : FL_SECTOR;
		break;
	case COL_DISCARD:
		return strdup(d->params.no_discard ? "0" : "1");
	case COL_LUKS:
		return d->luks ? strdup(d->luks) : NULL;
	case COL_MOUNT:
		return d->mount ? strdup(d->mount) : NULL;
	case COL_PARTS:
		return d->parts ? join(d->parts) : NULL;
	case COL_SEGMENTS:
		v = d->segments;
		break;
	case COL_FILES:
		return segment_files(d);
	case COL_DM:
		return strdup(d->dm_name);
	case COL_UUID:
		return d->uuid && *d->uuid ? strdup(d->uuid) : NULL;
	case COL_OPEN:
		v = (uint64_t)(d->top_open_count > 0 ? d->top_open_count : 0);
		break;
	case COL_READS:		v = st->reads; break;
	case COL_WRITES:	v = st->writes; break;
	case COL_FLUSHES:	v = st->flushes; break;
	case COL_FUA:		v = st->fua; break;
	case COL_DISCARDS:	v = st->discards; break;
	case COL_ZEROES:	v = st->write_zeroes; break;
	case COL_ERRORS:	v = st->errors; break;
	case COL_RETRIES:	v = st->retries; break;
	default:
		return NULL;
	}
	if (c >= COL_READS && !d->have_stats)
		return NULL;
	if (asprintf(&s, "%" PRIu64, v) < 0)
		return NULL;
	return s;
}

int fl_show_table(const struct fl_dev *devs, size_t n,
		  const struct fl_show_flags *fl, const char **bad_column)
{
	struct libscols_table *tb;
	int ids[COL_COUNT * 2];
	size_t ncols, i, j;
	bool bytes = fl->bytes || fl->json;
	int r;

	r = pick_columns(fl, ids, &ncols, bad_column);
	if (r)
		return r;
	scols_init_debug(0);
	tb = scols_new_table();
	if (!tb)
		return -ENOMEM;
	scols_table_enable_json(tb, fl->json);
	scols_table_enable_raw(tb, fl->raw);
	scols_table_enable_noheadings(tb, fl->noheadings);
	scols_table_set_name(tb, "fileloop");

	r = -ENOMEM;
	for (i = 0; i < ncols; i++) {
		const struct col_def *cd = &cols[ids[i]];
		struct libscols_column *cl;

		cl = scols_table_new_column(tb, cd->name, cd->whint, cd->flags);
		if (!cl)
			goto out;
		/* Human sizes are strings; --json always gives bytes. */
		if (cd->json != SCOLS_JSON_NUMBER || !cd->is_size || bytes)
			scols_column_set_json_type(cl, cd->json);
	}
	for (j = 0; j < n; j++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln)
			goto out;
		for (i = 0; i < ncols; i++) {
			char *data = cell(&devs[j], ids[i], bytes);

			/* refer: the line owns data (NULL: empty cell). */
			if (data && scols_line_refer_data(ln, i, data)) {
				free(data);
				goto out;
			}
		}
	}
	r = scols_print_table(tb) ? -EIO : 0;
out:
	scols_unref_table(tb);
	return r;
}
