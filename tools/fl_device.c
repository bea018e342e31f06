// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The device context: its life, the checks before a build, and finding
 * devices (by name, and by the file they map).  See fl_device.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/fs.h>

#include "fl_device.h"
#include "fl_device_int.h"
#include "fl_dm.h"
#include "fl_mount.h"
#include "fl_probe.h"
#include "fl_strv.h"

void fl_device_init(struct fl_device *dev, const struct fl_device_params *p)
{
	memset(dev, 0, sizeof(*dev));
	dev->p = *p;
	dev->luks = p->luks;
	dev->undo.name = p->name;
	dev->undo_ops = &fl_undo_system;
	dev->token = -1;
}

void fl_device_set_event(struct fl_device *dev, fl_device_event_fn fn,
			 void *priv)
{
	dev->event = fn;
	dev->event_priv = priv;
}

void fl_device_set_pass_fn(struct fl_device *dev, fl_device_pass_fn fn,
			   void *priv)
{
	dev->ask_pass = fn;
	dev->ask_pass_priv = priv;
}

void fl_device_free(struct fl_device *dev)
{
	size_t i;

	for (i = 0; dev->segs && i < dev->p.nextra; i++) {
		free(dev->segs[i].path);
		free(dev->segs[i].table);
	}
	free(dev->segs);
	free(dev->path);
	free(dev->file_layer);
	free(dev->table);
	free(dev->mounted_on);
	free(dev->limit);
	free(dev->err.holder);
	free(dev->err.holder_as);
	free(dev->err.mount);
	if (dev->have_found)
		fl_dev_free(&dev->found);
	memset(dev, 0, sizeof(*dev));
}

int fl_device_fail(struct fl_device *dev, enum fl_step step, int err,
		   const char *object)
{
	dev->err.step = step;
	dev->err.err = err;
	dev->err.object = object;
	return err;
}

void fl_device_note(const struct fl_device *dev, enum fl_event ev)
{
	if (dev->event)
		dev->event(dev, ev, dev->event_priv);
}

int fl_backing_size(const char *path, uint64_t *size, struct stat *out)
{
	struct stat st;
	int fd, r = 0;

	if (stat(path, &st))
		return -errno;
	if (out)
		*out = st;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (!S_ISBLK(st.st_mode))
		return -EMEDIUMTYPE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, BLKGETSIZE64, size))
		r = -errno;
	close(fd);
	return r;
}

/* Does the target report st's file as the one it opened (target 1.1)? */
bool fl_same_file(const struct fl_stats *s, const struct stat *st)
{
	return s->file_major == major(st->st_dev) &&
	       s->file_minor == minor(st->st_dev) &&
	       s->file_ino == (uint64_t)st->st_ino;
}

/*
 * Which segment of d maps target's inode (-1: none)?  The target says
 * which file it opened; an older one is asked through its table's path,
 * which a rename or unlink since may have moved.
 */
static int maps_file(const struct fl_dev *d, const struct stat *target)
{
	struct stat st;
	unsigned i;

	for (i = 0; i < d->segments; i++) {
		const struct fl_segment *g = &d->segs[i];

		if (g->have_stats && g->stats.have_file_id ?
		    fl_same_file(&g->stats, target) :
		    !stat(g->params.path, &st) &&
		    st.st_dev == target->st_dev && st.st_ino == target->st_ino)
			return (int)i;
	}
	return -1;
}

int fl_device_find_holder(const struct stat *target, const char *skip,
			  char **name, char **as)
{
	struct fl_dev *devs;
	size_t n, i;
	int r;

	*name = *as = NULL;
	r = fl_list_all(&devs, &n);
	if (r)
		return r;
	for (i = 0; i < n && !*name; i++) {
		int g;

		if (skip && !strcmp(devs[i].dm_name, skip))
			continue;
		g = maps_file(&devs[i], target);
		if (g < 0)
			continue;
		*name = strdup(devs[i].name);
		*as = strdup(devs[i].segs[g].params.path);
		if (!*name || !*as)
			r = -ENOMEM;
	}
	fl_devs_free(devs, n);
	if (r) {
		free(*name);
		free(*as);
		*name = *as = NULL;
	}
	return r;
}

int fl_device_find_mounted(const char *dir, char **name)
{
	struct fl_dev *devs;
	char *abs, **mounts, **m;
	size_t n, i;
	int r;

	*name = NULL;
	abs = realpath(dir, NULL);
	if (!abs)
		return -errno;
	r = fl_list_all(&devs, &n);
	if (r) {
		free(abs);
		return r;
	}
	for (i = 0; !r && i < n && !*name; i++) {
		r = fl_mounts_of(devs[i].top_devno, &mounts);
		for (m = mounts; !r && m && *m && !*name; m++) {
			if (strcmp(*m, abs))
				continue;
			*name = strdup(devs[i].name);
			if (!*name)
				r = -ENOMEM;
		}
		fl_strv_free(mounts);
	}
	fl_devs_free(devs, n);
	free(abs);
	return r ?: *name ? 0 : -ENOENT;
}

int fl_device_find(struct fl_device *dev, const char *name)
{
	int r = fl_list_one(name, &dev->found);

	if (r)
		return fl_device_fail(dev, FL_STEP_FIND, r, name);
	dev->have_found = true;
	snprintf(dev->top_dev, sizeof(dev->top_dev), "/dev/mapper/%s",
		 dev->found.top);
	return 0;
}

/*
 * A file some mapping is using must not be overwritten, under any of its
 * names: a hard link or a bind mount is another path to the same file, so
 * compare inodes, not paths.
 */
int fl_device_check_not_mapped(struct fl_device *dev, const struct stat *st)
{
	int r;

	r = fl_device_find_holder(st, NULL, &dev->err.holder,
				  &dev->err.holder_as);
	if (r)
		return fl_device_fail(dev, FL_STEP_LIST, r, NULL);
	if (dev->err.holder)
		return fl_device_fail(dev, FL_STEP_IN_USE, -EBUSY, dev->path);
	return 0;
}

static int check_unmapped(struct fl_device *dev, const char *name)
{
	struct fl_dm_info di;
	int r;

	r = fl_dm_info(name, &di);
	if (r)
		return fl_device_fail(dev, FL_STEP_QUERY, r, name);
	if (di.exists)
		return fl_device_fail(dev, FL_STEP_EXISTS, -EEXIST, name);
	return 0;
}

int fl_device_check_free(struct fl_device *dev)
{
	const char *name = dev->p.name;
	struct stat st;
	int r;

	dev->err.name_verdict = fl_name_check(name, dev->luks, &dev->err.bad);
	if (dev->err.name_verdict != FL_NAME_OK)
		return fl_device_fail(dev, FL_STEP_NAME, -EINVAL, name);
	if (dev->luks) {
		dev->file_layer = fl_file_layer_name(name);
		if (!dev->file_layer)
			return fl_device_fail(dev, FL_STEP_NONE, -ENOMEM, NULL);
	}
	dev->map_name = dev->luks ? dev->file_layer : name;
	dev->undo.map_name = dev->map_name;
	r = check_unmapped(dev, name);
	if (!r && dev->luks)
		r = check_unmapped(dev, dev->file_layer);
	if (r || !dev->p.mount)
		return r;
	if (stat(dev->p.mount, &st))
		return fl_device_fail(dev, FL_STEP_MOUNT_DIR, -errno,
				      dev->p.mount);
	if (!S_ISDIR(st.st_mode))
		return fl_device_fail(dev, FL_STEP_MOUNT_DIR, -ENOTDIR,
				      dev->p.mount);
	return 0;
}

int fl_new_file(const char *path, uint64_t size, bool allocate,
		struct stat *st, bool *made)
{
	int fd, r = 0;

	*made = false;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return -errno;
	*made = true;
	if (allocate)
		r = -posix_fallocate(fd, 0, (off_t)size);
	else if (ftruncate(fd, (off_t)size))
		r = -errno;
	if (!r && fsync(fd))
		r = -errno;
	if (!r && fstat(fd, st))
		r = -errno;
	close(fd);
	if (r)
		unlink(path);
	return r;
}

int fl_new_file_path(const char *file, char **out)
{
	char *d = strdup(file), *b = strdup(file), *dir = NULL;
	int r = 0;

	if (!d || !b) {
		r = -ENOMEM;
		goto out;
	}
	dir = realpath(dirname(d), NULL);
	if (!dir) {
		r = -errno;
		goto out;
	}
	if (asprintf(out, "%s/%s", strcmp(dir, "/") ? dir : "", basename(b)) < 0)
		r = -ENOMEM;
out:
	free(dir);
	free(d);
	free(b);
	return r;
}

static int geometry(struct fl_device *dev)
{
	dev->err.geom = fl_geom_sectors(dev->file_size, dev->p.offset,
					dev->p.sizelimit,
					dev->p.map.block_size, &dev->sectors);
	if (dev->err.geom != FL_GEOM_OK)
		return fl_device_fail(dev, FL_STEP_GEOMETRY, -EINVAL,
				      dev->path);
	return 0;
}

/*
 * create --file: further files to make, FILE:OFFSET:SIZE each, which must
 * not exist (create overwrites only its FILE, with --force).
 */
static int prepare_extra_new(struct fl_device *dev)
{
	struct stat st;
	size_t i;
	int r;

	if (!dev->p.nextra)
		return 0;
	if (dev->p.nextra > FL_UNDO_FILES)
		return fl_device_fail(dev, FL_STEP_NONE, -E2BIG, NULL);
	dev->segs = calloc(dev->p.nextra, sizeof(*dev->segs));
	if (!dev->segs)
		return fl_device_fail(dev, FL_STEP_NONE, -ENOMEM, NULL);
	for (i = 0; i < dev->p.nextra; i++) {
		const struct fl_extent *e = &dev->p.extra[i];
		struct fl_seg *g = &dev->segs[i];

		r = fl_new_file_path(e->file, &g->path);
		if (r)
			return fl_device_fail(dev, FL_STEP_PATH, r, e->file);
		if (!lstat(g->path, &st))
			return fl_device_fail(dev, FL_STEP_IMAGE_CREATE,
					      -EEXIST, e->file);
		g->offset = e->offset / FL_SECTOR;
		g->sectors = e->size / FL_SECTOR;
		dev->sectors += g->sectors;
	}
	return 0;
}

int fl_device_prepare_create(struct fl_device *dev)
{
	int r;

	dev->luks = dev->p.luks;
	r = fl_new_file_path(dev->p.file, &dev->path);
	if (r)
		return fl_device_fail(dev, FL_STEP_PATH, r, dev->p.file);
	/* Before the passphrase is asked for; the build checks again. */
	if (dev->p.force && !stat(dev->path, &dev->st) &&
	    (r = fl_device_check_not_mapped(dev, &dev->st)))
		return r;
	dev->file_size = dev->p.size;
	r = geometry(dev);
	if (!r)
		r = prepare_extra_new(dev);
	if (r)
		return r;
	if (dev->luks && !fl_geom_luks_fits(dev->sectors)) {
		dev->err.value = dev->sectors;
		return fl_device_fail(dev, FL_STEP_LUKS_SIZE, -EINVAL, NULL);
	}
	return 0;
}

/* Do two ranges of sectors of one inode overlap? */
static bool overlap(const struct stat *a, uint64_t aoff, uint64_t alen,
		    const struct stat *b, uint64_t boff, uint64_t blen)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       aoff < boff + blen && boff < aoff + alen;
}

/*
 * The files after the first: each a regular file or block device with
 * room for its range, the ranges of one file apart (the kernel lets one
 * device map a range twice; no user means to).
 */
static int prepare_extra(struct fl_device *dev)
{
	unsigned bs = dev->p.map.block_size;
	size_t i, j;
	int r;

	if (!dev->p.nextra)
		return 0;
	dev->segs = calloc(dev->p.nextra, sizeof(*dev->segs));
	if (!dev->segs)
		return fl_device_fail(dev, FL_STEP_NONE, -ENOMEM, NULL);
	for (i = 0; i < dev->p.nextra; i++) {
		const struct fl_extent *e = &dev->p.extra[i];
		struct fl_seg *g = &dev->segs[i];
		uint64_t size;

		g->path = realpath(e->file, NULL);
		if (!g->path)
			return fl_device_fail(dev, FL_STEP_PATH, -errno,
					      e->file);
		r = fl_backing_size(g->path, &size, &g->st);
		if (r)
			return fl_device_fail(dev, r == -EMEDIUMTYPE ?
					      FL_STEP_NOT_BACKING :
					      FL_STEP_PATH, r, e->file);
		dev->err.geom = fl_geom_sectors(size, e->offset, e->size, bs,
						&g->sectors);
		if (dev->err.geom != FL_GEOM_OK) {
			dev->err.value = size;
			return fl_device_fail(dev, FL_STEP_GEOMETRY, -EINVAL,
					      e->file);
		}
		g->offset = e->offset / FL_SECTOR;
		if (overlap(&g->st, g->offset, g->sectors, &dev->st,
			    dev->p.offset / FL_SECTOR, dev->sectors))
			return fl_device_fail(dev, FL_STEP_OVERLAP, -EINVAL,
					      e->file);
		for (j = 0; j < i; j++)
			if (overlap(&g->st, g->offset, g->sectors,
				    &dev->segs[j].st, dev->segs[j].offset,
				    dev->segs[j].sectors))
				return fl_device_fail(dev, FL_STEP_OVERLAP,
						      -EINVAL, e->file);
	}
	/* From here dev->sectors is the whole device. */
	for (i = 0; i < dev->p.nextra; i++)
		dev->sectors += dev->segs[i].sectors;
	return 0;
}

int fl_device_prepare_open(struct fl_device *dev)
{
	char *type = NULL;
	int r;

	dev->path = realpath(dev->p.file, NULL);
	if (!dev->path)
		return fl_device_fail(dev, FL_STEP_PATH, -errno, dev->p.file);
	r = fl_backing_size(dev->path, &dev->file_size, &dev->st);
	if (r)
		return fl_device_fail(dev, r == -EMEDIUMTYPE ?
				      FL_STEP_NOT_BACKING : FL_STEP_PATH, r,
				      dev->p.file);
	r = geometry(dev);
	if (r)
		return r;
	/* no_probe decides without reading the file. */
	if (!dev->p.no_probe) {
		r = fl_probe_type(dev->path, dev->p.offset, &type);
		if (r)
			return fl_device_fail(dev, FL_STEP_PROBE, r, dev->path);
	}
	dev->luks = type && !strcmp(type, FL_TYPE_LUKS);
	free(type);
	return prepare_extra(dev);
}
