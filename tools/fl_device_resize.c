// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Growing a device live: the file, then the table (an atomic reload),
 * then LUKS on top.  A failure puts the old table and the old file size
 * back: no half-resized stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fl_device_int.h"
#include "fl_dm.h"
#include "fl_state.h"

int fl_device_lines(const struct fl_dev *d, struct fl_dm_line **lines,
		    char ***texts)
{
	unsigned i;
	int r = 0;

	*lines = calloc(d->segments + 1, sizeof(**lines));
	*texts = calloc(d->segments + 1, sizeof(**texts));
	if (!*lines || !*texts)
		return -ENOMEM;
	for (i = 0; !r && i < d->segments; i++) {
		r = fl_params_format(&d->segs[i].params, &(*texts)[i]);
		(*lines)[i].length = d->segs[i].sectors;
		(*lines)[i].params = (*texts)[i];
	}
	return r;
}

void fl_device_lines_free(const struct fl_dev *d, struct fl_dm_line *lines,
			  char **texts)
{
	unsigned i;

	for (i = 0; texts && i <= d->segments; i++)
		free(texts[i]);
	free(texts);
	free(lines);
}

int fl_device_resize_prepare(struct fl_device *dev, bool size_given,
			     bool *need_key)
{
	const struct fl_dev *d = &dev->found;
	struct fl_resize_in *in = &dev->rin;
	enum fl_resize_verdict v;
	struct stat st;
	int r;

	*need_key = false;
	r = fl_state_get(d->name, FL_STATE_SIZELIMIT, &dev->limit);
	if (r)
		return fl_device_fail(dev, FL_STEP_READ_RECORD, r, d->name);
	memset(in, 0, sizeof(*in));
	in->sizelimit = dev->limit != NULL;
	in->segments = d->segments;
	in->foreign_luks = d->luks && strcmp(d->luks, d->name);
	v = fl_resize_precheck(in);
	if (v == FL_RESIZE_OK) {
		const struct fl_segment *last = &d->segs[d->segments - 1];
		const char *path = last->params.path;
		uint64_t to_end;

		r = fl_backing_size(path, &in->old_size, NULL);
		if (r)
			return fl_device_fail(dev, FL_STEP_PATH, r, path);
		in->size_given = size_given;
		in->size = dev->p.size;
		in->regular = !stat(path, &st) && S_ISREG(st.st_mode);
		in->read_only = d->read_only;
		in->offset = last->params.offset * FL_SECTOR;
		in->block_size = last->params.block_size;
		in->sectors = last->sectors;
		/* A last segment short of its file's end had a SIZE given. */
		in->last_short = d->segments > 1 &&
			(fl_geom_sectors(in->old_size, in->offset, 0,
					 in->block_size, &to_end) !=
			 FL_GEOM_OK || to_end != last->sectors);
		v = fl_resize_plan(in, &dev->plan);
		dev->new_sectors = d->sectors - last->sectors +
				   dev->plan.sectors;
	}
	if (v != FL_RESIZE_OK) {
		dev->err.resize = v;
		dev->err.geom = dev->plan.geom;
		return fl_device_fail(dev, FL_STEP_RESIZE_POLICY,
				      v == FL_RESIZE_FOREIGN_LUKS ? -EBUSY :
				      v == FL_RESIZE_READ_ONLY ? -EROFS :
				      -EINVAL, d->name);
	}
	if (d->luks) {
		r = luks_resize_needs_key(d->luks, need_key);
		if (r)
			return fl_device_fail(dev, FL_STEP_LUKS_QUERY, r,
					      d->luks);
	}
	return 0;
}

static int grow_file(const char *path, uint64_t size, bool allocate)
{
	int fd, r = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (allocate)
		r = -posix_fallocate(fd, 0, (off_t)size);
	else if (ftruncate(fd, (off_t)size))
		r = -errno;
	close(fd);
	return r;
}

int fl_device_resize(struct fl_device *dev, const char *pass, size_t len)
{
	const struct fl_dev *d = &dev->found;
	unsigned last = d->segments - 1;
	const char *path = d->segs[last].params.path;
	struct fl_dm_line *lines = NULL;
	struct fl_dm_target ct;
	char **texts = NULL;
	bool grew = false;
	int r, e;

	if (dev->plan.grow_file) {
		r = grow_file(path, dev->plan.new_size, dev->p.allocate);
		if (r)
			return fl_device_fail(dev, FL_STEP_GROW, r, path);
		grew = true;
	}
	/* The same lines, the last one up to the file's new end. */
	r = fl_device_lines(d, &lines, &texts);
	if (!r) {
		lines[last].length = dev->plan.sectors;
		r = fl_dm_reload_lines(d->dm_name, lines, d->segments,
				       d->read_only);
	}
	if (r) {
		fl_device_fail(dev, FL_STEP_RELOAD, r, d->dm_name);
		goto undo;
	}
	if (d->luks) {
		r = dev->p.tokens ? luks_resize_token(d->luks) :
				    luks_resize(d->luks, pass, len);
		if (r) {
			fl_device_fail(dev, FL_STEP_LUKS_RESIZE, r, d->luks);
			/* Put the old length back: no half-resized stack. */
			lines[last].length = d->segs[last].sectors;
			e = fl_dm_reload_lines(d->dm_name, lines, d->segments,
					       d->read_only);
			if (e)
				fl_undo_log_add(&dev->err.undo, FL_UNDO_RELOAD,
						e, d->dm_name);
			goto undo;
		}
		/* Its size, for the report (no key in STATUS). */
		if (!fl_dm_table(d->luks, true, &ct)) {
			dev->top_sectors = ct.total;
			fl_dm_target_free(&ct);
		}
	}
	fl_device_lines_free(d, lines, texts);
	return 0;
undo:
	fl_device_lines_free(d, lines, texts);
	if (grew && truncate(path, (off_t)dev->rin.old_size)) {
		struct fl_undo_fail *f = fl_undo_log_add(&dev->err.undo,
							 FL_UNDO_SHRINK,
							 -errno, path);
		if (f)
			f->value = dev->rin.old_size;
	}
	return r;
}
