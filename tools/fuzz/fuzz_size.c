// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: sizes and counts from the command line.  A size that
 * parses must print (fl_size_human) without overflowing its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fl_size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[16];
	uint64_t v;
	uint32_t w;

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (!fl_parse_size(s, &v))
		fl_size_human(v, buf, sizeof(buf));
	if (!fl_parse_u64(s, &v))
		fl_size_human(v, buf, sizeof(buf));
	if (!fl_parse_u32(s, 512, 4096, &w) && (w < 512 || w > 4096))
		abort();
	free(s);
	return 0;
}
