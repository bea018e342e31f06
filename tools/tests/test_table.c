// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_table: table line format/parse and path escaping round trips. */
#include <errno.h>
#include <stdlib.h>

#include "fl_table.h"
#include "tap.h"

static void roundtrip(const char *path, const char *want_escaped)
{
	char *esc = fl_path_escape(path), *back = NULL;

	is_str(esc, want_escaped, "escape of %s", want_escaped);
	is_int(fl_path_unescape(esc, &back), 0, "unescape %s", want_escaped);
	is_str(back, path, "round trip of %s", want_escaped);
	free(esc);
	free(back);
}

static void params_roundtrip(const struct fl_params *p, const char *want)
{
	struct fl_params q;
	char *s = NULL;

	is_int(fl_params_format(p, &s), 0, "format '%s'", want);
	is_str(s, want, "params are '%s'", want);
	if (!s)
		return;
	is_int(fl_params_parse(s, &q), 0, "parse '%s' back", want);
	is_str(q.path, p->path, "path survives '%s'", want);
	is_u64(q.offset, p->offset, "offset survives '%s'", want);
	is_int(q.io, p->io, "io mode survives '%s'", want);
	is_int(q.block_size, p->block_size, "block size survives '%s'", want);
	is_int(q.no_discard, p->no_discard, "no_discard survives '%s'", want);
	is_int(q.shared, p->shared, "shared survives '%s'", want);
	fl_params_free(&q);
	free(s);
}

static void bad_params(const char *s)
{
	struct fl_params q;

	is_int(fl_params_parse(s, &q), -EINVAL, "refused: '%s'", s);
	ok(!q.path, "nothing left allocated for '%s'", s);
}

int main(void)
{
	struct fl_params p = { 0 };
	char *s = NULL, *u = NULL;

	roundtrip("/img/a.img", "/img/a.img");
	roundtrip("/my files/a b.img", "/my\\040files/a\\040b.img");
	roundtrip("/back\\slash", "/back\\134slash");
	roundtrip("/new\nline\tand tab", "/new\\012line\\011and\\040tab");
	roundtrip("/utf8/\xc3\xa9t\xc3\xa9", "/utf8/\xc3\xa9t\xc3\xa9");
	roundtrip("/\\040", "/\\134040");

	is_int(fl_path_unescape("/a\\", &u), -EINVAL, "stray backslash");
	is_int(fl_path_unescape("/a\\04", &u), -EINVAL, "short escape");
	is_int(fl_path_unescape("/a\\000", &u), -EINVAL, "escaped NUL");
	is_int(fl_path_unescape("/a\\400", &u), -EINVAL, "escape above 0xff");
	is_int(fl_path_unescape("/a\\089", &u), -EINVAL, "non-octal digit");

	p.path = "/img/x.img";
	params_roundtrip(&p, "/img/x.img 0");
	p.offset = 2048;
	p.io = FL_IO_DIRECT;
	params_roundtrip(&p, "/img/x.img 2048 1 direct_io");
	p.io = FL_IO_BUFFERED;
	p.block_size = 4096;
	p.no_discard = true;
	params_roundtrip(&p, "/img/x.img 2048 4 buffered_io block_size 4096 no_discard");
	p.shared = true;
	params_roundtrip(&p, "/img/x.img 2048 5 buffered_io block_size 4096 no_discard shared");
	p.io = FL_IO_AUTO;
	p.block_size = 0;
	p.no_discard = false;
	params_roundtrip(&p, "/img/x.img 2048 1 shared");
	p.shared = false;
	p.path = "/a dir/b\\c\nd";
	p.io = FL_IO_AUTO;
	p.block_size = 0;
	p.no_discard = false;
	params_roundtrip(&p, "/a\\040dir/b\\134c\\012d 2048");
	p.offset = UINT64_MAX;
	params_roundtrip(&p, "/a\\040dir/b\\134c\\012d 18446744073709551615");

	p = (struct fl_params){ .path = "relative.img" };
	is_int(fl_params_format(&p, &s), -EINVAL, "relative path refused");
	p = (struct fl_params){ .path = "/x", .block_size = 3000 };
	is_int(fl_params_format(&p, &s), -EINVAL, "block size 3000 refused");

	p = (struct fl_params){ .path = "/x y", .offset = 8, .io = FL_IO_DIRECT };
	is_int(fl_table_line(65536, &p, &s), 0, "table line");
	is_str(s, "0 65536 fileloop /x\\040y 8 1 direct_io", "table line text");
	free(s);

	bad_params("");
	bad_params("relative 0");
	bad_params("/x");
	bad_params("/x -1");
	bad_params("/x 18446744073709551616");
	bad_params("/x 0 ");
	bad_params("/x  0");
	bad_params("/x 0 0");
	bad_params("/x 0 1");
	bad_params("/x 0 2 direct_io");
	bad_params("/x 0 1 frob");
	bad_params("/x 0 2 direct_io buffered_io");
	bad_params("/x 0 2 block_size 1000");
	bad_params("/x 0 1 block_size");
	bad_params("/x 0 2 no_discard no_discard");
	bad_params("/x 0 1 no_discard extra");
	bad_params("/x 0 2 shared shared");
	bad_params("/x 0 6 direct_io block_size 4096 no_discard shared Shared");
	bad_params("/x 0 2 Shared shared");
	bad_params("/x\\ y 0");

	/* What a target of each version can take. */
	{
		unsigned v10[3] = { 1, 0, 0 }, v11[3] = { 1, 1, 0 },
			 v19[3] = { 1, 9, 2 }, v20[3] = { 2, 0, 0 },
			 v0[3] = { 0, 9, 0 };
		struct fl_params plain = { .path = "/x" },
				 shared = { .path = "/x", .shared = true };

		is_int(fl_target_compat(v10, &plain), 0, "1.0 takes a plain table");
		is_int(fl_target_compat(v10, &shared), -EOPNOTSUPP,
		       "1.0 has no shared");
		is_int(fl_target_compat(v11, &shared), 0, "1.1 takes shared");
		is_int(fl_target_compat(v19, &shared), 0, "a later 1.x too");
		is_int(fl_target_compat(v20, &plain), -EPROTONOSUPPORT,
		       "2.0 is refused");
		is_int(fl_target_compat(v0, &plain), -EPROTONOSUPPORT,
		       "0.9 is refused");
		is_int(FILELOOP_VERSION_MAJOR, 1, "this tool drives 1.x");
	}

	/* The target's rules: feature names in any case. */
	is_int(fl_params_parse("/x 0 4 Direct_IO BLOCK_SIZE 4096 Shared", &p), 0,
	       "feature names in any case are the target's too");
	is_int(p.io, FL_IO_DIRECT, "Direct_IO is direct_io");
	is_int(p.block_size, 4096, "BLOCK_SIZE 4096 is block_size 4096");
	ok(p.shared, "Shared is shared");
	is_int(fl_params_format(&p, &s), 0, "and formats back");
	is_str(s, "/x 0 4 direct_io block_size 4096 shared", "in lower case");
	free(s);
	fl_params_free(&p);
	return done_testing();
}
