/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command line of fileloopctl: one verb table (cryptsetup's action_types
 * pattern, in cmd_verbs.c), one parser.  Parsing is a pure function of
 * argv, so it is unit-tested without root; it validates everything that
 * can be checked without touching the system (sizes, alignment,
 * exclusive options, options a verb does not take) and reports errors
 * as text for the CLI to print.
 */
#ifndef FL_OPTS_H
#define FL_OPTS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fl_table.h"

enum fl_opt {
	OPT_SIZE, OPT_OFFSET, OPT_SIZELIMIT, OPT_READ_ONLY, OPT_DIRECT_IO,
	OPT_BUFFERED_IO, OPT_BLOCK_SIZE, OPT_NO_DISCARD, OPT_LUKS, OPT_NO_LUKS,
	OPT_MKFS, OPT_MOUNT, OPT_FORCE, OPT_ALLOCATE, OPT_KEY_FILE, OPT_PBKDF,
	OPT_PBKDF_MEMORY, OPT_PBKDF_ITER, OPT_ITER_TIME, OPT_CIPHER,
	OPT_KEY_SIZE, OPT_JSON, OPT_OUTPUT, OPT_RAW, OPT_NOHEADINGS, OPT_BYTES,
	OPT_FS, OPT_VERBOSE, OPT_DEBUG, OPT_HELP, OPT_VERSION, OPT_SHARED,
	OPT_MOUNT_OPTIONS, OPT_ASK_PASSWORD, OPT_PARTSCAN, OPT_COPY,
	OPT_KEYFILE_SIZE, OPT_KEYFILE_OFFSET, OPT_TOKEN_ONLY,
	OPT_KEY_DESCRIPTION, OPT_KEY_SLOT, OPT_TOKEN_ID, OPT_FILE,
	OPT_ADD_FILE, OPT_COUNT
};

#define OPTBIT(o)	(UINT64_C(1) << (o))
/* Options every verb takes. */
#define OPTS_COMMON	(OPTBIT(OPT_VERBOSE) | OPTBIT(OPT_DEBUG) | \
			 OPTBIT(OPT_HELP))
/* The mapping options shared by create, open and table. */
#define OPTS_MAP	(OPTBIT(OPT_OFFSET) | OPTBIT(OPT_SIZELIMIT) | \
			 OPTBIT(OPT_READ_ONLY) | OPTBIT(OPT_DIRECT_IO) | \
			 OPTBIT(OPT_BUFFERED_IO) | OPTBIT(OPT_BLOCK_SIZE) | \
			 OPTBIT(OPT_NO_DISCARD) | OPTBIT(OPT_SHARED))
/* The key file and what part of it is the key (cryptsetup's). */
#define OPTS_KEY_FILE	(OPTBIT(OPT_KEY_FILE) | OPTBIT(OPT_KEYFILE_SIZE) | \
			 OPTBIT(OPT_KEYFILE_OFFSET))
#define OPTS_PBKDF	(OPTBIT(OPT_PBKDF) | OPTBIT(OPT_PBKDF_MEMORY) | \
			 OPTBIT(OPT_PBKDF_ITER) | OPTBIT(OPT_ITER_TIME))
#define OPTS_LUKS_NEW	(OPTS_PBKDF | OPTBIT(OPT_CIPHER) | \
			 OPTBIT(OPT_KEY_SIZE) | OPTS_KEY_FILE)
#define OPTS_LISTING	(OPTBIT(OPT_JSON) | OPTBIT(OPT_OUTPUT) | \
			 OPTBIT(OPT_RAW) | OPTBIT(OPT_NOHEADINGS) | \
			 OPTBIT(OPT_BYTES))

struct fl_opts;

struct fl_verb {
	const char *name;
	int (*run)(const struct fl_opts *o);
	unsigned min_args, max_args;
	uint64_t opts;		/* OPTBIT()s the verb takes */
	bool needs_root;
	const char *args;	/* "NAME FILE", for the usage line */
	const char *summary;
	const char *help;	/* option lines for --help */
};

#define FL_MAX_ARGS	3
/* --file: a device of at most 16 files (segments). */
#define FL_MAX_EXTRA	15

struct fl_opts {
	const struct fl_verb *verb;	/* NULL: no verb (--help/--version) */
	const char *args[FL_MAX_ARGS];
	unsigned nargs;
	uint64_t set;			/* OPTBIT()s given */

	uint64_t size, offset, sizelimit;	/* bytes */
	uint64_t keyfile_offset;		/* bytes, <= INT64_MAX */
	uint32_t keyfile_size;			/* 0: all of the key file */
	struct fl_params map;		/* io, block_size, no_discard, offset */
	bool read_only;
	const char *mkfs, *mount, *mount_options, *key_file, *pbkdf, *cipher;
	const char *columns;
	uint32_t pbkdf_memory, pbkdf_iter, iter_time, key_size;
	const char *key_description;	/* token add */
	uint32_t key_slot, token_id;
	/* --file FILE[:OFFSET[:SIZE]] (open), --add-file (resize) */
	struct fl_extent extra[FL_MAX_EXTRA], add;
	size_t nextra;
	char extra_path[FL_MAX_EXTRA][PATH_MAX], add_path[PATH_MAX];
	int verbose;
};

static inline bool fl_opt_set(const struct fl_opts *o, enum fl_opt opt)
{
	return o->set & OPTBIT(opt);
}

/*
 * 0, or -EINVAL with a message in err.  verbs is terminated by a NULL
 * name.  --help and --version succeed with o->verb possibly NULL.
 */
int fl_opts_parse(int argc, char *const argv[], const struct fl_verb *verbs,
		  struct fl_opts *o, char *err, size_t errlen);

/* Write the message into err (errlen bytes); returns -EINVAL. */
int fl_opts_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * FILE[:OFFSET[:SIZE]] into e, its FILE copied to path (cap bytes): the
 * fields after the last colons are OFFSET and SIZE when they are sizes,
 * so a path with a colon in it is given with both (SIZE 0: to the end of
 * the file).  0, or -ENAMETOOLONG.
 */
int fl_extent_split(const char *arg, char *path, size_t cap,
		    struct fl_extent *e);

/* "--offset" for OPT_OFFSET, for messages and help. */
const char *fl_opt_name(enum fl_opt opt);

#endif
