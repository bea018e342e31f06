// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <blkid.h>

#include "fl_dm.h"
#include "fl_part.h"
#include "fl_strv.h"

/* DM_NAME_LEN and DM_UUID_LEN count the NUL. */
#define DM_NAME_MAX	127
#define DM_UUID_MAX	128

int fl_part_read(const char *path, struct fl_part **parts, size_t *n)
{
	blkid_partlist ls;
	blkid_probe pr;
	int i, cnt, r = 0;

	*parts = NULL;
	*n = 0;
	pr = blkid_new_probe_from_filename(path);
	if (!pr)
		return errno ? -errno : -EIO;
	if (blkid_probe_enable_partitions(pr, 1) ||
	    blkid_probe_enable_superblocks(pr, 0)) {
		r = -ENOMEM;
		goto out;
	}
	ls = blkid_probe_get_partitions(pr);
	cnt = ls ? blkid_partlist_numof_partitions(ls) : 0;
	if (cnt <= 0)
		goto out;
	*parts = calloc((size_t)cnt, sizeof(**parts));
	if (!*parts) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < cnt; i++) {
		blkid_partition p = blkid_partlist_get_partition(ls, i);
		struct fl_part *fp = &(*parts)[i];

		if (!p || blkid_partition_get_partno(p) <= 0 ||
		    blkid_partition_get_start(p) < 0 ||
		    blkid_partition_get_size(p) <= 0) {
			r = -EBADMSG;
			break;
		}
		fp->partno = (unsigned)blkid_partition_get_partno(p);
		fp->start = (uint64_t)blkid_partition_get_start(p);
		fp->sectors = (uint64_t)blkid_partition_get_size(p);
		fp->extended = blkid_partition_is_extended(p);
	}
	if (r) {
		free(*parts);
		*parts = NULL;
	} else {
		*n = (size_t)cnt;
	}
out:
	blkid_free_probe(pr);
	return r;
}

int fl_part_name(const char *parent, unsigned partno, char *out, size_t len)
{
	int w = snprintf(out, len, "%sp%u", parent, partno);

	return w < 0 || (size_t)w >= len || (size_t)w > DM_NAME_MAX ?
		-ENAMETOOLONG : 0;
}

static int child_uuid(unsigned partno, const char *parent_uuid, char *out,
		      size_t len)
{
	int w = snprintf(out, len, "part%u-%s", partno, parent_uuid);

	return w < 0 || (size_t)w >= len || (size_t)w >= DM_UUID_MAX ?
		-ENAMETOOLONG : 0;
}

static int map_one(const char *parent, const struct fl_dm_info *pi,
		   const struct fl_part *p, bool read_only)
{
	char name[DM_NAME_MAX + 2], uuid[DM_UUID_MAX + 8], params[64];
	/* What the kernel shows of an extended partition: 1 KiB. */
	uint64_t sectors = p->extended && p->sectors > 2 ? 2 : p->sectors;
	int r;

	r = fl_part_name(parent, p->partno, name, sizeof(name)) ?:
	    child_uuid(p->partno, pi->uuid, uuid, sizeof(uuid));
	if (r)
		return r;
	snprintf(params, sizeof(params), "%u:%u %" PRIu64, pi->major,
		 pi->minor, p->start);
	return fl_dm_create_target(name, uuid, sectors, "linear", params,
				   read_only);
}

int fl_part_map(const char *parent, const struct fl_part *parts, size_t n,
		bool read_only, unsigned *failed)
{
	struct fl_dm_info pi;
	size_t i;
	int r;

	r = fl_dm_info(parent, &pi);
	if (r)
		return r;
	if (!pi.exists)
		return -ENODEV;
	if (!pi.uuid[0])
		return -EINVAL;		/* children are found by UUID */
	for (i = 0; i < n; i++) {
		r = map_one(parent, &pi, &parts[i], read_only);
		if (r)
			break;
	}
	if (!r)
		return 0;
	if (failed)
		*failed = parts[i].partno;
	while (i--) {
		char name[DM_NAME_MAX + 2];

		if (!fl_part_name(parent, parts[i].partno, name, sizeof(name)))
			fl_dm_remove(name);
	}
	return r;
}

/* "partN-<uuid>" for some N > 0. */
static bool is_child(const char *kid_uuid, const char *uuid)
{
	const char *s;
	char *end;

	if (strncmp(kid_uuid, "part", 4))
		return false;
	s = kid_uuid + 4;
	if (strtoul(s, &end, 10) == 0 || end == s || *end != '-')
		return false;
	return !strcmp(end + 1, uuid);
}

int fl_part_children(dev_t dev, const char *uuid, char ***names)
{
	char **holders, **uuids;
	size_t i, n = 0;
	int r;

	*names = NULL;
	if (!uuid[0])
		return 0;
	r = fl_dm_holders(dev, &holders, &uuids);
	for (i = 0; !r && holders && holders[i]; i++)
		if (is_child(uuids[i], uuid))
			r = fl_strv_append(names, &n, holders[i]);
	fl_strv_free(holders);
	fl_strv_free(uuids);
	if (r) {
		fl_strv_free(*names);
		*names = NULL;
	}
	return r;
}

int fl_part_remove(const char *parent, char **busy)
{
	struct fl_dm_info pi, ci;
	char **kids, **k;
	int r;

	*busy = NULL;
	r = fl_dm_info(parent, &pi);
	if (r || !pi.exists)
		return r;
	r = fl_part_children(makedev(pi.major, pi.minor), pi.uuid, &kids);
	if (r)
		return r;
	/* All or none: a partition in use keeps every one. */
	for (k = kids; k && *k; k++) {
		if (!fl_dm_info(*k, &ci) && ci.open_count > 0) {
			*busy = strdup(*k);
			fl_strv_free(kids);
			return *busy ? -EBUSY : -ENOMEM;
		}
	}
	for (k = kids; !r && k && *k; k++) {
		r = fl_dm_remove(*k);
		if (r == -EBUSY) {
			*busy = strdup(*k);
			if (!*busy)
				r = -ENOMEM;
		}
	}
	fl_strv_free(kids);
	return r;
}
