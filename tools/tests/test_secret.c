// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fl_secret_alloc: zeroed memory of any size, released by fl_secret_free.
 * That it is locked is checked by lock_secret.c, without ASan, whose
 * mlock() does nothing.
 */
#include <string.h>

#include "fl_secret.h"
#include "tap.h"

int main(void)
{
	unsigned char *s = fl_secret_alloc(100), *t;
	size_t i, zero = 0;

	ok(s != NULL, "allocate 100 bytes");
	for (i = 0; i < 100; i++)
		zero += !s[i];
	is_u64(zero, 100, "the memory is zeroed");
	memset(s, 0xa5, 100);
	fl_secret_free(s);

	t = fl_secret_alloc(5000);	/* more than a page with the head */
	ok(t != NULL, "allocate 5000 bytes");
	memset(t, 1, 5000);
	fl_secret_free(t);
	fl_secret_free(NULL);
	ok(fl_secret_alloc((size_t)-1) == NULL, "an impossible size is refused");
	return done_testing();
}
