/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Moving a live device's image to another file (fileloopctl move), with
 * dm-clone: the device's fileloop table is swapped for a clone target
 * whose source is the old file (NAME-mvsrc, read-only), destination the
 * new one (NAME-mvdst) and metadata a small file beside it (NAME-mvmeta);
 * the kernel copies in the background while the device serves I/O, and
 * writes go to the new file only.  Once all is copied the device is
 * swapped to a fileloop table of the new file and the helpers go.  The
 * old file is never written once the clone table is in.
 *
 * NAME is the fileloop mapping's dm name.  Both mappings of each file
 * are marked shared while the move runs (the target refuses two devices
 * on one file otherwise); the device gets its own flag back at the end,
 * kept meanwhile in its record (fl_state.h).
 * 0 or -errno, nothing printed.
 */
#ifndef FL_MOVE_H
#define FL_MOVE_H

#include <stdbool.h>
#include <stdint.h>

#include "fl_list.h"

#define FL_MOVE_REGION		128	/* sectors: 64 KiB copied at a time */
#define FL_MOVE_META_SUFFIX	".fileloop-move"

enum fl_move_step {
	FL_MOVE_NAMES,		/* NAME too long for the helpers' names */
	FL_MOVE_TARGET,		/* no dm-clone in this kernel (-ENOENT) */
	FL_MOVE_NEW_FILE,	/* the new file (-EEXIST: it exists) */
	FL_MOVE_META_FILE,	/* the metadata file */
	FL_MOVE_SHARE,		/* marking the device's mapping shared */
	FL_MOVE_HELPER,		/* mapping a helper */
	FL_MOVE_CLONE,		/* the clone table */
	FL_MOVE_STATUS,		/* reading the clone's progress */
	FL_MOVE_SWITCH,		/* the device onto the new file */
};

struct fl_move {
	char name[128];		/* the user's: its record keeps shared */
	char dm_name[128];
	char src[128], dst[128], meta[128];	/* helper dm names */
	char *new_path, *meta_path;
	uint64_t sectors;
	bool shared;		/* the device's own shared flag */
	/* Progress, in regions of region sectors. */
	uint64_t region, hydrated, total;
	enum fl_move_step step;	/* where a call failed */
};

/*
 * Start moving d (one segment, read-write) to newfile, a file that must
 * not exist: made 0600, as long as the mapping.  On failure nothing is
 * left: device back on its table, helpers and new files gone.
 */
int fl_move_start(const struct fl_dev *d, const char *newfile,
		  struct fl_move *m);
/*
 * A move that is running on dm_name, the device the user calls name (a
 * clone table over its helpers): -ENOENT if there is none.
 */
int fl_move_find(const char *name, const char *dm_name, struct fl_move *m);
/* m->hydrated and m->total, from the clone's status. */
int fl_move_progress(struct fl_move *m);
/* All copied: the device onto the new file, the helpers removed. */
int fl_move_finish(struct fl_move *m);
void fl_move_free(struct fl_move *m);

#endif
