// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl resize NAME [--size SIZE]: grow the file and the device
 * live (and LUKS on it), report the new size, and grow or name the tool
 * that grows the filesystem on it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "fl_secret.h"
#include "fl_mount.h"
#include "fl_probe.h"
#include "fl_size.h"
#include "fl_state.h"

static int policy_msg(const struct fl_device *dev)
{
	const struct fl_dev *d = &dev->found;
	const struct fl_resize_in *in = &dev->rin;
	/* The file that grows: the last segment's. */
	const char *path = d->segs[d->segments - 1].params.path;

	switch (dev->err.resize) {
	case FL_RESIZE_SIZELIMIT:
		cmd_msg("%s was mapped with --sizelimit %s: resize would map past it; to change its size, close it and open it again with a new --sizelimit",
			d->name, dev->limit);
		return FL_EXIT_USAGE;
	case FL_RESIZE_SEGMENTS:
		cmd_msg("the last segment of %s ends before its file %s does (it was given a SIZE): grow %s with --add-file",
			d->name, d->segs[d->segments - 1].params.path,
			d->name);
		return FL_EXIT_USAGE;
	case FL_RESIZE_FOREIGN_LUKS:
		cmd_msg("%s is in use by %s; resize that with cryptsetup",
			d->name, d->luks);
		return FL_EXIT_BUSY;
	case FL_RESIZE_SHRINK_FILE:
		cmd_msg("%s is %" PRIu64 " bytes; shrinking is not supported",
			path, in->old_size);
		return FL_EXIT_USAGE;
	case FL_RESIZE_NOT_FILE:
		cmd_msg("%s is not a regular file: it cannot grow", path);
		return FL_EXIT_USAGE;
	case FL_RESIZE_READ_ONLY:
		cmd_msg("%s is read-only", d->name);
		return FL_EXIT_PERM;
	case FL_RESIZE_GEOMETRY:
		return cmd_geom_msg(dev->err.geom, path,
				    dev->plan.new_size, in->offset, 0,
				    in->block_size);
	case FL_RESIZE_SHRINK_MAP:
		cmd_msg("%s would shrink from %" PRIu64 " to %" PRIu64
			" sectors; give a larger --size", d->name, in->sectors,
			dev->plan.sectors);
		return FL_EXIT_USAGE;
	default:
		return FL_EXIT_FAIL;
	}
}

static int resize_msg(const struct fl_device *dev)
{
	const struct fl_device_error *e = &dev->err;

	switch (e->step) {
	case FL_STEP_READ_RECORD:
		return cmd_fail(e->err, "cannot read the record of %s in "
				FL_STATE_DIR, e->object);
	case FL_STEP_RESIZE_POLICY:
		return policy_msg(dev);
	case FL_STEP_PATH:
		return cmd_fail(e->err, "%s", e->object);
	case FL_STEP_LUKS_QUERY:
		return cmd_fail(e->err, "cannot query LUKS device %s", e->object);
	case FL_STEP_GROW:
		return cmd_fail(e->err, "cannot grow %s", e->object);
	case FL_STEP_RELOAD:
		return cmd_fail(e->err, "cannot reload the table of %s",
				e->object);
	case FL_STEP_LUKS_RESIZE:
		if (e->err == -EPERM)
			return cmd_luks_open_msg(e->err, e->object);
		return cmd_fail(e->err, "cannot resize LUKS device %s",
				e->object);
	default:
		return cmd_fail(e->err, "resize");
	}
}

static void report(const struct fl_device *dev)
{
	const struct fl_dev *d = &dev->found;
	char h[32], h2[32] = "?";

	fl_size_human(dev->new_sectors * FL_SECTOR, h, sizeof(h));
	if (!d->luks) {
		printf("%s: %s\n", dev->top_dev, h);
		return;
	}
	if (dev->top_sectors)
		fl_size_human(dev->top_sectors * FL_SECTOR, h2, sizeof(h2));
	printf("%s: %s (file mapping %s: %s)\n", dev->top_dev, h2, d->dm_name,
	       h);
}

/* Grow the filesystem on top (--fs), or say how; 0 or an exit status. */
static int grow_fs(const struct fl_opts *o, const struct fl_device *dev)
{
	const char *top = dev->top_dev, *mnt = dev->found.mount;
	char *type = NULL;
	int r, ex = 0;

	r = fl_probe_type(top, 0, &type);
	if (r || !type)
		return 0;	/* nothing on it that we know how to grow */
	if (fl_opt_set(o, OPT_FS)) {
		r = fl_grow_fs(type, top, mnt);
		if (r == -EOPNOTSUPP)
			cmd_msg("%s: growing a %s filesystem is not supported; grow it by hand",
				top, type);
		else if (r == -ENOTCONN)
			cmd_msg("%s: xfs grows only when mounted; mount it and run xfs_growfs",
				top);
		else if (r)
			cmd_msg("growing the %s filesystem on %s failed", type,
				top);
		if (r)
			ex = FL_EXIT_FAIL;
	} else if (!strncmp(type, "ext", 3)) {
		printf("grow the filesystem with: resize2fs %s (or fileloopctl resize --fs)\n",
		       top);
	} else if (!strcmp(type, "xfs")) {
		printf("grow the filesystem with: xfs_growfs %s (or fileloopctl resize --fs)\n",
		       mnt ? mnt : "MOUNTPOINT");
	}
	free(type);
	return ex;
}

/* The messages of a failed --add-file: resize's, then create's. */
static int add_msg(const struct fl_opts *o, const struct fl_device *dev)
{
	switch (dev->err.step) {
	case FL_STEP_ADD_SIZE:
		cmd_msg("%s does not exist: give --size to make it",
			dev->err.object);
		return FL_EXIT_NOTFOUND;
	case FL_STEP_IMAGE_CREATE:
		if (dev->err.err == -EEXIST) {
			cmd_msg("%s exists: --size makes a new file; without it the file there is mapped",
				dev->err.object);
			return FL_EXIT_BUSY;
		}
		return cmd_build_msgs(o, dev);
	case FL_STEP_READ_RECORD:
	case FL_STEP_RESIZE_POLICY:
	case FL_STEP_LUKS_QUERY:
	case FL_STEP_RELOAD:
	case FL_STEP_LUKS_RESIZE:
		return resize_msg(dev);
	default:
		return cmd_build_msgs(o, dev);
	}
}

/* resize NAME --add-file F: the device grows onto F, after its files. */
static int add_file(const struct fl_opts *o, struct fl_device *dev)
{
	bool need_key = false;
	char *pass = NULL;
	size_t plen = 0;
	int ex;

	if (fl_device_add_prepare(dev, &o->add, &need_key))
		return add_msg(o, dev);
	if (dev->found.luks && need_key && !o->key_file &&
	    !cmd_need_luks_library() && !luks_token_check(dev->found.luks))
		dev->p.tokens = true;
	if (dev->found.luks && (need_key || o->key_file) && !dev->p.tokens &&
	    (ex = cmd_get_secret(o, dev->found.luks, false, &pass, &plen)))
		return ex;
	if (fl_device_add_file(dev, pass, plen)) {
		fl_secret_free(pass);
		ex = add_msg(o, dev);
		cmd_undo_msgs(&dev->err.undo);
		return ex;
	}
	fl_secret_free(pass);
	cmd_info("%s: added %s%s as segment %u", dev->found.name,
		 dev->segs[0].path, dev->add_new ? " (new)" : "",
		 dev->found.segments);
	report(dev);
	return grow_fs(o, dev);
}

int cmd_resize(const struct fl_opts *o)
{
	struct fl_device_params p = {
		.name = o->args[0],
		.size = o->size,
		.allocate = fl_opt_set(o, OPT_ALLOCATE),
	};
	struct fl_device dev;
	bool need_key = false;
	char *pass = NULL;
	size_t plen = 0;
	int ex;

	fl_device_init(&dev, &p);
	ex = cmd_find(&dev, p.name);
	if (ex)
		goto out;
	if (fl_opt_set(o, OPT_ADD_FILE)) {
		ex = add_file(o, &dev);
		goto out;
	}
	if (fl_device_resize_prepare(&dev, fl_opt_set(o, OPT_SIZE),
				     &need_key)) {
		ex = resize_msg(&dev);
		goto out;
	}
	/* As cryptsetup resize: a token that unlocks it spares the question. */
	if (dev.found.luks && need_key && !o->key_file &&
	    !cmd_need_luks_library() && !luks_token_check(dev.found.luks)) {
		dev.p.tokens = true;
		cmd_info("the key of %s comes from a LUKS2 token",
			 dev.found.luks);
	}
	if (dev.found.luks && (need_key || o->key_file) && !dev.p.tokens &&
	    (ex = cmd_get_secret(o, dev.found.luks, false, &pass, &plen)))
		goto out;
	if (fl_device_resize(&dev, pass, plen)) {
		ex = resize_msg(&dev);
		cmd_undo_msgs(&dev.err.undo);
		goto out;
	}
	report(&dev);
	ex = grow_fs(o, &dev);
out:
	fl_secret_free(pass);
	fl_device_free(&dev);
	return ex;
}
