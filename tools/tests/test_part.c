// SPDX-License-Identifier: GPL-2.0-or-later
/* fl_part: libblkid's reading of a partition table; kpartx's names. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fl_part.h"
#include "tap.h"

/* An MBR entry: type, first sector, sectors (little endian). */
static void entry(unsigned char *mbr, int i, unsigned char type,
		  uint32_t start, uint32_t sectors)
{
	unsigned char *e = mbr + 446 + 16 * i;
	int b;

	e[4] = type;
	for (b = 0; b < 4; b++) {
		e[8 + b] = (unsigned char)(start >> (8 * b));
		e[12 + b] = (unsigned char)(sectors >> (8 * b));
	}
}

int main(void)
{
	char path[] = "/tmp/test_part.XXXXXX", name[200];
	unsigned char mbr[512] = { 0 };
	struct fl_part *parts;
	size_t n;
	int fd;

	fd = mkstemp(path);
	ok(fd >= 0 && !ftruncate(fd, 8 << 20), "an 8 MiB file");
	is_int(fl_part_read(path, &parts, &n), 0, "no table: read");
	ok(n == 0 && parts == NULL, "no table: no partitions");

	entry(mbr, 0, 0x83, 2048, 4096);
	entry(mbr, 1, 0x83, 6144, 8192);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
	ok(pwrite(fd, mbr, sizeof(mbr), 0) == (ssize_t)sizeof(mbr), "an MBR with two partitions");
	is_int(fl_part_read(path, &parts, &n), 0, "MBR: read");
	is_int(n, 2, "two partitions");
	if (n == 2) {
		ok(parts[0].partno == 1 && parts[0].start == 2048 &&
		   parts[0].sectors == 4096 && !parts[0].extended,
		   "partition 1: sectors 2048+4096");
		ok(parts[1].partno == 2 && parts[1].start == 6144 &&
		   parts[1].sectors == 8192, "partition 2: sectors 6144+8192");
	}
	free(parts);
	close(fd);
	unlink(path);
	is_int(fl_part_read(path, &parts, &n), -ENOENT, "no such file: -ENOENT");

	ok(!fl_part_name("vault", 2, name, sizeof(name)) &&
	   !strcmp(name, "vaultp2"), "NAMEpN");
	memset(name, 'x', 125);
	name[125] = '\0';
	{
		char out[200], parent[126];

		memcpy(parent, name, sizeof(parent));
		is_int(fl_part_name(parent, 1, out, sizeof(out)), 0,
		       "127 characters is a dm name");
		is_int(fl_part_name(parent, 10, out, sizeof(out)),
		       -ENAMETOOLONG, "128 is not");
	}
	return done_testing();
}
