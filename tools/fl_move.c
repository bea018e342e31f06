// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A live move onto another file through dm-clone; see fl_move.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_device_int.h"
#include "fl_dm.h"
#include "fl_move.h"
#include "fl_state.h"

#define STATE_SHARED	"move-shared"	/* the device's own flag: 0 or 1 */

/* A helper's name: dm_name + suffix, within dm's 128 bytes. */
static int helper_name(char *out, const char *dm_name, const char *suffix)
{
	return snprintf(out, 128, "%s%s", dm_name, suffix) >= 128 ?
		-ENAMETOOLONG : 0;
}

static int names(struct fl_move *m, const char *name, const char *dm_name)
{
	if (snprintf(m->name, sizeof(m->name), "%s", name) >=
	    (int)sizeof(m->name) ||
	    snprintf(m->dm_name, sizeof(m->dm_name), "%s", dm_name) >=
	    (int)sizeof(m->dm_name) ||
	    helper_name(m->src, dm_name, "-mvsrc") ||
	    helper_name(m->dst, dm_name, "-mvdst") ||
	    helper_name(m->meta, dm_name, "-mvmeta"))
		return -ENAMETOOLONG;
	return 0;
}

/* Metadata: a bit a region in 4 KiB blocks, with room for the btrees. */
static uint64_t meta_bytes(uint64_t regions)
{
	return (4ULL << 20) + ((regions / 8 * 2 + 4095) & ~4095ULL);
}

/* A new sparse file of size bytes, 0600 (fl_new_file). */
static int new_file(const char *path, uint64_t size)
{
	struct stat st;
	bool made;

	return fl_new_file(path, size, false, &st, &made);
}

/* A fileloop helper mapping of p, sectors long. */
static int map_helper(const char *name, uint64_t sectors,
		      const struct fl_params *p, bool read_only)
{
	char *params;
	int r = fl_params_format(p, &params);

	if (r)
		return r;
	r = fl_dm_create_target(name, NULL, sectors, FILELOOP_TARGET_NAME,
				params, read_only);
	free(params);
	return r;
}

static int reload(const char *dm_name, uint64_t sectors,
		  const struct fl_params *p)
{
	char *params;
	int r = fl_params_format(p, &params);

	if (r)
		return r;
	r = fl_dm_reload(dm_name, sectors, params, false);
	free(params);
	return r;
}

static void remove_helpers(struct fl_move *m)
{
	fl_dm_remove(m->src);
	fl_dm_remove(m->dst);
	fl_dm_remove(m->meta);
}

static int fail(struct fl_move *m, enum fl_move_step step, int r)
{
	m->step = step;
	return r;
}

int fl_move_start(const struct fl_dev *d, const char *newfile,
		  struct fl_move *m)
{
	struct fl_params p = d->params, meta = { 0 };
	unsigned version[3];
	char clone[640];
	int r;

	memset(m, 0, sizeof(*m));
	m->sectors = d->sectors;
	m->shared = d->params.shared;
	m->region = FL_MOVE_REGION;
	if (names(m, d->name, d->dm_name))
		return fail(m, FL_MOVE_NAMES, -ENAMETOOLONG);
	r = fl_dm_target_version("clone", version);
	if (r)
		return fail(m, FL_MOVE_TARGET, r);
	r = fl_new_file_path(newfile, &m->new_path);
	if (r)
		return fail(m, FL_MOVE_NEW_FILE, r);
	if (asprintf(&m->meta_path, "%s" FL_MOVE_META_SUFFIX,
		     m->new_path) < 0) {
		m->meta_path = NULL;
		return fail(m, FL_MOVE_META_FILE, -ENOMEM);
	}
	r = new_file(m->new_path, m->sectors * FL_SECTOR);
	if (r)
		return fail(m, FL_MOVE_NEW_FILE, r);
	r = new_file(m->meta_path, meta_bytes(m->sectors / m->region + 1));
	if (r) {
		fail(m, FL_MOVE_META_FILE, r);
		goto out_new;
	}
	r = fl_state_set(m->name, STATE_SHARED, m->shared ? "1" : "0");
	if (r) {
		fail(m, FL_MOVE_SHARE, r);
		goto out_meta;
	}

	/* The device's own table, shared: the source maps its file too. */
	p.shared = true;
	r = reload(m->dm_name, m->sectors, &p);
	if (r) {
		fail(m, FL_MOVE_SHARE, r);
		goto out_meta;
	}
	r = map_helper(m->src, m->sectors, &p, true);
	p.path = m->new_path;
	p.offset = 0;
	if (!r)
		r = map_helper(m->dst, m->sectors, &p, false);
	meta.path = m->meta_path;
	if (!r)
		r = map_helper(m->meta, (meta_bytes(m->sectors / m->region + 1)) /
			       FL_SECTOR, &meta, false);
	if (r) {
		fail(m, FL_MOVE_HELPER, r);
		goto out_helpers;
	}
	/* Background copy on, 64 regions (4 MiB) a batch, 4 batches deep. */
	snprintf(clone, sizeof(clone),
		 "/dev/mapper/%s /dev/mapper/%s /dev/mapper/%s %" PRIu64
		 " 0 4 hydration_threshold 256 hydration_batch_size 64",
		 m->meta, m->dst, m->src, m->region);
	r = fl_dm_reload_target(m->dm_name, m->sectors, "clone", clone,
				false);
	if (!r)
		return 0;
	fail(m, FL_MOVE_CLONE, r);
out_helpers:
	remove_helpers(m);
	p = d->params;
	reload(m->dm_name, m->sectors, &p);
out_meta:
	unlink(m->meta_path);
out_new:
	unlink(m->new_path);
	return r;
}

/* The params of the fileloop mapping name (its first line). */
static int table_params(const char *name, struct fl_params *p)
{
	struct fl_dm_target t;
	int r = fl_dm_table(name, false, &t);

	if (r)
		return r;
	r = strcmp(t.type, FILELOOP_TARGET_NAME) ? -EMEDIUMTYPE :
		fl_params_parse(t.params, p);
	fl_dm_target_free(&t);
	return r;
}

int fl_move_find(const char *name, const char *dm_name, struct fl_move *m)
{
	struct fl_params dst = { 0 };
	struct fl_dm_target t;
	char *shared = NULL;
	int r;

	memset(m, 0, sizeof(*m));
	if (names(m, name, dm_name))
		return -ENAMETOOLONG;
	r = fl_dm_table(dm_name, true, &t);
	if (r)
		return r == -ENXIO || r == -ENODEV ? -ENOENT : r;
	r = strcmp(t.type, "clone") ? -ENOENT : 0;
	m->sectors = t.total;
	fl_dm_target_free(&t);
	if (!r)
		r = table_params(m->dst, &dst);
	if (r)
		return r == -ENXIO || r == -ENODEV ? -ENOENT : r;
	m->new_path = dst.path;
	dst.path = NULL;
	fl_params_free(&dst);
	if (asprintf(&m->meta_path, "%s" FL_MOVE_META_SUFFIX,
		     m->new_path) < 0) {
		m->meta_path = NULL;
		return -ENOMEM;
	}
	r = fl_state_get(m->name, STATE_SHARED, &shared);
	m->shared = !r && shared && !strcmp(shared, "1");
	free(shared);
	m->region = FL_MOVE_REGION;
	return fl_move_progress(m);
}

int fl_move_progress(struct fl_move *m)
{
	struct fl_dm_target t;
	uint64_t region;
	int r;

	r = fl_dm_table(m->dm_name, true, &t);
	if (r)
		return fail(m, FL_MOVE_STATUS, r);
	/* <block size> <used>/<total> <region> <hydrated>/<regions> ... */
	if (strcmp(t.type, "clone") ||
	    sscanf(t.params, "%*u %*u/%*u %" SCNu64 " %" SCNu64 "/%" SCNu64,
		   &region, &m->hydrated, &m->total) != 3)
		r = strstr(t.params, "Fail") ? -EIO : -EINVAL;
	else
		m->region = region;
	fl_dm_target_free(&t);
	return r ? fail(m, FL_MOVE_STATUS, r) : 0;
}

int fl_move_finish(struct fl_move *m)
{
	struct fl_params p = { 0 };
	int r;

	r = fl_move_progress(m);
	if (r)
		return r;
	if (m->hydrated != m->total)
		return fail(m, FL_MOVE_STATUS, -EAGAIN);
	/* The destination's table, shared: its helper still maps the file. */
	r = table_params(m->dst, &p);
	if (r)
		return fail(m, FL_MOVE_SWITCH, r);
	p.shared = true;
	r = reload(m->dm_name, m->sectors, &p);
	if (r) {
		fl_params_free(&p);
		return fail(m, FL_MOVE_SWITCH, r);
	}
	remove_helpers(m);
	/* Alone on the new file now: its own flag back. */
	p.shared = m->shared;
	r = reload(m->dm_name, m->sectors, &p);
	fl_params_free(&p);
	if (r)
		return fail(m, FL_MOVE_SWITCH, r);
	unlink(m->meta_path);
	return 0;
}

void fl_move_free(struct fl_move *m)
{
	free(m->new_path);
	free(m->meta_path);
	m->new_path = m->meta_path = NULL;
}
