/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The device names fileloopctl hands out.  Pure string work, unit-tested.
 *
 * Only [A-Za-z0-9] and "#+-.:=@_": libdevmapper (name mangling mode
 * "auto", Debian's default) turns any other character into \xNN, so
 * "my vault" would be mapped as /dev/mapper/my\x20vault while the tool
 * goes on to use /dev/mapper/my vault.  Not "control", which is
 * device-mapper's own node, nor "." and "..".  And short enough that the
 * mapping's dm UUID, FILELOOP-<map name>, fits device-mapper's 128
 * characters, where the map name is NAME, or NAME-file under LUKS.
 */
#ifndef FL_NAME_H
#define FL_NAME_H

#include <stdbool.h>
#include <stddef.h>

/* Allowed besides letters and digits. */
#define FL_NAME_PUNCT	"#+-.:=@_"

enum fl_name_verdict {
	FL_NAME_OK,
	FL_NAME_EMPTY,
	FL_NAME_TOO_LONG,	/* longer than fl_name_max(luks) */
	FL_NAME_BAD_CHAR,	/* name[*bad] is not allowed */
	FL_NAME_RESERVED,	/* control, . or .. */
};

/* The longest name, with or without the LUKS layer's NAME-file. */
size_t fl_name_max(bool luks);
/* bad (may be NULL) gets the index of the first bad character. */
enum fl_name_verdict fl_name_check(const char *name, bool luks, size_t *bad);

#endif
