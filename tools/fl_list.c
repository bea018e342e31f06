// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fl_dm.h"
#include "fl_list.h"
#include "fl_mount.h"
#include "fl_part.h"
#include "fl_strv.h"
#include "luks_helper.h"

/* DM_NAME_LEN is 128 including the NUL. */
#define DM_NAME_MAX	127

char *fl_file_layer_name(const char *name)
{
	char *s;

	if (strlen(name) + strlen(FL_FILE_SUFFIX) > DM_NAME_MAX)
		return NULL;
	if (asprintf(&s, "%s" FL_FILE_SUFFIX, name) < 0)
		return NULL;
	return s;
}

void fl_dev_free(struct fl_dev *d)
{
	unsigned i;

	free(d->name);
	free(d->dm_name);
	free(d->luks);
	free(d->top);
	free(d->uuid);
	free(d->mount);
	fl_strv_free(d->parts);
	fl_params_free(&d->params);
	for (i = 0; d->segs && i < d->segments; i++)
		fl_params_free(&d->segs[i].params);
	free(d->segs);
	memset(d, 0, sizeof(*d));
}

/* The counters of the whole device: every segment's added up. */
static void add_counts(struct fl_stats *sum, const struct fl_stats *s)
{
	sum->reads += s->reads;
	sum->writes += s->writes;
	sum->flushes += s->flushes;
	sum->fua += s->fua;
	sum->discards += s->discards;
	sum->write_zeroes += s->write_zeroes;
	sum->errors += s->errors;
	sum->retries += s->retries;
}

/*
 * Every line of tbl, a fileloop table, as d->segs, with what the lines of
 * st, its status, say of each.
 */
static int parse_segments(const struct fl_dm_target *tbl,
			  const struct fl_dm_target *st, struct fl_dev *d)
{
	unsigned i;

	d->segs = calloc(tbl->count, sizeof(*d->segs));
	if (!d->segs)
		return -ENOMEM;
	d->segments = tbl->count;
	for (i = 0; i < tbl->count; i++) {
		struct fl_segment *g = &d->segs[i];

		g->sectors = tbl->lengths[i];
		if (fl_params_parse(tbl->all[i], &g->params))
			return -EMEDIUMTYPE;
		g->have_stats = st->count == tbl->count &&
				!fl_stats_parse(st->all[i], &g->stats);
		if (i && d->have_stats && g->have_stats)
			add_counts(&d->stats, &g->stats);
	}
	return 0;
}

void fl_devs_free(struct fl_dev *devs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fl_dev_free(&devs[i]);
	free(devs);
}

/* The LUKS mapping holding dev, if any. */
static int luks_holder(dev_t dev, char **luks)
{
	char **names, **uuids;
	size_t i;
	int r;

	*luks = NULL;
	r = fl_dm_holders(dev, &names, &uuids);
	for (i = 0; !r && names && names[i]; i++) {
		if (!luks_uuid_is_luks(uuids[i]))
			continue;
		*luks = strdup(names[i]);
		if (!*luks)
			r = -ENOMEM;
		break;
	}
	fl_strv_free(names);
	fl_strv_free(uuids);
	return r;
}

/* Fill d from the fileloop mapping dm_name; -EMEDIUMTYPE if not ours. */
static int gather(const char *dm_name, struct fl_dev *d)
{
	struct fl_dm_target tbl, st;
	struct fl_dm_info info, tinfo;
	const char *top_uuid;
	char **mounts = NULL;
	int r;

	memset(d, 0, sizeof(*d));
	r = fl_dm_info(dm_name, &info);
	if (r)
		return r;
	if (!info.exists)
		return -ENODEV;
	/*
	 * The type from STATUS, which never holds a key: the table of
	 * another device, dm-crypt's with its key, is not even fetched.
	 */
	r = fl_dm_table(dm_name, true, &st);
	if (r)
		return r == -ENXIO ? -EMEDIUMTYPE : r;
	if (strcmp(st.type, FILELOOP_TARGET_NAME)) {
		fl_dm_target_free(&st);
		return -EMEDIUMTYPE;
	}
	d->have_stats = !fl_stats_parse(st.params, &d->stats);

	r = fl_dm_table(dm_name, false, &tbl);
	if (r) {
		fl_dm_target_free(&st);
		return r == -ENXIO ? -EMEDIUMTYPE : r;
	}
	if (strcmp(tbl.type, FILELOOP_TARGET_NAME)) {	/* reloaded in between */
		fl_dm_target_free(&st);
		fl_dm_target_free(&tbl);
		return -EMEDIUMTYPE;
	}
	r = fl_params_parse(tbl.params, &d->params);
	d->sectors = tbl.total;
	if (!r)
		r = parse_segments(&tbl, &st, d);
	fl_dm_target_free(&st);
	fl_dm_target_free(&tbl);
	if (r) {
		fl_dev_free(d);
		return r == -ENOMEM ? r : -EMEDIUMTYPE;
	}

	d->read_only = info.read_only;
	d->open_count = info.open_count;
	d->devno = makedev(info.major, info.minor);
	d->dm_name = strdup(dm_name);
	d->uuid = strdup(info.uuid);
	if (!d->dm_name || !d->uuid)
		goto nomem;

	r = luks_holder(d->devno, &d->luks);
	if (r)
		goto fail;
	d->top = strdup(d->luks ? d->luks : dm_name);
	if (!d->top)
		goto nomem;
	/*
	 * The user's name: the LUKS name when this is our stack
	 * (NAME over NAME-file); otherwise the mapping's own name, also when
	 * someone ran cryptsetup open on a plain fileloop device.
	 */
	if (d->luks) {
		char *derived = fl_file_layer_name(d->luks);

		if (derived && !strcmp(derived, dm_name))
			d->name = strdup(d->luks);
		free(derived);
	}
	if (!d->name)
		d->name = strdup(dm_name);
	if (!d->name)
		goto nomem;

	d->top_devno = d->devno;
	d->top_sectors = d->sectors;
	d->top_open_count = d->open_count;
	top_uuid = info.uuid;
	if (d->luks && !fl_dm_info(d->luks, &tinfo) && tinfo.exists) {
		struct fl_dm_target ct;

		d->top_devno = makedev(tinfo.major, tinfo.minor);
		d->top_open_count = tinfo.open_count;
		top_uuid = tinfo.uuid;
		/* Its length only: STATUS, not the table with the key. */
		if (!fl_dm_table(d->luks, true, &ct)) {
			d->top_sectors = ct.total;
			fl_dm_target_free(&ct);
		}
	}
	r = fl_part_children(d->top_devno, top_uuid, &d->parts);
	if (r)
		goto fail;
	if (!fl_mounts_of(d->top_devno, &mounts) && mounts) {
		d->mount = strdup(mounts[0]);
		fl_strv_free(mounts);
		if (!d->mount)
			goto nomem;
	}
	return 0;
nomem:
	r = -ENOMEM;
fail:
	fl_dev_free(d);
	return r;
}

int fl_list_all(struct fl_dev **out, size_t *n)
{
	struct fl_dev *devs = NULL, *tmp;
	char **names, **p;
	size_t cnt = 0;
	int r;

	*out = NULL;
	*n = 0;
	r = fl_dm_names(&names);
	if (r)
		return r;
	for (p = names; *p; p++) {
		struct fl_dev d;

		r = gather(*p, &d);
		if (r == -EMEDIUMTYPE || r == -ENODEV) {
			r = 0;		/* not ours, or gone meanwhile */
			continue;
		}
		if (r)
			break;
		tmp = realloc(devs, (cnt + 1) * sizeof(*devs));
		if (!tmp) {
			fl_dev_free(&d);
			r = -ENOMEM;
			break;
		}
		devs = tmp;
		devs[cnt++] = d;
	}
	fl_strv_free(names);
	if (r) {
		fl_devs_free(devs, cnt);
		return r;
	}
	*out = devs;
	*n = cnt;
	return 0;
}

int fl_list_one(const char *name, struct fl_dev *dev)
{
	char *file_layer;
	int r;

	/* NAME as our LUKS stack first: NAME-file is the fileloop layer. */
	file_layer = fl_file_layer_name(name);
	if (file_layer) {
		r = gather(file_layer, dev);
		free(file_layer);
		if (!r && !strcmp(dev->name, name))
			return 0;
		if (!r)
			fl_dev_free(dev);
		else if (r != -ENODEV && r != -EMEDIUMTYPE)
			return r;
	}
	return gather(name, dev);
}
