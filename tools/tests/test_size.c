// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_size: strict sizes, numbers and the human form. */
#include <errno.h>
#include <stdint.h>

#include "fl_size.h"
#include "tap.h"

static void good(const char *s, uint64_t want)
{
	uint64_t v = 0;
	int r = fl_parse_size(s, &v);

	is_int(r, 0, "'%s' parses", s);
	is_u64(v, want, "'%s' is %" PRIu64 " bytes", s, want);
}

static void bad(const char *s, int want)
{
	uint64_t v = 12345;

	is_int(fl_parse_size(s, &v), want, "'%s' is refused with %s", s,
	       want == -ERANGE ? "ERANGE" : "EINVAL");
	is_u64(v, 12345, "'%s' leaves the result alone", s);
}

int main(void)
{
	char buf[32];
	uint32_t u32;
	uint64_t v;

	good("0", 0);
	good("512", 512);
	good("1K", 1024);
	good("1k", 1024);
	good("64M", 64ULL << 20);
	good("64MiB", 64ULL << 20);
	good("3G", 3ULL << 30);
	good("2T", 2ULL << 40);
	good("18446744073709551615", UINT64_MAX);
	good("16777215T", 16777215ULL << 40);

	bad("", -EINVAL);
	bad("-1", -EINVAL);
	bad("+1", -EINVAL);
	bad(" 1", -EINVAL);
	bad("1 ", -EINVAL);
	bad("1.5G", -EINVAL);
	bad("0x10", -EINVAL);
	bad("1Q", -EINVAL);
	bad("1KB", -EINVAL);
	bad("1Ki", -EINVAL);
	bad("1KiBx", -EINVAL);
	bad("M", -EINVAL);
	bad("18446744073709551616", -ERANGE);
	bad("99999999999999999999999", -ERANGE);
	bad("16777216T", -ERANGE);
	bad("17179869184G", -ERANGE);
	is_int(fl_parse_size(NULL, &v), -EINVAL, "NULL is refused");

	is_int(fl_parse_u64("42", &v), 0, "u64 42");
	is_u64(v, 42, "u64 42 value");
	is_int(fl_parse_u64("42K", &v), -EINVAL, "u64 refuses a suffix");
	is_int(fl_parse_u64("18446744073709551616", &v), -ERANGE,
	       "u64 overflow is ERANGE, not a wrap to 0");
	is_int(fl_parse_u32("4096", 512, 4096, &u32), 0, "u32 at max");
	is_int(fl_parse_u32("4097", 512, 4096, &u32), -ERANGE, "u32 above max");
	is_int(fl_parse_u32("511", 512, 4096, &u32), -ERANGE, "u32 below min");
	is_int(fl_parse_u32("4294967296", 0, UINT32_MAX, &u32), -ERANGE,
	       "u32 overflow");

	is_str(fl_size_human(0, buf, sizeof(buf)), "0B", "human 0");
	is_str(fl_size_human(1023, buf, sizeof(buf)), "1023B", "human 1023");
	is_str(fl_size_human(1024, buf, sizeof(buf)), "1K", "human 1K");
	is_str(fl_size_human(64ULL << 20, buf, sizeof(buf)), "64M", "human 64M");
	is_str(fl_size_human(3ULL << 29, buf, sizeof(buf)), "1.5G", "human 1.5G");
	is_str(fl_size_human((1ULL << 30) - 1, buf, sizeof(buf)), "1024M",
	       "human rounds 1G-1 up to 1024M");
	is_str(fl_size_human(UINT64_MAX, buf, sizeof(buf)), "16E",
	       "human UINT64_MAX does not overflow");
	return done_testing();
}
