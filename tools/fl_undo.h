/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unwind bookkeeping: what a build made, taken down in reverse order on
 * failure, and what could not be taken down, logged for the caller to
 * report.  The operations are a table so tests can run the unwinding
 * against fakes.  0 or -errno, no output.
 */
#ifndef FL_UNDO_H
#define FL_UNDO_H

#include <stdbool.h>
#include <stdint.h>

/* The further files (--file) a create makes, at most. */
#define FL_UNDO_FILES	15

/* What a build made, for unwinding. */
struct fl_undo {
	const char *name;	/* the user's name: its record, its LUKS */
	const char *map_name;	/* the fileloop mapping */
	const char *unlink_path; /* a file this build created */
	const char *unlink_more[FL_UNDO_FILES];	/* further ones it made */
	unsigned n_more;
	bool mapped, opened, mounted;
};

/* Cleanups that can fail, for the caller's messages. */
enum fl_undo_op {
	FL_UNDO_LUKS_CLOSE,	/* object: LUKS name */
	FL_UNDO_REMOVE,		/* object: mapping */
	FL_UNDO_UNLINK,		/* object: file */
	FL_UNDO_RELOAD,		/* object: mapping, its old table */
	FL_UNDO_SHRINK,		/* object: file, value: its old size */
	FL_UNDO_REMOUNT,	/* object: device, mount: where */
};

struct fl_undo_fail {
	enum fl_undo_op op;
	int err;
	const char *object;
	const char *mount;
	uint64_t value;
};

#define FL_UNDO_MAX	4
struct fl_undo_log {
	struct fl_undo_fail fail[FL_UNDO_MAX];
	unsigned n;
};

/* The entry added, for more detail; NULL when the log is full. */
struct fl_undo_fail *fl_undo_log_add(struct fl_undo_log *log,
				     enum fl_undo_op op, int err,
				     const char *object);

struct fl_undo_ops {
	/* Unmount what NAME's record says was mounted; best effort. */
	void (*umount_recorded)(const char *name);
	int (*forget)(const char *name);	/* NAME's record */
	int (*luks_close)(const char *name);
	int (*dm_remove)(const char *name);
	int (*unlink)(const char *path);
};

/* The real system's operations. */
extern const struct fl_undo_ops fl_undo_system;

/*
 * Take down what u records, in reverse order of building: mount, record,
 * LUKS, mapping, file.  Failures go to log; the rest is still tried.
 */
void fl_undo_run(const struct fl_undo *u, const struct fl_undo_ops *ops,
		 struct fl_undo_log *log);

#endif
