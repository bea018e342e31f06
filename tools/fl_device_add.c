// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resize --add-file: a device grows onto another file, made (0600) when
 * it is missing, as one more table line after the others; an atomic
 * reload, then LUKS.  A failure puts the old table back and removes the
 * file if it made it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fl_device_int.h"
#include "fl_dm.h"

int fl_device_add_prepare(struct fl_device *dev, const struct fl_extent *e,
			  bool *need_key)
{
	const struct fl_dev *d = &dev->found;
	unsigned bs = d->params.block_size;
	struct fl_seg *g;
	uint64_t size;
	int r;

	*need_key = false;
	if (d->read_only || (d->luks && strcmp(d->luks, d->name))) {
		dev->err.resize = d->read_only ? FL_RESIZE_READ_ONLY :
						 FL_RESIZE_FOREIGN_LUKS;
		return fl_device_fail(dev, FL_STEP_RESIZE_POLICY,
				      d->read_only ? -EROFS : -EBUSY, d->name);
	}
	dev->p.extra = e;
	dev->p.nextra = 1;
	dev->segs = calloc(1, sizeof(*dev->segs));
	if (!dev->segs)
		return fl_device_fail(dev, FL_STEP_NONE, -ENOMEM, NULL);
	g = &dev->segs[0];
	r = fl_new_file_path(e->file, &g->path);
	if (r)
		return fl_device_fail(dev, FL_STEP_PATH, r, e->file);
	r = fl_backing_size(g->path, &size, &g->st);
	if (r == -ENOENT && dev->p.size) {
		dev->add_new = true;
		size = dev->p.size;
	} else if (r == -ENOENT) {
		return fl_device_fail(dev, FL_STEP_ADD_SIZE, r, e->file);
	} else if (r) {
		return fl_device_fail(dev, r == -EMEDIUMTYPE ?
				      FL_STEP_NOT_BACKING : FL_STEP_PATH, r,
				      e->file);
	} else if (dev->p.size) {
		return fl_device_fail(dev, FL_STEP_IMAGE_CREATE, -EEXIST,
				      e->file);
	} else {
		dev->path = g->path;	/* for the holder's message */
		r = fl_device_check_not_mapped(dev, &g->st);
		dev->path = NULL;
		if (r)
			return r;
	}
	dev->err.geom = fl_geom_sectors(size, e->offset, e->size, bs,
					&g->sectors);
	if (dev->err.geom != FL_GEOM_OK) {
		dev->err.value = size;
		return fl_device_fail(dev, FL_STEP_GEOMETRY, -EINVAL, e->file);
	}
	g->offset = e->offset / FL_SECTOR;
	dev->new_sectors = d->sectors + g->sectors;
	dev->plan.new_size = size;
	if (d->luks) {
		r = luks_resize_needs_key(d->luks, need_key);
		if (r)
			return fl_device_fail(dev, FL_STEP_LUKS_QUERY, r,
					      d->luks);
	}
	return 0;
}

/* The new file: O_EXCL, 0600, its size (allocated with p.allocate). */
static int make_file(struct fl_device *dev, struct fl_seg *g)
{
	bool made;
	int r;

	r = fl_new_file(g->path, dev->plan.new_size, dev->p.allocate, &g->st,
			&made);
	if (r && !made)
		return fl_device_fail(dev, FL_STEP_IMAGE_CREATE, r,
				      dev->p.extra[0].file);
	if (r) {
		dev->err.value = dev->plan.new_size;
		return fl_device_fail(dev, FL_STEP_IMAGE_SIZE, r,
				      dev->p.extra[0].file);
	}
	return 0;
}

/* The device's lines, then g's. */
static int make_lines(const struct fl_dev *d, const struct fl_seg *g,
		      struct fl_dm_line **lines, char ***texts)
{
	struct fl_params p = d->segs[0].params;
	int r = fl_device_lines(d, lines, texts);

	if (r)
		return r;
	p.path = g->path;
	p.offset = g->offset;
	r = fl_params_format(&p, &(*texts)[d->segments]);
	(*lines)[d->segments].length = g->sectors;
	(*lines)[d->segments].params = (*texts)[d->segments];
	return r;
}

/* The kernel opened the file we checked (target 1.1 says which)? */
static int check_new_line(struct fl_device *dev, const struct fl_seg *g)
{
	const struct fl_dev *d = &dev->found;
	struct fl_dm_target t;
	struct fl_stats s;
	int r;

	r = fl_dm_table(d->dm_name, true, &t);
	if (!r && t.count != d->segments + 1)
		r = -EINVAL;
	if (!r)
		r = fl_stats_parse(t.all[d->segments], &s);
	fl_dm_target_free(&t);
	if (r)
		return fl_device_fail(dev, FL_STEP_MAP_STATUS, r, d->dm_name);
	if (s.have_file_id && !fl_same_file(&s, &g->st))
		return fl_device_fail(dev, FL_STEP_REPLACED, -ESTALE, g->path);
	return 0;
}

int fl_device_add_file(struct fl_device *dev, const char *pass, size_t len)
{
	const struct fl_dev *d = &dev->found;
	struct fl_seg *g = &dev->segs[0];
	struct fl_dm_line *lines = NULL, *old = NULL;
	char **texts = NULL, **old_texts = NULL;
	struct fl_dm_target ct;
	int r, e;

	if (dev->add_new) {
		r = make_file(dev, g);
		if (r)
			return r;
	}
	r = make_lines(d, g, &lines, &texts);
	if (!r)
		r = fl_device_lines(d, &old, &old_texts);
	if (r) {
		fl_device_fail(dev, FL_STEP_TABLE, r, g->path);
		goto undo_file;
	}
	r = fl_dm_reload_lines(d->dm_name, lines, d->segments + 1,
			       d->read_only);
	if (r) {
		fl_device_fail(dev, FL_STEP_RELOAD, r, d->dm_name);
		goto undo_file;
	}
	r = check_new_line(dev, g);
	if (!r && d->luks) {
		r = dev->p.tokens ? luks_resize_token(d->luks) :
				    luks_resize(d->luks, pass, len);
		if (r)
			fl_device_fail(dev, FL_STEP_LUKS_RESIZE, r, d->luks);
	}
	if (r) {
		/* The old table back: no half-grown stack. */
		e = fl_dm_reload_lines(d->dm_name, old, d->segments,
				       d->read_only);
		if (e)
			fl_undo_log_add(&dev->err.undo, FL_UNDO_RELOAD, e,
					d->dm_name);
		goto undo_file;
	}
	if (d->luks && !fl_dm_table(d->luks, true, &ct)) {
		dev->top_sectors = ct.total;
		fl_dm_target_free(&ct);
	}
	goto out;
undo_file:
	if (dev->add_new && unlink(g->path))
		fl_undo_log_add(&dev->err.undo, FL_UNDO_UNLINK, -errno,
				g->path);
out:
	fl_device_lines_free(d, lines, texts);
	fl_device_lines_free(d, old, old_texts);
	return r;
}
