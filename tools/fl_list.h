/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is mapped: every device-mapper device whose (first) target is
 * fileloop, with its table, counters, the LUKS layer on top of it and
 * where that is mounted.  Gathering only, 0 or -errno, no output; the CLI
 * renders it (fl_show.c).
 */
#ifndef FL_LIST_H
#define FL_LIST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fl_table.h"

/* fileloopctl's derived name for the file layer under a LUKS device. */
#define FL_FILE_SUFFIX	"-file"

/* One line of a fileloop table: a range of one file. */
struct fl_segment {
	struct fl_params params;
	uint64_t sectors;
	struct fl_stats stats;	/* its own; fl_dev's adds them all up */
	bool have_stats;
};

struct fl_dev {
	char *name;		/* what the user says: the LUKS name if ours */
	char *dm_name;		/* the fileloop mapping */
	char *luks;		/* LUKS mapping on top, or NULL */
	char *top;		/* luks ?: dm_name: what gets mounted */
	char *uuid;		/* of the fileloop mapping */
	struct fl_params params;
	uint64_t sectors;	/* length of the whole fileloop mapping */
	uint64_t top_sectors;	/* of the top device */
	unsigned segments;
	struct fl_segment *segs;	/* all of them, params the first's */
	bool read_only;
	int open_count;		/* of the fileloop mapping */
	int top_open_count;
	dev_t devno, top_devno;
	struct fl_stats stats;
	bool have_stats;
	char *mount;		/* first mount point of top, or NULL */
	char **parts;		/* partitions mapped on top (fl_part.h) */
};

int fl_list_all(struct fl_dev **devs, size_t *n);
/*
 * One device by the name the user gives: the fileloopctl name or the
 * fileloop mapping's own name.  -ENODEV if there is none, -EMEDIUMTYPE if
 * the name is a dm device but not a fileloop one.
 */
int fl_list_one(const char *name, struct fl_dev *dev);
void fl_dev_free(struct fl_dev *dev);
void fl_devs_free(struct fl_dev *devs, size_t n);

/* name + FL_FILE_SUFFIX, or NULL when out of memory / too long. */
char *fl_file_layer_name(const char *name);

#endif
