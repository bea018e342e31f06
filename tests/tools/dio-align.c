// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dio-align: print the direct I/O alignment a file's filesystem reports
 * (statx STATX_DIOALIGN), as the target reads it when it picks its I/O mode.
 *
 *   dio-align FILE
 *       prints "MEM OFFSET" in bytes, "0 0" when the filesystem does not
 *       report it or the file cannot do direct I/O
 *
 * Exit status 0, 1 on an error (with a message).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	struct statx stx;

	if (argc != 2) {
		fprintf(stderr, "usage: dio-align FILE\n");
		return 1;
	}
	if (statx(AT_FDCWD, argv[1], 0, STATX_DIOALIGN, &stx)) {
		fprintf(stderr, "dio-align: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (!(stx.stx_mask & STATX_DIOALIGN))
		stx.stx_dio_mem_align = stx.stx_dio_offset_align = 0;
	printf("%u %u\n", stx.stx_dio_mem_align, stx.stx_dio_offset_align);
	return 0;
}
