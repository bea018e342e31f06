// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include <linux/dm-ioctl.h>

#include "fl_dm.h"
#include "fl_list.h"
#include "fl_name.h"

size_t fl_name_max(bool luks)
{
	/* DM_UUID_LEN counts the NUL. */
	size_t map_max = DM_UUID_LEN - 1 - strlen(FL_UUID_PREFIX);

	return map_max - (luks ? strlen(FL_FILE_SUFFIX) : 0);
}

/* Not isalnum(): that would follow the locale. */
static bool allowed(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr(FL_NAME_PUNCT, c));
}

enum fl_name_verdict fl_name_check(const char *name, bool luks, size_t *bad)
{
	size_t i;

	if (!*name)
		return FL_NAME_EMPTY;
	for (i = 0; name[i]; i++) {
		if (!allowed(name[i])) {
			if (bad)
				*bad = i;
			return FL_NAME_BAD_CHAR;
		}
	}
	if (i > fl_name_max(luks))
		return FL_NAME_TOO_LONG;
	if (!strcmp(name, "control") || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return FL_NAME_RESERVED;
	return FL_NAME_OK;
}
