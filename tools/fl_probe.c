// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <blkid/blkid.h>

#include "fl_probe.h"

int fl_probe_type(const char *path, uint64_t offset, char **type)
{
	blkid_probe pr;
	const char *val;
	size_t len;
	int fd, r;

	*type = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	pr = blkid_new_probe();
	if (!pr) {
		close(fd);
		return -ENOMEM;
	}
	/* Probe the image where the mapping will start, not the file head. */
	r = blkid_probe_set_device(pr, fd, (blkid_loff_t)offset, 0);
	if (r) {
		r = -EINVAL;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE);
	r = blkid_do_safeprobe(pr);
	if (r == 1 || r == -2) {
		/* nothing found, or ambiguous: not something to act on */
		r = 0;
		goto out;
	}
	if (r < 0) {
		r = -EIO;
		goto out;
	}
	r = 0;
	if (!blkid_probe_lookup_value(pr, "TYPE", &val, &len) && val) {
		*type = strdup(val);
		if (!*type)
			r = -ENOMEM;
	}
out:
	blkid_free_probe(pr);
	close(fd);
	return r;
}
