/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fileloop table line and status lines, as kernel/dm-fileloop.h
 * defines them (see docs/dm-fileloop.rst):
 *
 *   <start> <length> fileloop <path> <offset> [<#features> <feature>...]
 *   INFO:  FILELOOP_INFO_FIELDS, the last two (file_dev, file_ino: what
 *          stat() says of the file the kernel opened) since target 1.1
 *
 * Pure string work, no system calls, so all of it is unit-tested.
 */
#ifndef FL_TABLE_H
#define FL_TABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "dm-fileloop.h"

#define FL_SECTOR	512U

enum fl_io_mode {
	FL_IO_AUTO = 0,		/* no feature: the target picks, STATUS says */
	FL_IO_DIRECT,
	FL_IO_BUFFERED,
};

struct fl_params {
	char *path;		/* absolute and unescaped */
	uint64_t offset;	/* 512-byte sectors into the file */
	enum fl_io_mode io;
	unsigned block_size;	/* 0: the target's default, 512 */
	bool no_discard;
	bool shared;		/* other devices may map the same range */
};

struct fl_stats {
	enum fl_io_mode io;	/* FL_IO_DIRECT or FL_IO_BUFFERED */
	uint64_t reads, writes, flushes, fua, discards, write_zeroes, errors;
	uint64_t retries;	/* direct I/O the filesystem made wait */
	bool have_file_id;	/* the target reports the next three */
	unsigned file_major, file_minor;
	uint64_t file_ino;
};

/* A range of a file, mapped after the ranges before it. */
struct fl_extent {
	const char *file;
	uint64_t offset;	/* bytes into the file */
	uint64_t size;		/* bytes mapped; 0: to the end of the file */
};

bool fl_block_size_valid(unsigned bs);

/*
 * Octal-escape space, tab, newline and backslash as /proc/mounts does:
 * libdevmapper doubles backslashes, so dm's own "\ " quoting never reaches
 * the kernel intact.  Returns NULL only when out of memory.
 */
char *fl_path_escape(const char *path);
/* The inverse; -EINVAL for a stray backslash or an escaped NUL. */
int fl_path_unescape(const char *in, char **out);

/* "<escaped path> <offset> [<#features> ...]"; -EINVAL, -ENOMEM. */
int fl_params_format(const struct fl_params *p, char **out);
/*
 * Parse the target's TABLE status (or a table's parameters) back, by the
 * target's rules: feature names in any case, each once, at most
 * FILELOOP_MAX_FEATURE_ARGS arguments; -EINVAL if it is not one.
 */
int fl_params_parse(const char *s, struct fl_params *p);
void fl_params_free(struct fl_params *p);

/* "0 <length> fileloop <params>", for dmsetup create --table. */
int fl_table_line(uint64_t length, const struct fl_params *p, char **out);

/*
 * Parse the target's INFO status, the fields FILELOOP_INFO_FIELDS names in
 * its order (the first FILELOOP_INFO_FIELDS_1_0 of them from a 1.0
 * target); -EINVAL if it is malformed.
 */
int fl_stats_parse(const char *s, struct fl_stats *st);

const char *fl_io_mode_name(enum fl_io_mode io);

/*
 * Can a target of this version (major, minor, patch) take p?  0, or
 * -EPROTONOSUPPORT for another major version than FILELOOP_VERSION_MAJOR
 * (its table or status may mean something else), or -EOPNOTSUPP for a
 * feature p asks for that came in a later minor version.
 */
int fl_target_compat(const unsigned version[3], const struct fl_params *p);

#endif
