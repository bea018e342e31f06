/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared inside the device layer (fl_device*.c) only. */
#ifndef FL_DEVICE_INT_H
#define FL_DEVICE_INT_H

#include "fl_device.h"
#include "fl_dm.h"

/* Record why dev's call failed; returns err. */
int fl_device_fail(struct fl_device *dev, enum fl_step step, int err,
		   const char *object);
void fl_device_note(const struct fl_device *dev, enum fl_event ev);
bool fl_same_file(const struct fl_stats *s, const struct stat *st);
/*
 * The table of d as it is, one line per segment, with room for one more
 * line after them; free with fl_device_lines_free().
 */
int fl_device_lines(const struct fl_dev *d, struct fl_dm_line **lines,
		    char ***texts);
void fl_device_lines_free(const struct fl_dev *d, struct fl_dm_line *lines,
			  char **texts);
/* -EBUSY (FL_STEP_IN_USE, holder in dev->err) when a mapping uses st. */
int fl_device_check_not_mapped(struct fl_device *dev, const struct stat *st);

#endif
