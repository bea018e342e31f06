// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the parsers of what the kernel says back, the TABLE
 * and INFO status lines and octal-escaped paths.  Whatever parses must
 * format back to a line that parses to the same thing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fl_table.h"

static char *cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void check_params(const char *s)
{
	struct fl_params p, q;
	char *line, *esc, *raw;

	if (fl_params_parse(s, &p))
		return;
	if (fl_params_format(&p, &line))
		abort();
	if (fl_params_parse(line, &q) || strcmp(p.path, q.path) ||
	    p.offset != q.offset || p.io != q.io ||
	    p.block_size != q.block_size || p.no_discard != q.no_discard ||
	    p.shared != q.shared)
		abort();
	esc = fl_path_escape(p.path);
	if (!esc || fl_path_unescape(esc, &raw) || strcmp(raw, p.path))
		abort();
	free(raw);
	free(esc);
	fl_params_free(&q);
	free(line);
	fl_params_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = cstr(data, size), *u;
	struct fl_stats st;

	check_params(s);
	if (!fl_stats_parse(s, &st) && st.io != FL_IO_DIRECT &&
	    st.io != FL_IO_BUFFERED)
		abort();
	if (!fl_path_unescape(s, &u))
		free(u);
	free(s);
	return 0;
}
