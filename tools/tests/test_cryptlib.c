// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loading libcryptsetup and libcrypto on first use: nothing resolved before
 * a load, a missing library or symbol reported by name with every pointer
 * left NULL, then a real load that resolves them all, applies the log
 * callback and works; a second load is a no-op.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fl_cryptlib.h"
#include "tap.h"

static int log_calls;

static void count_log(int level, const char *msg, void *usrptr)
{
	(void)level;
	(void)msg;
	(void)usrptr;
	log_calls++;
}

static int resolved, expected;

#define COUNT(name) do { expected++; resolved += sym_##name != NULL; } while (0);
static void count_resolved(void)
{
	resolved = expected = 0;
	FL_CRYPTSETUP_SYMS(COUNT)
	FL_LIBCRYPTO_SYMS(COUNT)
}

int main(void)
{
	typeof(sym_crypt_init) first;
	struct crypt_device *cd = NULL;
	unsigned char key[32] = { 0 }, zero[32] = { 0 };
	char img[] = "/tmp/fl-cryptlib.XXXXXX";
	int fd;

	count_resolved();
	is_int(resolved, 0, "nothing is resolved before a load");

	is_int(fl_cryptlib_load_from("libfileloop-no-such.so.0",
				     FL_LIBCRYPTO_SONAME), -ELIBACC,
	       "a missing libcryptsetup fails the load with ELIBACC");
	ok(strstr(fl_cryptlib_error(), "libfileloop-no-such.so.0"),
	   "the error names the missing library: %s", fl_cryptlib_error());
	count_resolved();
	is_int(resolved, 0, "and resolves nothing");

	/* libc is there but has no RAND_bytes: a symbol missing late. */
	is_int(fl_cryptlib_load_from(FL_LIBCRYPTSETUP_SONAME, "libc.so.6"),
	       -ELIBACC, "a library without the symbol fails the load");
	ok(strstr(fl_cryptlib_error(), "libc.so.6 has no RAND_bytes"),
	   "the error names the symbol: %s", fl_cryptlib_error());
	count_resolved();
	is_int(resolved, 0, "and every pointer resolved before it is reset");

	fl_cryptlib_set_log(count_log, true);
	is_int(fl_cryptlib_load(), 0, "%s and %s load",
	       FL_LIBCRYPTSETUP_SONAME, FL_LIBCRYPTO_SONAME);
	is_int(fl_cryptlib_error()[0], '\0', "no error left behind");
	count_resolved();
	is_int(resolved, expected, "all %d symbols are resolved", expected);

	/* In debug mode libcryptsetup logs every context it allocates. */
	fd = mkstemp(img);
	ok(fd >= 0 && !ftruncate(fd, 1 << 20), "a 1 MiB image file for crypt_init");
	is_int(sym_crypt_init(&cd, img), 0, "crypt_init through the pointer");
	ok(log_calls > 0, "its log reaches the callback set before the load (%d lines)",
	   log_calls);
	sym_crypt_free(cd);
	close(fd);
	unlink(img);

	first = sym_crypt_init;
	is_int(fl_cryptlib_load(), 0, "a second load succeeds");
	ok(sym_crypt_init == first, "and keeps the same pointers");

	is_int(sym_RAND_bytes(key, sizeof(key)), 1, "RAND_bytes through the pointer");
	ok(memcmp(key, zero, sizeof(key)), "and it wrote random bytes");
	return done_testing();
}
