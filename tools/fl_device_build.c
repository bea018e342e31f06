// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building a device: make (or check) the image, map it, stack LUKS, make
 * a filesystem, mount.  Each thing built is recorded in dev->undo and, on
 * failure, taken down again in reverse order (fl_undo.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fl_device_int.h"
#include "fl_dm.h"
#include "fl_mount.h"
#include "fl_part.h"
#include "fl_secret.h"
#include "fl_state.h"

/*
 * Make the image: new (O_EXCL, 0600), or truncated over with --force.
 * dev->st gets what fstat() says of the file made.
 */
static int make_image(struct fl_device *dev, bool *created)
{
	const char *path = dev->path;
	struct stat st;
	int fd, r = 0;

	*created = false;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd >= 0) {
		*created = true;
	} else if (errno == EEXIST && dev->p.force) {
		/*
		 * O_NONBLOCK: opening a FIFO for writing would wait for a
		 * reader forever (without one it now fails with ENXIO);
		 * O_NOCTTY: a terminal must not become ours.  Nothing is done
		 * to what was opened before fstat says it is a file.
		 */
		fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW |
			  O_CLOEXEC);
		if (fd < 0 && errno != ENXIO)
			return fl_device_fail(dev, FL_STEP_IMAGE_OPEN, -errno,
					      path);
		if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			if (fd >= 0)
				close(fd);
			return fl_device_fail(dev, FL_STEP_IMAGE_NOT_FILE,
					      -EINVAL, path);
		}
		/* Checked again on what was opened: the path may have moved. */
		r = fl_device_check_not_mapped(dev, &st);
		if (r) {
			close(fd);
			return r;
		}
		/* New images are 0600, also where a 0644 file was. */
		if (fcntl(fd, F_SETFL, 0) || fchmod(fd, 0600) ||
		    ftruncate(fd, 0)) {
			r = -errno;
			close(fd);
			return fl_device_fail(dev, FL_STEP_IMAGE_OVERWRITE, r,
					      path);
		}
	} else {
		return fl_device_fail(dev, FL_STEP_IMAGE_CREATE, -errno, path);
	}

	/* allocate: real blocks now, no ENOSPC at write time later. */
	if (dev->p.allocate)
		r = -posix_fallocate(fd, 0, (off_t)dev->p.size);
	else if (ftruncate(fd, (off_t)dev->p.size))
		r = -errno;
	if (!r && fsync(fd))
		r = -errno;
	if (!r && fstat(fd, &dev->st))
		r = -errno;
	close(fd);
	if (r) {
		if (*created)
			unlink(path);
		*created = false;
		dev->err.value = dev->p.size;
		return fl_device_fail(dev, FL_STEP_IMAGE_SIZE, r, path);
	}
	return 0;
}

/* create --file: each further file, new (O_EXCL, 0600), OFFSET + SIZE. */
static int make_extra(struct fl_device *dev)
{
	size_t i;
	bool made;
	int r;

	for (i = 0; i < dev->p.nextra; i++) {
		const struct fl_extent *e = &dev->p.extra[i];
		struct fl_seg *g = &dev->segs[i];

		r = fl_new_file(g->path, e->offset + e->size, dev->p.allocate,
				&g->st, &made);
		if (r && !made)
			return fl_device_fail(dev, FL_STEP_IMAGE_CREATE, r,
					      e->file);
		if (r) {
			dev->err.value = e->offset + e->size;
			return fl_device_fail(dev, FL_STEP_IMAGE_SIZE, r,
					      e->file);
		}
		dev->undo.unlink_more[dev->undo.n_more++] = g->path;
	}
	return 0;
}

/*
 * The kernel opens the table's path itself, after we checked the file:
 * a symlink or a rename swapped in between would map another file.  The
 * target reports the device and inode it opened; they must be dev->st's.
 */
static int check_mapped_file(struct fl_device *dev)
{
	struct fl_dm_target t = { 0 };
	struct fl_stats s;
	int r;

	size_t i;

	r = fl_dm_table(dev->map_name, true, &t);
	if (!r && t.count != dev->p.nextra + 1)
		r = -EINVAL;
	for (i = 0; !r && i < t.count; i++) {
		const struct stat *st = i ? &dev->segs[i - 1].st : &dev->st;

		r = fl_stats_parse(t.all[i], &s);
		if (r)
			break;
		if (!s.have_file_id)
			break;	/* a target older than 1.1 does not say */
		if (!fl_same_file(&s, st)) {
			fl_dm_target_free(&t);
			return fl_device_fail(dev, FL_STEP_REPLACED, -ESTALE,
					      i ? dev->segs[i - 1].path :
						  dev->path);
		}
	}
	fl_dm_target_free(&t);
	if (r)
		return fl_device_fail(dev, FL_STEP_MAP_STATUS, r,
				      dev->map_name);
	return 0;
}

/* The table parameters of each segment after the first. */
static int format_extra(struct fl_device *dev)
{
	size_t i;
	int r;

	for (i = 0; i < dev->p.nextra; i++) {
		struct fl_params p = dev->p.map;

		p.path = dev->segs[i].path;
		p.offset = dev->segs[i].offset;
		r = fl_params_format(&p, &dev->segs[i].table);
		if (r)
			return fl_device_fail(dev, FL_STEP_TABLE, r, p.path);
	}
	return 0;
}

/* The first file's line, then one per further segment. */
static int map_lines(struct fl_device *dev, const char *uuid)
{
	struct fl_dm_line *lines;
	uint64_t first = dev->sectors;
	size_t i;
	int r;

	if (!dev->p.nextra)
		return fl_dm_create(dev->map_name, uuid, dev->sectors,
				    dev->table, dev->p.read_only);
	lines = calloc(dev->p.nextra + 1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	for (i = 0; i < dev->p.nextra; i++) {
		lines[i + 1].length = dev->segs[i].sectors;
		lines[i + 1].params = dev->segs[i].table;
		first -= dev->segs[i].sectors;
	}
	lines[0].length = first;
	lines[0].params = dev->table;
	r = fl_dm_create_lines(dev->map_name, uuid, lines, dev->p.nextra + 1,
			       dev->p.read_only);
	free(lines);
	return r;
}

/* Who holds a file of the device?  Not knowing is no new error. */
static void find_holder(struct fl_device *dev)
{
	size_t i;

	dev->err.held = dev->path;
	if (fl_device_find_holder(&dev->st, dev->map_name, &dev->err.holder,
				  &dev->err.holder_as))
		dev->err.holder = dev->err.holder_as = NULL;
	for (i = 0; !dev->err.holder && i < dev->p.nextra; i++) {
		dev->err.held = dev->segs[i].path;
		if (fl_device_find_holder(&dev->segs[i].st, dev->map_name,
					  &dev->err.holder,
					  &dev->err.holder_as))
			dev->err.holder = dev->err.holder_as = NULL;
	}
	if (!dev->err.holder)
		dev->err.held = dev->path;
}

/*
 * Map the file as map_name; uuid FILELOOP-<name>, stable for the
 * mapping's life.  On failure nothing is mapped.
 */
static int map_file(struct fl_device *dev)
{
	struct fl_params p = dev->p.map;
	char uuid[sizeof(((struct fl_dm_info *)0)->uuid)];
	int r;

	p.path = dev->path;
	/* As cryptsetup asks dm-crypt's: what can the loaded target take? */
	r = fl_dm_target_version(FILELOOP_TARGET_NAME, dev->err.version);
	if (!r)
		r = fl_target_compat(dev->err.version, &p);
	if (r)
		return fl_device_fail(dev, FL_STEP_TARGET, r, dev->map_name);
	r = fl_params_format(&p, &dev->table);
	if (r)
		return fl_device_fail(dev, FL_STEP_TABLE, r, dev->path);
	/* The name check keeps FILELOOP-<name> within dm's 128. */
	snprintf(uuid, sizeof(uuid), FL_UUID_PREFIX "%s", dev->map_name);
	r = format_extra(dev);
	if (r)
		return r;
	fl_device_note(dev, FL_EV_MAPPING);
	r = map_lines(dev, uuid);
	if (r == -EBUSY)
		find_holder(dev);
	if (r)
		return fl_device_fail(dev, FL_STEP_MAP, r, dev->map_name);
	r = check_mapped_file(dev);
	if (r) {
		int e = fl_dm_remove(dev->map_name);

		if (e)
			fl_undo_log_add(&dev->err.undo, FL_UNDO_REMOVE, e,
					dev->map_name);
	}
	return r;
}

/*
 * A sizelimit is where the mapping must end (a partition in a disk
 * image, say), which the table alone cannot tell from a file grown since:
 * remember it for resize.
 */
static int record_sizelimit(struct fl_device *dev)
{
	char val[24];
	int r;

	if (!dev->p.keep_sizelimit)
		return 0;
	snprintf(val, sizeof(val), "%" PRIu64, dev->p.sizelimit);
	r = fl_state_set(dev->p.name, FL_STATE_SIZELIMIT, val);
	return r ? fl_device_fail(dev, FL_STEP_RECORD, r, FL_STATE_SIZELIMIT) : 0;
}

/* Mount the top device and remember it, so close unmounts what we mounted. */
static int mount_top(struct fl_device *dev)
{
	char *abs;
	int r;

	abs = realpath(dev->p.mount, NULL);
	if (!abs)
		return fl_device_fail(dev, FL_STEP_MOUNT_DIR, -errno,
				      dev->p.mount);
	r = fl_mount(dev->top_dev, abs, dev->p.read_only, dev->p.mount_options);
	if (r) {
		free(abs);
		return fl_device_fail(dev, FL_STEP_MOUNT, r, dev->top_dev);
	}
	r = fl_state_set(dev->p.name, FL_STATE_MOUNT, abs);
	if (r) {
		fl_umount(abs);
		free(abs);
		return fl_device_fail(dev, FL_STEP_RECORD, r, FL_STATE_MOUNT);
	}
	dev->mounted_on = abs;
	fl_device_note(dev, FL_EV_MOUNTED);
	return 0;
}

/*
 * Open with no passphrase given: the LUKS2 tokens first (as cryptsetup
 * open does), then the passphrase the callback gets.  The header is only
 * readable once the file is mapped, hence the callback.
 */
static int unlock_asked(struct fl_device *dev)
{
	char *pass = NULL;
	size_t len = 0;
	int r;

	if (dev->p.tokens) {
		r = luks_open_token(dev->map_dev, dev->p.name,
				    dev->p.read_only, &dev->token);
		if (!r) {
			dev->undo.opened = true;
			fl_device_note(dev, FL_EV_TOKEN_OPENED);
			return 0;
		}
		dev->token_err = r;
		if (!luks_token_fallback(r) || !dev->ask_pass)
			return fl_device_fail(dev, FL_STEP_LUKS_TOKEN, r,
					      dev->p.name);
		fl_device_note(dev, FL_EV_TOKEN_FAILED);
	}
	if (!dev->ask_pass)
		return fl_device_fail(dev, FL_STEP_LUKS_OPEN, -ENOKEY,
				      dev->p.name);
	r = dev->ask_pass(dev, &pass, &len, dev->ask_pass_priv);
	if (r)
		return fl_device_fail(dev, FL_STEP_PASSPHRASE, r, dev->p.name);
	r = luks_open(dev->map_dev, dev->p.name, pass, len, dev->p.read_only);
	fl_secret_free(pass);
	if (r)
		return fl_device_fail(dev, FL_STEP_LUKS_OPEN, r, dev->p.name);
	dev->undo.opened = true;
	return 0;
}

static int build_luks(struct fl_device *dev, bool create, const char *pass,
		      size_t len)
{
	int r;

	if (create) {
		fl_device_note(dev, FL_EV_FORMATTING);
		r = luks_format(dev->map_dev, dev->p.luks_format, pass, len);
		if (r)
			return fl_device_fail(dev, FL_STEP_LUKS_FORMAT, r,
					      dev->map_dev);
	}
	if (!pass)
		return unlock_asked(dev);
	/* A new container opens read-write: mkfs is next. */
	r = luks_open(dev->map_dev, dev->p.name, pass, len,
		      !create && dev->p.read_only);
	if (r)
		return fl_device_fail(dev, FL_STEP_LUKS_OPEN, r, dev->p.name);
	dev->undo.opened = true;
	return 0;
}

/*
 * The partitions on the top device, last: nothing after them can fail,
 * and a failure here has already removed those made.
 */
static int map_parts(struct fl_device *dev)
{
	struct fl_part *parts;
	unsigned failed = 0;
	size_t n;
	int r;

	r = fl_part_read(dev->top_dev, &parts, &n);
	if (!r)
		r = fl_part_map(dev->p.name, parts, n, dev->p.read_only,
				&failed);
	free(parts);
	if (r) {
		dev->err.value = failed;
		return fl_device_fail(dev, FL_STEP_PARTSCAN, r, dev->top_dev);
	}
	dev->nparts = n;
	return 0;
}

static int build(struct fl_device *dev, bool create, char *pass, size_t len)
{
	bool created = false;
	int r;

	if (create) {
		r = make_image(dev, &created);
		if (r)
			goto fail;
		dev->undo.unlink_path = created ? dev->path : NULL;
		r = make_extra(dev);
		if (r)
			goto fail;
	}
	fl_state_remove(dev->p.name);	/* a stale record must not be trusted */

	r = map_file(dev);
	if (r)
		goto fail;
	dev->undo.mapped = true;
	r = record_sizelimit(dev);
	if (r)
		goto fail;
	snprintf(dev->map_dev, sizeof(dev->map_dev), "/dev/mapper/%s",
		 dev->map_name);
	if (dev->luks) {
		r = build_luks(dev, create, pass, len);
		if (pass)
			explicit_bzero(pass, len);
		if (r)
			goto fail;
	}
	snprintf(dev->top_dev, sizeof(dev->top_dev), "/dev/mapper/%s",
		 dev->p.name);
	if (create && dev->p.mkfs) {
		fl_device_note(dev, FL_EV_MKFS);
		r = fl_mkfs(dev->p.mkfs, dev->top_dev);
		if (r) {
			fl_device_fail(dev, FL_STEP_MKFS, r, dev->top_dev);
			goto fail;
		}
	}
	if (dev->p.mount) {
		r = mount_top(dev);
		if (r)
			goto fail;
		dev->undo.mounted = true;
	}
	if (dev->p.partscan) {
		r = map_parts(dev);
		if (r)
			goto fail;
	}
	return 0;
fail:
	fl_undo_run(&dev->undo, dev->undo_ops, &dev->err.undo);
	return r;
}

int fl_device_create(struct fl_device *dev, char *pass, size_t len)
{
	return build(dev, true, pass, len);
}

int fl_device_open(struct fl_device *dev, char *pass, size_t len)
{
	return build(dev, false, pass, len);
}
