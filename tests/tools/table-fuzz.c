// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * table-fuzz: load random and mutated fileloop table lines, syzkaller
 * style, and check that each one is either refused with a message in the
 * kernel log or makes a working device that goes away again.
 *
 *   table-fuzz -n LINES -s SEED -d DIR
 *
 * DIR holds the files lines point at (see tests/guest/32-table-fuzz.t).
 * Prints one line per refusal message seen ("msg COUNT TEXT") and a
 * summary ("lines N created C unreadable U refused R libdm L silent S
 * bad B"); exits 1 if a line was refused without a message, a device
 * could not be opened or removed, or is left behind.  A device whose
 * first read fails (unreadable) is not an error: the read ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libdevmapper.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME "flt-fuzz"
#define MAX_LINE 8192
#define MAX_MSGS 256

static const char *dir;
static uint64_t rng;
static int kmsg = -1;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible from the seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static const char *one_of(const char *const *v, unsigned n)
{
	return v[pick(n)];
}
#define ONE_OF(v) one_of(v, sizeof(v) / sizeof(v[0]))

static const char *const numbers[] = {
	"0", "1", "7", "8", "511", "512", "1024", "2048", "4096", "8192",
	"16383", "16384", "16385", "32768", "65536", "2147483647",
	"2147483648", "4294967295", "4294967296", "4294967297",
	"9223372036854775807", "9223372036854775808",
	"18446744073709551615", "18446744073709551616",
	"36893488147419103232", "-1", "-0", "+1", "0x10", "010", "1e3",
	"", "1.5", "99999999999999999999999999", "0000000000000000000008",
};

static const char *const files[] = {
	"reg.img", "small.img", "dir", "fifo", "link.img", "dangling",
	"with\\040space.img", "ro/reg.img", "no/such.img", "reg.img/x",
	"%BDEV%", "/dev/null", "/dev/zero", "/proc/version",
	"/sys/kernel/mm/transparent_hugepage/enabled", "/", "relative.img",
	"reg\\000.img", "reg\\777.img", "reg\\", "\\", "with space.img",
};

static const char *const features[] = {
	"direct_io", "buffered_io", "no_discard", "shared", "block_size",
	"DIRECT_IO", "Buffered_IO", "No_Discard", "SHARED", "BLOCK_SIZE",
	"discard", "direct", "", "block_size 4096", "block_size 512",
	"block_size 1024", "block_size 3000", "block_size 8192",
	"block_size -4096", "block_size 4294971392", "shared shared",
};

struct msg_count {
	char text[200];
	unsigned count;
};
static struct msg_count msgs[MAX_MSGS];
static unsigned nmsgs;

static void note_msg(const char *text)
{
	unsigned i;

	for (i = 0; i < nmsgs; i++)
		if (!strcmp(msgs[i].text, text)) {
			msgs[i].count++;
			return;
		}
	if (nmsgs < MAX_MSGS) {
		snprintf(msgs[nmsgs].text, sizeof(msgs[nmsgs].text), "%s", text);
		msgs[nmsgs++].count = 1;
	}
}

/* /dev/kmsg writes a backslash and unprintable bytes as \xNN. */
static void unescape_kmsg(char *s)
{
	char *o = s;
	unsigned v;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			*o++ = (char)v;
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/*
 * The device-mapper lines logged since the last call; the fileloop
 * refusal ("... fileloop: TEXT (-Exxx)") is noted.  Returns how many
 * device-mapper lines there were.
 */
static unsigned read_kmsg(void)
{
	char rec[2048], *m, *t, *e;
	unsigned dm = 0;
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		unescape_kmsg(rec);
		m = strchr(rec, ';');
		if (!m || !strstr(m, "device-mapper:"))
			continue;
		dm++;
		t = strstr(m, ": fileloop: ");
		if (t && strstr(m, "device-mapper: table:")) {
			t += strlen(": fileloop: ");
			e = strrchr(t, '(');
			if (e && e > t)
				e[-1] = '\0';
			note_msg(t);
		}
	}
	return dm;
}

static size_t add(char *line, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static size_t add(char *line, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (len >= MAX_LINE - 1)
		return len;
	va_start(ap, fmt);
	n = vsnprintf(line + len, MAX_LINE - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return len;
	len += (size_t)n;
	return len < MAX_LINE ? len : MAX_LINE - 1;
}

static void make_params(char *line, const char *bdev)
{
	const char *f = ONE_OF(files);
	unsigned i, nf;
	size_t len = 0;

	if (!strcmp(f, "%BDEV%"))
		len = add(line, len, "%s", bdev);
	else if (f[0] == '/' || !strcmp(f, "relative.img"))
		len = add(line, len, "%s", f);
	else
		len = add(line, len, "%s/%s", dir, f);
	if (pick(8))
		len = add(line, len, " %s", pick(2) ? "0" : ONE_OF(numbers));
	nf = pick(6);
	if (nf) {
		len = add(line, len, " %s", pick(4) ? "" : ONE_OF(numbers));
		if (line[len - 1] == ' ')
			len = add(line, len, "%u", pick(7));
		for (i = 0; i < nf; i++)
			len = add(line, len, " %s", ONE_OF(features));
	}
	/* Mutations: a byte flipped, the line cut, a word doubled. */
	switch (pick(10)) {
	case 0:
		if (len)
			line[pick((unsigned)len)] = (char)(1 + pick(255));
		break;
	case 1:
		line[pick((unsigned)len + 1)] = '\0';
		break;
	case 2:
		if (len < MAX_LINE / 2)
			add(line, len, " %.*s", (int)(len / 2), line);
		break;
	case 3:
		/* A very long path. */
		len = 0;
		len = add(line, len, "%s/", dir);
		for (i = 0; i < 40; i++)
			len = add(line, len, "%s", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		add(line, len, " 0");
		break;
	}
}

static int load(const char *params, uint64_t length, bool ro, int *err)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_CREATE);
	int r = -1;

	*err = 0;
	if (!dmt)
		return -1;
	if (dm_task_set_name(dmt, NAME) &&
	    (!ro || dm_task_set_ro(dmt)) &&
	    dm_task_add_target(dmt, 0, length, "fileloop", params)) {
		if (dm_task_run(dmt))
			r = 0;
		else
			*err = dm_task_get_errno(dmt);
	} else {
		*err = -1;	/* libdevmapper refused to build the task */
	}
	dm_task_update_nodes();
	dm_task_destroy(dmt);
	return r;
}

static int remove_dev(void)
{
	struct dm_task *dmt;
	int i, ok = 0;

	for (i = 0; i < 20 && !ok; i++) {
		dmt = dm_task_create(DM_DEVICE_REMOVE);
		if (!dmt)
			return -1;
		ok = dm_task_set_name(dmt, NAME) && dm_task_run(dmt);
		dm_task_update_nodes();
		dm_task_destroy(dmt);
		if (!ok)
			usleep(50000);
	}
	return ok ? 0 : -1;
}

static int exists(void)
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_INFO);
	struct dm_info info = { 0 };

	if (!dmt)
		return 1;
	if (dm_task_set_name(dmt, NAME) && dm_task_run(dmt))
		dm_task_get_info(dmt, &info);
	dm_task_destroy(dmt);
	return info.exists;
}

static void quiet_log(int level, const char *file, int line, int dm_errno,
		      const char *f, ...)
{
	(void)level; (void)file; (void)line; (void)dm_errno; (void)f;
}

int main(int argc, char **argv)
{
	static const uint64_t lengths[] = {
		1, 7, 8, 1024, 2048, 16384, 16385, 32768, 4294967296ULL,
		9223372036854775807ULL, 18446744073709551615ULL,
	};
	unsigned long lines = 1000, i, created = 0, refused = 0, libdm = 0;
	unsigned long silent = 0, bad = 0, unreadable = 0;
	const char *bdev = "/dev/null";
	char line[MAX_LINE], dev[64];
	int opt, err, fd;

	rng = 1;
	while ((opt = getopt(argc, argv, "n:s:d:b:")) != -1) {
		switch (opt) {
		case 'n': lines = strtoul(optarg, NULL, 10); break;
		case 's': rng = strtoull(optarg, NULL, 10) | 1; break;
		case 'd': dir = optarg; break;
		case 'b': bdev = optarg; break;
		default: return 2;
		}
	}
	if (!dir)
		return 2;
	dm_log_with_errno_init(quiet_log);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg < 0 || lseek(kmsg, 0, SEEK_END) < 0) {
		perror("/dev/kmsg");
		return 2;
	}
	snprintf(dev, sizeof(dev), "/dev/mapper/%s", NAME);

	for (i = 0; i < lines; i++) {
		uint64_t length = pick(3) ? 2048 : lengths[pick(11)];
		bool ro = !pick(4);

		memset(line, 0, sizeof(line));
		make_params(line, bdev);
		read_kmsg();
		if (!load(line, length, ro, &err)) {
			char buf[4096];

			created++;
			/*
			 * A read may fail (a pseudo file shorter than its size
			 * reads short, which is an I/O error), but it must end.
			 */
			fd = open(dev, O_RDONLY);
			if (fd < 0) {
				printf("bad: created but cannot be opened (%s): %" PRIu64 " %s\n",
				       strerror(errno), length, line);
				bad++;
			} else if (pread(fd, buf, sizeof(buf), 0) < 0) {
				unreadable++;
			}
			if (fd >= 0)
				close(fd);
			if (remove_dev()) {
				printf("bad: cannot remove: %" PRIu64 " %s\n", length, line);
				bad++;
			}
		} else if (err == -1) {
			libdm++;
		} else {
			refused++;
			if (!read_kmsg()) {
				printf("bad: refused (errno %d) without a message: %" PRIu64 " %s\n",
				       err, length, line);
				silent++;
			}
		}
		if (exists()) {
			printf("bad: left behind: %" PRIu64 " %s\n", length, line);
			bad++;
			remove_dev();
		}
	}
	read_kmsg();
	for (i = 0; i < nmsgs; i++)
		printf("msg %u %s\n", msgs[i].count, msgs[i].text);
	printf("lines %lu created %lu unreadable %lu refused %lu libdm %lu silent %lu bad %lu\n",
	       lines, created, unreadable, refused, libdm, silent, bad);
	return silent || bad;
}
