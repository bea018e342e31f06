// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Growing a device live: the file, then the table (an atomic reload),
 * then LUKS on top.  A failure puts the old table and the old file size
 * back: no half-resized stack.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fl_device_int.h"
#include "fl_dm.h"
#include "fl_state.h"

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
		r = fl_backing_size(d->params.path, &in->old_size, NULL);
		if (r)
			return fl_device_fail(dev, FL_STEP_PATH, r,
					      d->params.path);
		in->size_given = size_given;
		in->size = dev->p.size;
		in->regular = !stat(d->params.path, &st) && S_ISREG(st.st_mode);
		in->read_only = d->read_only;
		in->offset = d->params.offset * FL_SECTOR;
		in->block_size = d->params.block_size;
		in->sectors = d->sectors;
		v = fl_resize_plan(in, &dev->plan);
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
	const char *path = d->params.path;
	struct fl_dm_target ct;
	bool grew = false;
	int r, e;

	if (dev->plan.grow_file) {
		r = grow_file(path, dev->plan.new_size, dev->p.allocate);
		if (r)
			return fl_device_fail(dev, FL_STEP_GROW, r, path);
		grew = true;
	}
	r = fl_params_format(&d->params, &dev->table);
	if (!r)
		r = fl_dm_reload(d->dm_name, dev->plan.sectors, dev->table,
				 d->read_only);
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
			e = fl_dm_reload(d->dm_name, d->sectors, dev->table,
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
	return 0;
undo:
	if (grew && truncate(path, (off_t)dev->rin.old_size)) {
		struct fl_undo_fail *f = fl_undo_log_add(&dev->err.undo,
							 FL_UNDO_SHRINK,
							 -errno, path);
		if (f)
			f->value = dev->rin.old_size;
	}
	return r;
}
