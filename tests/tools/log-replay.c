// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * log-replay: read a dm-log-writes log (format: the kernel's
 * Documentation/admin-guide/device-mapper/log-writes.rst) and rebuild the
 * logged device from it, entry by entry, as fstests' replay-log does.
 *
 *   log-replay LOG list
 *       one line per entry: INDEX FLAGS SECTOR NR_SECTORS [MARK]
 *       FLAGS is a string of F (flush), U (FUA), D (discard), M (mark),
 *       m (metadata) or -; SECTOR and NR_SECTORS in 512-byte sectors
 *   log-replay LOG apply FROM TO TARGET
 *       apply entries FROM..TO-1 to the file or device TARGET: writes are
 *       written, discards zeroed
 *
 * Exit status 0, 1 on a malformed log or an I/O error (with a message).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WRITE_LOG_MAGIC		0x6a736677736872ULL
#define WRITE_LOG_VERSION	1ULL
#define LOG_FLUSH_FLAG		(1 << 0)
#define LOG_FUA_FLAG		(1 << 1)
#define LOG_DISCARD_FLAG	(1 << 2)
#define LOG_MARK_FLAG		(1 << 3)
#define LOG_METADATA_FLAG	(1 << 4)

/* On the log, little endian: the super block, then each entry's block. */
struct log_super {
	uint64_t magic, version, nr_entries;
	uint32_t sectorsize;
} __attribute__((packed));

struct log_entry {
	uint64_t sector, nr_sectors, flags, data_len;
} __attribute__((packed));

static int log_fd;
static uint32_t bsize;		/* the log's block size */
static uint64_t nr_entries;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "log-replay: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static void read_at(void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(log_fd, buf, len, (off_t)off);

	if (n != (ssize_t)len)
		die("short read of the log: %s", n < 0 ? strerror(errno) : "end");
}

/*
 * Entry i's block; entries follow one another: a header block, then for
 * a write its data blocks.  Walks from the last position asked for, so a
 * pass over the log reads each header once.
 */
static uint64_t entry_block(uint64_t i, struct log_entry *e)
{
	static uint64_t cur_i, cur_blk = 1;
	unsigned char *b = malloc(bsize);

	if (!b)
		die("%s", "out of memory");
	if (i < cur_i) {
		cur_i = 0;
		cur_blk = 1;
	}
	for (;;) {
		read_at(b, bsize, cur_blk * bsize);
		memcpy(e, b, sizeof(*e));
		e->sector = le64toh(e->sector);
		e->nr_sectors = le64toh(e->nr_sectors);
		e->flags = le64toh(e->flags);
		e->data_len = le64toh(e->data_len);
		if (cur_i == i)
			break;
		cur_blk += 1 + ((e->flags & LOG_DISCARD_FLAG) ? 0 : e->nr_sectors);
		cur_i++;
	}
	free(b);
	return cur_blk;
}

static void flags_str(uint64_t f, char *s)
{
	char *p = s;

	if (f & LOG_FLUSH_FLAG) *p++ = 'F';
	if (f & LOG_FUA_FLAG) *p++ = 'U';
	if (f & LOG_DISCARD_FLAG) *p++ = 'D';
	if (f & LOG_MARK_FLAG) *p++ = 'M';
	if (f & LOG_METADATA_FLAG) *p++ = 'm';
	if (p == s) *p++ = '-';
	*p = '\0';
}

static void list(void)
{
	struct log_entry e;
	char fl[8], mark[256];
	uint64_t i, blk;
	unsigned char *b = malloc(bsize);

	if (!b)
		die("%s", "out of memory");
	for (i = 0; i < nr_entries; i++) {
		blk = entry_block(i, &e);
		flags_str(e.flags, fl);
		mark[0] = '\0';
		if ((e.flags & LOG_MARK_FLAG) &&
		    e.data_len < sizeof(mark) &&
		    e.data_len <= bsize - sizeof(e)) {
			read_at(b, bsize, blk * bsize);
			memcpy(mark, b + sizeof(e), e.data_len);
			mark[e.data_len] = '\0';
		}
		/* Sectors of the log's block size, printed as 512-byte ones. */
		printf("%" PRIu64 " %s %" PRIu64 " %" PRIu64 "%s%s\n", i, fl,
		       e.sector * (bsize / 512), e.nr_sectors * (bsize / 512),
		       mark[0] ? " " : "", mark);
	}
	free(b);
}

static void apply(uint64_t from, uint64_t to, const char *target)
{
	int fd = open(target, O_WRONLY);
	struct log_entry e;
	uint64_t i, blk, len;
	unsigned char *buf;

	if (fd < 0)
		die("cannot open %s", target);
	for (i = from; i < to && i < nr_entries; i++) {
		blk = entry_block(i, &e);
		if (e.flags & LOG_MARK_FLAG || !e.nr_sectors)
			continue;
		len = e.nr_sectors * bsize;
		buf = calloc(1, len);
		if (!buf)
			die("%s", "out of memory");
		if (!(e.flags & LOG_DISCARD_FLAG))
			read_at(buf, len, (blk + 1) * bsize);
		if (pwrite(fd, buf, len, (off_t)(e.sector * bsize)) != (ssize_t)len)
			die("cannot write %s", target);
		free(buf);
	}
	if (fsync(fd) || close(fd))
		die("cannot write %s", target);
}

int main(int argc, char **argv)
{
	struct log_super s;

	if (argc < 3)
		die("%s", "usage: log-replay LOG list | apply FROM TO TARGET");
	log_fd = open(argv[1], O_RDONLY);
	if (log_fd < 0)
		die("cannot open %s", argv[1]);
	read_at(&s, sizeof(s), 0);
	if (le64toh(s.magic) != WRITE_LOG_MAGIC ||
	    le64toh(s.version) != WRITE_LOG_VERSION)
		die("%s is not a dm-log-writes log", argv[1]);
	bsize = le32toh(s.sectorsize);
	if (bsize < 512 || bsize > 65536 || (bsize & (bsize - 1)))
		die("%s: bad sector size in the super block", argv[1]);
	nr_entries = le64toh(s.nr_entries);

	if (!strcmp(argv[2], "list")) {
		list();
	} else if (!strcmp(argv[2], "apply") && argc == 6) {
		apply(strtoull(argv[3], NULL, 10), strtoull(argv[4], NULL, 10),
		      argv[5]);
	} else {
		die("%s", "usage: log-replay LOG list | apply FROM TO TARGET");
	}
	return 0;
}
