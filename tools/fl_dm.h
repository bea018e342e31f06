/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device-mapper layer of fileloopctl: create, reload, remove and query
 * mappings through libdevmapper.  Every function returns 0 or -errno and
 * prints nothing; libdevmapper's own log goes wherever the caller pointed
 * dm_log_with_errno_init().
 *
 * udev: every task that makes or removes a node carries a udev cookie when
 * libdevmapper has udev sync support, and is waited for; without udev (no
 * daemon, or DM_DISABLE_UDEV=1) libdevmapper makes the /dev/mapper nodes
 * itself and dm_task_update_nodes() flushes them before we return, so the
 * node exists when the caller goes on to use it.
 */
#ifndef FL_DM_H
#define FL_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FL_UUID_PREFIX	"FILELOOP-"

struct fl_dm_info {
	bool exists;
	bool read_only;
	bool suspended;
	int open_count;
	unsigned major, minor;
	unsigned targets;
	char uuid[130];
};

struct fl_dm_target {
	uint64_t length;	/* sectors, of the first target */
	uint64_t total;		/* sectors, the whole device */
	unsigned count;
	char *type;		/* of the first target */
	char *params;		/* of the first target */
	uint64_t *lengths;	/* of each of the count targets */
	char **all;		/* the params of each */
};

/* One line of a table, its start where the line before it ends. */
struct fl_dm_line {
	uint64_t length;	/* sectors */
	const char *params;
};

/* 0 when the kernel's device-mapper answers, else -ENODEV. */
int fl_dm_available(void);

/*
 * The version of a target type, the kernel loading its module first if
 * need be (as a table naming it would); -ENOENT when it has no such
 * target.
 */
int fl_dm_target_version(const char *target, unsigned version[3]);

/*
 * Route libdevmapper's log to fn at this verbosity, and put that back
 * after libcryptsetup, which takes the log over while it holds a context
 * and resets it to libdevmapper's default when it lets go.
 */
typedef void (*fl_dm_log_fn)(int level, const char *file, int line,
			     int dm_errno, const char *f, ...)
	__attribute__((format(printf, 5, 6)));
void fl_dm_set_log(fl_dm_log_fn fn, int verbose);
void fl_dm_log_restore(void);

/* One target "0 sectors fileloop params"; -EEXIST if name is taken. */
int fl_dm_create(const char *name, const char *uuid, uint64_t sectors,
		 const char *params, bool read_only);
/* The same with a target of another type (dm-linear for partitions). */
int fl_dm_create_target(const char *name, const char *uuid, uint64_t sectors,
			const char *type, const char *params, bool read_only);
/* n fileloop lines, back to back. */
int fl_dm_create_lines(const char *name, const char *uuid,
		       const struct fl_dm_line *lines, size_t n,
		       bool read_only);
/* Load a new single-target table and resume it (atomic swap). */
int fl_dm_reload(const char *name, uint64_t sectors, const char *params,
		 bool read_only);
int fl_dm_reload_lines(const char *name, const struct fl_dm_line *lines,
		       size_t n, bool read_only);
/* The same with a target of another type (dm-clone, for a move). */
int fl_dm_reload_target(const char *name, uint64_t sectors, const char *type,
			const char *params, bool read_only);
/*
 * Suspend: I/O to name waits until the resume; what was in flight is
 * done first, and the fileloop target fsyncs its file.
 */
int fl_dm_suspend(const char *name);
int fl_dm_resume(const char *name);
/* -EBUSY when open; retry covers udev's transient opens. */
int fl_dm_remove(const char *name);

/* info->exists is false (and 0 returned) for a name that is not mapped. */
int fl_dm_info(const char *name, struct fl_dm_info *info);
/* The TABLE (status == false) or INFO status (true) of a device. */
int fl_dm_table(const char *name, bool status, struct fl_dm_target *t);
void fl_dm_target_free(struct fl_dm_target *t);

/* All mapped device names, NULL-terminated; free with fl_strv_free. */
int fl_dm_names(char ***names);

/* The devices a mapping sits on (DM_DEVICE_DEPS); at most max. */
int fl_dm_deps(const char *name, dev_t *devs, unsigned max, unsigned *n);
/*
 * The dm devices that sit on dev (sysfs holders: DM_DEVICE_DEPS only
 * looks down), with their dm UUIDs ("" for none): two NULL-terminated
 * lists of the same length, NULL for none; free with fl_strv_free.
 */
int fl_dm_holders(dev_t dev, char ***names, char ***uuids);
/* The dm name of a device number; -ENODEV if it is not a dm device. */
int fl_dm_name_of(dev_t dev, char **name);

#endif
