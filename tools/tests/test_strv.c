// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_strv: NULL-terminated string vectors built one copy at a time. */
#include <stdlib.h>
#include <string.h>

#include "fl_strv.h"
#include "tap.h"

int main(void)
{
	char buf[] = "/mnt/a";
	char **v = NULL;
	size_t n = 0;

	is_int(fl_strv_append(&v, &n, buf), 0, "append to an empty vector");
	buf[5] = 'b';
	is_int(fl_strv_append(&v, &n, buf), 0, "append a second string");
	is_int(fl_strv_append(&v, &n, ""), 0, "append an empty string");
	is_int(n, 3, "three strings counted");
	is_str(v[0], "/mnt/a", "the first is a copy, not the caller's buffer");
	is_str(v[1], "/mnt/b", "the second in order");
	is_str(v[2], "", "the empty one kept");
	ok(v[3] == NULL, "NULL-terminated");
	/* No leak, no double free: LeakSanitizer fails the run otherwise. */
	fl_strv_free(v);
	fl_strv_free(NULL);
	return done_testing();
}
