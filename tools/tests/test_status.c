// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_stats_parse: the target's INFO status line. */
#include <errno.h>

#include "fl_table.h"
#include "tap.h"

static void bad(const char *s)
{
	struct fl_stats st;

	is_int(fl_stats_parse(s, &st), -EINVAL, "refused: '%s'", s);
}

int main(void)
{
	struct fl_stats st;

	is_int(fl_stats_parse("direct 1 2 3 4 5 6 7 8", &st), 0, "direct line");
	is_int(st.io, FL_IO_DIRECT, "io direct");
	is_u64(st.reads, 1, "reads");
	is_u64(st.writes, 2, "writes");
	is_u64(st.flushes, 3, "flushes");
	is_u64(st.fua, 4, "fua");
	is_u64(st.discards, 5, "discards");
	is_u64(st.write_zeroes, 6, "write_zeroes");
	is_u64(st.errors, 7, "errors");
	is_u64(st.retries, 8, "retries");
	ok(!st.have_file_id, "a 1.0 target's line has no file id");
	is_int(fl_stats_parse("direct 1 2 3 4 5 6 7 8 254:3 1234567890123", &st),
	       0, "line with the file's device and inode");
	ok(st.have_file_id, "file id seen");
	is_int((int)st.file_major, 254, "file major");
	is_int((int)st.file_minor, 3, "file minor");
	is_u64(st.file_ino, 1234567890123ULL, "file inode");
	is_u64(st.retries, 8, "retries before the file id");
	is_int(fl_stats_parse("buffered 0 0 0 0 0 0 18446744073709551615 0", &st),
	       0, "buffered line, max counter");
	is_int(st.io, FL_IO_BUFFERED, "io buffered");
	is_u64(st.errors, UINT64_MAX, "counter at UINT64_MAX");
	is_str(fl_io_mode_name(FL_IO_DIRECT), "direct", "name direct");
	is_str(fl_io_mode_name(FL_IO_BUFFERED), "buffered", "name buffered");
	is_str(fl_io_mode_name(FL_IO_AUTO), "auto", "name auto");

	bad("");
	bad("auto 1 2 3 4 5 6 7 8");
	bad("direct 1 2 3 4 5 6 7");
	bad("direct 1 2 3 4 5 6 7 8 9");
	bad("direct 1 2 3 4 5 6 7 8 ");
	bad("direct 1 2 3 -4 5 6 7 8");
	bad("direct 1 2 3 4 5 6 7 18446744073709551616");
	bad("direct 1 2 3 x 5 6 7 8");
	bad("direct 1 2 3 4 5 6 7 8 254:3");
	bad("direct 1 2 3 4 5 6 7 8 254 3");
	bad("direct 1 2 3 4 5 6 7 8 254:x 3");
	bad("direct 1 2 3 4 5 6 7 8 :3 3");
	bad("direct 1 2 3 4 5 6 7 8 254:3 -3");
	bad("direct 1 2 3 4 5 6 7 8 254:3 3 9");
	bad("direct 1 2 3 4 5 6 7 8 4294967296:3 3");
	bad("direct 1 2 3 4 5 6 7 8 254: 3");
	bad("direct 1 2 3 4 5 6 7 8 12345678901234567:3 3");
	return done_testing();
}
