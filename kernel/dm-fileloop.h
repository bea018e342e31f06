/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * The fileloop target's interface, the one definition the target, the
 * fileloopctl tool and the tests share (docs/dm-fileloop.rst describes it):
 *
 *   table: <path> <offset> [<#features> <feature>...]
 *   INFO status: FILELOOP_INFO_FIELDS
 *   TABLE status: the table line, features in the order listed below
 *
 * Macros only, so that user space can include it as it is.
 */
#ifndef DM_FILELOOP_H
#define DM_FILELOOP_H

#define FILELOOP_TARGET_NAME		"fileloop"

/*
 * A new minor version only adds (a feature, a status field at the end);
 * anything else takes a new major, which a tool that knows only this
 * one refuses.
 */
#define FILELOOP_VERSION_MAJOR		1
#define FILELOOP_VERSION_MINOR		1
#define FILELOOP_VERSION_PATCH		0

/*
 * Features, matched without regard to case, each at most once; block_size
 * takes one argument (a power of two from 512 to the page size).  At most
 * one of direct_io and buffered_io.
 */
#define FILELOOP_FEATURE_DIRECT_IO	"direct_io"
#define FILELOOP_FEATURE_BUFFERED_IO	"buffered_io"
#define FILELOOP_FEATURE_BLOCK_SIZE	"block_size"
#define FILELOOP_FEATURE_NO_DISCARD	"no_discard"
#define FILELOOP_FEATURE_SHARED		"shared"	/* since 1.1 */
#define FILELOOP_MAX_FEATURE_ARGS	5

/* Path bytes written as \ooo in the TABLE status, as /proc/mounts does. */
#define FILELOOP_PATH_ESCAPE		" \t\n\\"

/*
 * INFO status fields, space separated, in this order.  A target reports
 * the first FILELOOP_INFO_FIELDS_1_0 since 1.0, all of them since 1.1.
 * io_mode is "direct" or "buffered", file_dev is <major>:<minor>, the
 * rest are decimal counters.
 */
#define FILELOOP_INFO_FIELDS \
	"io_mode reads writes flushes fua discards write_zeroes errors retries file_dev file_ino"
#define FILELOOP_INFO_FIELDS_1_0	9

#endif
