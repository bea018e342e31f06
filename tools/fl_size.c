// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fl_size.h"

/*
 * strtoull() accepts leading whitespace, a sign ("-1" becomes 2^64-1) and
 * a 0x prefix when asked, none of which belongs in a size, so digits are
 * consumed here by hand.
 */
static int parse_digits(const char **sp, uint64_t *val)
{
	const char *s = *sp;
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (__builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(*s - '0'), &v))
			return -ERANGE;
	}
	*sp = s;
	*val = v;
	return 0;
}

static int suffix_shift(const char *s, unsigned *shift)
{
	switch (*s) {
	case '\0':
		*shift = 0;
		return 0;
	case 'K': case 'k':
		*shift = 10;
		break;
	case 'M': case 'm':
		*shift = 20;
		break;
	case 'G': case 'g':
		*shift = 30;
		break;
	case 'T': case 't':
		*shift = 40;
		break;
	default:
		return -EINVAL;
	}
	s++;
	return *s && strcmp(s, "iB") ? -EINVAL : 0;
}

int fl_parse_size(const char *s, uint64_t *bytes)
{
	uint64_t v;
	unsigned shift;
	int r;

	if (!s)
		return -EINVAL;
	r = parse_digits(&s, &v);
	if (r)
		return r;
	r = suffix_shift(s, &shift);
	if (r)
		return r;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*bytes = v << shift;
	return 0;
}

int fl_parse_u64(const char *s, uint64_t *val)
{
	uint64_t v;
	int r;

	if (!s)
		return -EINVAL;
	r = parse_digits(&s, &v);
	if (r)
		return r;
	if (*s)
		return -EINVAL;
	*val = v;
	return 0;
}

int fl_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *val)
{
	uint64_t v;
	int r;

	r = fl_parse_u64(s, &v);
	if (r)
		return r;
	if (v < min || v > max)
		return -ERANGE;
	*val = (uint32_t)v;
	return 0;
}

char *fl_size_human(uint64_t bytes, char *buf, unsigned long len)
{
	static const char units[] = "BKMGTPE";
	unsigned i = 0;
	uint64_t whole, tenths;

	while (i < sizeof(units) - 2 && bytes >= (UINT64_C(1) << (10 * (i + 1))))
		i++;
	if (!i) {
		snprintf(buf, len, "%uB", (unsigned)bytes);
		return buf;
	}
	whole = bytes >> (10 * i);
	/* Round the remainder to tenths without overflowing 64 bits. */
	tenths = ((bytes & ((UINT64_C(1) << (10 * i)) - 1)) * 10 +
		  (UINT64_C(1) << (10 * i - 1))) >> (10 * i);
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (tenths)
		snprintf(buf, len, "%llu.%llu%c", (unsigned long long)whole,
			 (unsigned long long)tenths, units[i]);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)whole,
			 units[i]);
	return buf;
}
