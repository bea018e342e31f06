// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/fs.h>

#include "fl_dm.h"
#include "fl_snapshot.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The whole of src into dst, by the kernel (copy_file_range). */
static int copy_all(int src, int dst, uint64_t size)
{
	loff_t in = 0, out = 0;

	while ((uint64_t)in < size) {
		ssize_t n = copy_file_range(src, &in, dst, &out,
					    size - (uint64_t)in, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the file shrank under us */
	}
	return 0;
}

/* A clone that cannot be: this filesystem, or two of them. */
static bool no_clone(int r)
{
	return r == -EOPNOTSUPP || r == -ENOTTY || r == -EXDEV ||
	       r == -EINVAL;
}

int fl_snapshot(const char *dm_name, const char *file, const char *dest,
		bool copy, struct fl_snapshot *s)
{
	struct stat st;
	uint64_t t0;
	int src, dst, r;

	memset(s, 0, sizeof(*s));
	src = open(file, O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	dst = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0600);
	if (dst < 0) {
		r = -errno;
		close(src);
		return r;
	}
	/* New I/O waits from the start of the suspend. */
	t0 = now_ns();
	r = fl_dm_suspend(dm_name);
	if (r)
		goto out;
	r = fstat(src, &st) ? -errno : 0;
	if (!r)
		r = ioctl(dst, FICLONE, src) ? -errno : 0;
	if (no_clone(r)) {
		s->copied = copy;
		r = copy ? copy_all(src, dst, (uint64_t)st.st_size) : -EOPNOTSUPP;
	}
	if (!r)
		s->bytes = (uint64_t)st.st_size;
	s->resume_err = fl_dm_resume(dm_name);
	s->frozen_ns = now_ns() - t0;
	if (!r && s->resume_err)
		r = s->resume_err;
out:
	if (!r && fsync(dst))
		r = -errno;
	if (close(dst) && !r)
		r = -errno;
	close(src);
	if (r)
		unlink(dest);
	return r;
}
