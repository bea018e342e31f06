/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rendering of fl_dev records with libsmartcols, losetup --list style:
 * columns chosen with -O, --json, --raw, --noheadings, --bytes.  This
 * writes the table to stdout (it is the command's output) and returns 0
 * or -errno; -EINVAL with *bad_column set for an unknown column name.
 */
#ifndef FL_SHOW_H
#define FL_SHOW_H

#include <stdbool.h>
#include <stddef.h>

#include "fl_list.h"

struct fl_show_flags {
	const char *columns;	/* "NAME,FILE" or "+READS" (adds); NULL: default */
	bool json, raw, noheadings, bytes;
	bool all_columns;
};

int fl_show_table(const struct fl_dev *devs, size_t n,
		  const struct fl_show_flags *fl, const char **bad_column);
/* "NAME  description" lines for --help. */
void fl_show_columns_help(FILE *out);

#endif
