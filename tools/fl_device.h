/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fileloop device as one context object (util-linux's loopcxt_* model):
 * build it (make or check the image file, map it, stack LUKS on it, make
 * a filesystem, mount), find it, find who maps a file, resize it, tear it
 * down.  Every function returns 0 or -errno and prints nothing.  What a
 * caller needs for a message (the step that failed, the holder of a busy
 * file, what could not be undone) is in dev->err; what is being done is
 * told to an optional event callback.  Nothing here knows the command line,
 * so a mount helper or a boot-time generator can drive it too.
 *
 * Whatever a build makes is recorded (fl_undo.h) and, on failure, taken
 * down again in reverse order: no half-made file, no leaked mapping, no
 * LUKS layer left open.
 */
#ifndef FL_DEVICE_H
#define FL_DEVICE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fl_geom.h"
#include "fl_list.h"
#include "fl_name.h"
#include "fl_table.h"
#include "fl_undo.h"
#include "luks_helper.h"

/* What to build, resize or close: the caller's choices, nothing parsed. */
struct fl_device_params {
	const char *name;	/* /dev/mapper/NAME */
	const char *file;	/* the image, as the caller names it */
	uint64_t size;		/* create: bytes of the new file */
	uint64_t offset;	/* bytes into the file */
	uint64_t sizelimit;	/* bytes to map; 0: to the end of the file */
	bool keep_sizelimit;	/* remember sizelimit for resize */
	struct fl_params map;	/* io, block size, discard, shared */
	bool read_only;
	bool force;		/* create: overwrite an existing file */
	bool allocate;		/* allocate the file's blocks */
	bool luks;		/* create: format LUKS2 and open it as NAME */
	bool no_probe;		/* open: map only, never unlock */
	bool partscan;		/* open: map the partitions (fl_part.h) */
	const struct fl_extent *extra;	/* open: more files, in order */
	size_t nextra;
	bool tokens;		/* open without a passphrase: LUKS2 tokens
				 * first, then the passphrase callback;
				 * resize: the key from a token */
	const struct luks_format_params *luks_format;
	const char *mkfs;	/* create: mkfs.TYPE on the top device */
	const char *mount;	/* mount the top device here */
	const char *mount_options;	/* for the filesystem, or NULL */
};

/* The step that failed: with err.err, what a caller needs to say why. */
enum fl_step {
	FL_STEP_NONE,
	FL_STEP_NAME,		/* err.name_verdict, err.bad */
	FL_STEP_QUERY,		/* device-mapper not asked about object */
	FL_STEP_EXISTS,		/* object is mapped already */
	FL_STEP_MOUNT_DIR,	/* object: the mount point */
	FL_STEP_PATH,		/* object: the file as given */
	FL_STEP_NOT_BACKING,	/* object is no regular file or block device */
	FL_STEP_GEOMETRY,	/* err.geom; object: the path, or the file
				 * of a p.extra (err.value: its size) */
	FL_STEP_OVERLAP,	/* object: a file two segments map in part */
	FL_STEP_LUKS_SIZE,	/* err.value: sectors, too few for LUKS2 */
	FL_STEP_PROBE,		/* object: the path */
	FL_STEP_LIST,		/* listing the devices failed */
	FL_STEP_IN_USE,		/* object: path; err.holder, err.holder_as */
	FL_STEP_IMAGE_OPEN,	/* --force: object could not be opened */
	FL_STEP_IMAGE_NOT_FILE,	/* --force: object is no regular file */
	FL_STEP_IMAGE_CREATE,	/* -EEXIST: exists, no --force */
	FL_STEP_IMAGE_OVERWRITE,
	FL_STEP_IMAGE_SIZE,	/* err.value: the size asked for */
	FL_STEP_TARGET,		/* the kernel's target: -ENOENT none,
				 * -EPROTONOSUPPORT, -EOPNOTSUPP (feature
				 * too new): err.version */
	FL_STEP_TABLE,		/* the table line for object */
	FL_STEP_MAP,		/* object: the mapping; -EBUSY: err.holder */
	FL_STEP_MAP_STATUS,	/* its status could not be read */
	FL_STEP_REPLACED,	/* object was swapped while it was mapped */
	FL_STEP_RECORD,		/* FL_STATE_DIR could not record object */
	FL_STEP_LUKS_LIBRARY,	/* libcryptsetup could not be loaded */
	FL_STEP_LUKS_FORMAT,	/* object: the device */
	FL_STEP_LUKS_OPEN,	/* object: the LUKS name; -EPERM: bad key */
	FL_STEP_LUKS_TOKEN,	/* object: the LUKS name; no token opened it
				 * and there is no passphrase to ask */
	FL_STEP_PASSPHRASE,	/* the passphrase callback failed */
	FL_STEP_PARTSCAN,	/* object: the top device; err.value: the
				 * partition that failed (0: the table) */
	FL_STEP_MKFS,		/* object: the device */
	FL_STEP_MOUNT,		/* object: the device, err.mount: where */
	FL_STEP_FIND,		/* object: the name looked up */
	FL_STEP_FOREIGN_LUKS,	/* err.holder: someone else's LUKS on it */
	FL_STEP_READ_RECORD,	/* object: the name; its record or mounts */
	FL_STEP_FOREIGN_MOUNT,	/* object: top; err.mount: not ours */
	FL_STEP_BUSY,		/* object: top; err.value: other openers */
	FL_STEP_UMOUNT,		/* err.mount */
	FL_STEP_BUSY_AFTER,	/* object: top, opened while unmounting */
	FL_STEP_PART_BUSY,	/* err.holder: a partition in use */
	FL_STEP_PART_REMOVE,	/* object: top; its partitions */
	FL_STEP_LUKS_CLOSE,	/* object: the LUKS name */
	FL_STEP_REMOVE,		/* object: the mapping */
	FL_STEP_RESIZE_POLICY,	/* err.resize (and err.geom) */
	FL_STEP_LUKS_QUERY,	/* object: the LUKS name */
	FL_STEP_GROW,		/* object: the file */
	FL_STEP_RELOAD,		/* object: the mapping */
	FL_STEP_LUKS_RESIZE,	/* object: the LUKS name; -EPERM: bad key */
	FL_STEP_ADD_SIZE,	/* --add-file: object is missing, no size */
};

/* Something done while building or tearing down, for -v. */
enum fl_event {
	FL_EV_MAPPING,		/* about to map: dev->map_name, dev->table */
	FL_EV_FORMATTING,	/* about to format dev->map_dev */
	FL_EV_MKFS,		/* about to run mkfs on dev->top_dev */
	FL_EV_TOKEN_OPENED,	/* LUKS unlocked by dev->token */
	FL_EV_TOKEN_FAILED,	/* no token opened it: dev->token_err */
	FL_EV_MOUNTED,		/* dev->mounted_on */
	FL_EV_UNMOUNTED,	/* dev->mounted_on */
	FL_EV_LUKS_CLOSED,	/* dev->found.luks */
	FL_EV_REMOVED,		/* dev->found.dm_name */
};

struct fl_device;
typedef void (*fl_device_event_fn)(const struct fl_device *dev,
				   enum fl_event ev, void *priv);
/*
 * Asked for the passphrase once the file is mapped and no token opened
 * it: 0 with *pass from fl_secret_alloc() (the device layer wipes and
 * frees it), or -errno, which fails the open and undoes it.
 */
typedef int (*fl_device_pass_fn)(const struct fl_device *dev, char **pass,
				 size_t *len, void *priv);

/* A segment after the first: a range of a file, checked and formatted. */
struct fl_seg {
	char *path;		/* absolute */
	struct stat st;
	uint64_t offset;	/* sectors into the file */
	uint64_t sectors;	/* mapped */
	char *table;		/* its parameters */
};

/* Why the last call failed: the step, -errno and what it was about. */
struct fl_device_error {
	enum fl_step step;
	int err;
	const char *object;		/* points into the context */
	enum fl_name_verdict name_verdict;
	size_t bad;			/* index of the bad character */
	enum fl_geom_verdict geom;
	enum fl_resize_verdict resize;
	uint64_t value;
	unsigned version[3];		/* the kernel's fileloop target */
	char *holder, *holder_as;	/* who maps the file, and by what path */
	const char *held;		/* which file: path or a segment's */
	char *mount;			/* a mount point */
	/* What could not be undone after the failure, in the order tried. */
	struct fl_undo_log undo;
};

struct fl_device {
	struct fl_device_params p;
	fl_device_event_fn event;
	void *event_priv;
	fl_device_pass_fn ask_pass;
	void *ask_pass_priv;

	/* Worked out by the checks, for the build and for messages. */
	char *path;		/* absolute path of the file */
	char *file_layer;	/* NAME-file, the mapping under LUKS */
	const char *map_name;	/* the fileloop mapping: NAME or file_layer */
	bool luks;		/* LUKS on top (create: asked; open: found) */
	uint64_t file_size;	/* bytes */
	uint64_t sectors;	/* of the fileloop mapping, all segments */
	struct fl_seg *segs;	/* p.nextra segments after the first */
	bool add_new;		/* add_file: segs[0]'s file is to be made */
	uint64_t new_sectors;	/* resize: of the whole mapping after it */
	struct stat st;		/* of the file checked, then of the one made */
	char *table;		/* the parameters mapped */
	char map_dev[PATH_MAX];	/* /dev/mapper/<map_name> */
	char top_dev[PATH_MAX];	/* /dev/mapper/<what gets mounted> */
	char *mounted_on;	/* absolute mount point */
	char *limit;		/* resize: the recorded --sizelimit */
	size_t nparts;		/* open --partscan: partitions mapped */
	int token;		/* the LUKS2 token that opened it, or -1 */
	int token_err;		/* why no token did (luks_open_token) */

	/* A device found by name (close, resize). */
	struct fl_dev found;
	bool have_found;

	/* resize: the plan, and the LUKS size after (0: unknown). */
	struct fl_resize_in rin;
	struct fl_resize_plan plan;
	uint64_t top_sectors;

	struct fl_undo undo;
	const struct fl_undo_ops *undo_ops;	/* fl_undo_system; tests fake it */
	struct fl_device_error err;
};

/* p is copied (its strings are not: they must outlive dev). */
void fl_device_init(struct fl_device *dev, const struct fl_device_params *p);
void fl_device_set_event(struct fl_device *dev, fl_device_event_fn fn,
			 void *priv);
void fl_device_set_pass_fn(struct fl_device *dev, fl_device_pass_fn fn,
			   void *priv);
void fl_device_free(struct fl_device *dev);

/*
 * Before anything is built: NAME is valid, NAME (and NAME-file under
 * dev->luks) unmapped, the mount point a directory.  Sets map_name.
 */
int fl_device_check_free(struct fl_device *dev);
/*
 * create, before the passphrase is asked for: the file's path, that no
 * mapping uses it (--force), the mapping's geometry and LUKS's room.
 */
int fl_device_prepare_create(struct fl_device *dev);
/* open: the file's path, size and geometry; probe for LUKS (dev->luks). */
int fl_device_prepare_open(struct fl_device *dev);
/*
 * Build what was prepared: create makes the image and formats LUKS, open
 * maps the file there is; both map, unlock with pass (LUKS), make the
 * filesystem and mount as asked.  pass is wiped as soon as the LUKS
 * layer is open (or has failed to open), before mkfs and mount.  Open
 * with pass NULL tries the tokens (p.tokens), then asks the passphrase
 * callback.  On failure all is undone.
 */
int fl_device_create(struct fl_device *dev, char *pass, size_t len);
int fl_device_open(struct fl_device *dev, char *pass, size_t len);

/*
 * The absolute path of a file that may not exist yet: its directory
 * resolved, its own name kept, so the table names the file we create.
 */
int fl_new_file_path(const char *file, char **out);
/*
 * A new file (O_EXCL, O_NOFOLLOW, 0600) of size bytes, allocated or
 * sparse, synced; what fstat() says of it in st.  On failure nothing is
 * left, and made says whether the file had been created (the size then
 * failed) or not.
 */
int fl_new_file(const char *path, uint64_t size, bool allocate,
		struct stat *st, bool *made);

/* Size in bytes of a regular file or block device (-EMEDIUMTYPE: other). */
int fl_backing_size(const char *path, uint64_t *size, struct stat *st);

/* A device by the name the user gives (fl_list_one), in dev->found. */
int fl_device_find(struct fl_device *dev, const char *name);
/*
 * The first device other than skip (a dm name, or NULL) that maps the
 * inode of st, by any path; *name is NULL when there is none, *as the
 * path it was mapped by.  Both the caller's to free.
 */
int fl_device_find_holder(const struct stat *st, const char *skip,
			  char **name, char **as);

/*
 * The fileloopctl name of the device mounted on dir (any path to it);
 * -ENOENT when no fileloop device is mounted there.  *name is the
 * caller's to free.
 */
int fl_device_find_mounted(const char *dir, char **name);

/*
 * Tear down the found device: unmount what fileloopctl mounted, close
 * its LUKS, remove the mapping, forget its record.  Refuses (-EBUSY)
 * while anything else uses it, and then changes nothing.
 */
int fl_device_close(struct fl_device *dev);

/*
 * resize, on the found device: the plan for a file of p.size bytes (all
 * of it when !size_given), and whether LUKS needs the passphrase.
 */
int fl_device_resize_prepare(struct fl_device *dev, bool size_given,
			     bool *need_key);
/* Grow the file, reload the table, grow LUKS; undone on failure. */
int fl_device_resize(struct fl_device *dev, const char *pass, size_t len);

/*
 * resize --add-file, on the found device: check e (a file that exists,
 * mapped by nobody, or a new one of p.size bytes) and its geometry;
 * whether LUKS needs the passphrase.  e must outlive dev.
 */
int fl_device_add_prepare(struct fl_device *dev, const struct fl_extent *e,
			  bool *need_key);
/*
 * Make the file if it is new, reload the table with its line last, grow
 * LUKS; undone on failure.
 */
int fl_device_add_file(struct fl_device *dev, const char *pass, size_t len);

#endif
