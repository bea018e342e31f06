// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_name: the device names fileloopctl accepts. */
#include <string.h>

#include "fl_name.h"
#include "tap.h"

static void good(const char *name, bool luks)
{
	is_int(fl_name_check(name, luks, NULL), FL_NAME_OK, "'%s'%s accepted",
	       name, luks ? " (LUKS)" : "");
}

static void bad_char(const char *name, size_t at)
{
	size_t bad = 999;

	is_int(fl_name_check(name, false, &bad), FL_NAME_BAD_CHAR,
	       "'%s' refused for a character", name);
	is_int(bad, at, "'%s': the bad character is at %zu", name, at);
}

int main(void)
{
	char name[256];

	good("vault", false);
	good("vault", true);
	good("a#+-.:=@_Z09", false);
	good("-odd", false);
	good(".hidden", false);

	bad_char("my vault", 2);
	bad_char("a/b", 1);
	bad_char("a\\x20b", 1);
	bad_char("tab\there", 3);
	bad_char("caf\xc3\xa9", 3);
	bad_char("a~b", 1);
	bad_char("a,b", 1);
	bad_char("a*", 1);

	is_int(fl_name_check("", false, NULL), FL_NAME_EMPTY, "empty refused");
	is_int(fl_name_check("control", false, NULL), FL_NAME_RESERVED,
	       "control refused");
	is_int(fl_name_check(".", false, NULL), FL_NAME_RESERVED, ". refused");
	is_int(fl_name_check("..", true, NULL), FL_NAME_RESERVED, ".. refused");
	good("controls", false);

	/* FILELOOP-<map name> in 128: 119 plain, 114 + "-file" under LUKS. */
	is_int(fl_name_max(false), 119, "plain names up to 119 characters");
	is_int(fl_name_max(true), 114, "LUKS names up to 114 characters");
	memset(name, 'n', sizeof(name));
	name[119] = '\0';
	good(name, false);
	is_int(fl_name_check(name, true, NULL), FL_NAME_TOO_LONG,
	       "119 characters is too long under LUKS");
	name[114] = '\0';
	good(name, true);
	memset(name, 'n', sizeof(name));
	name[120] = '\0';
	is_int(fl_name_check(name, false, NULL), FL_NAME_TOO_LONG,
	       "120 characters is too long");
	is_int(strlen("FILELOOP-") + fl_name_max(false), 128,
	       "the longest plain name's dm UUID is 128 characters");
	is_int(strlen("FILELOOP-") + fl_name_max(true) + strlen("-file"), 128,
	       "the longest LUKS name's file layer UUID is 128 characters");

	return done_testing();
}
