// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fl_secret_alloc locks secrets into RAM: VmLck grows by the mapping and
 * goes back when it is freed.  Built without ASan (make check runs it as
 * build/tests/test_secret_lock), whose mlock() interceptor does nothing.
 */
#include <stdio.h>
#include <string.h>

#include "fl_secret.h"
#include "tap.h"

/* VmLck of this process in KiB, or -1. */
static long locked_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int main(void)
{
	long before = locked_kib(), during;
	char *s = fl_secret_alloc(100);

	ok(s != NULL, "allocate 100 bytes");
	memset(s, 0xa5, 100);
	during = locked_kib();
	/* As root, or within RLIMIT_MEMLOCK's default of 8 MiB. */
	ok(before >= 0 && during >= before + 4,
	   "the secret is locked in RAM (VmLck %ld -> %ld kB)", before, during);
	fl_secret_free(s);
	is_int((int)locked_kib(), (int)before, "unlocked when freed");
	return done_testing();
}
