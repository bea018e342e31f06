// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libdevmapper calls, following lvm2/cryptsetup practice (see fl_dm.h).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <libdevmapper.h>

#include "fl_dm.h"
#include "fl_strv.h"
#include "fl_table.h"

/*
 * dm_task_run() only says 0/1; the ioctl's errno is kept in the task.
 * A failure with no errno recorded (libdm's own validation) is -EIO.
 */
static int task_errno(struct dm_task *dmt)
{
	int e = dm_task_get_errno(dmt);

	return e > 0 ? -e : -EIO;
}

/*
 * Run a task that creates, resumes or removes a node.  With udev sync the
 * cookie makes us wait until udev has processed the uevent (and made or
 * dropped the node); without it libdevmapper stacks the node operation
 * and dm_task_update_nodes() carries it out now.  The wait happens on
 * failure too: a half-run task may still have generated a uevent.
 */
static int run_node_task(struct dm_task *dmt)
{
	uint32_t cookie = 0;
	bool use_cookie = dm_udev_get_sync_support();
	int r = 0;

	if (use_cookie && !dm_task_set_cookie(dmt, &cookie, 0))
		return -ENOMEM;
	if (!dm_task_run(dmt))
		r = task_errno(dmt);
	if (use_cookie)
		dm_udev_wait(cookie);
	else
		dm_task_update_nodes();
	return r;
}

static fl_dm_log_fn saved_log_fn;
static int saved_log_verbose;

void fl_dm_set_log(fl_dm_log_fn fn, int verbose)
{
	saved_log_fn = fn;
	saved_log_verbose = verbose;
	fl_dm_log_restore();
}

void fl_dm_log_restore(void)
{
	if (!saved_log_fn)
		return;
	dm_log_with_errno_init(saved_log_fn);
	dm_log_init_verbose(saved_log_verbose);
}

int fl_dm_available(void)
{
	char version[64];

	/* A ping, as dmsetup version does; fails without dm-mod. */
	return dm_driver_version(version, sizeof(version)) ? 0 : -ENODEV;
}

int fl_dm_target_version(const char *target, unsigned version[3])
{
	struct dm_task *dmt = dm_task_create(DM_DEVICE_GET_TARGET_VERSION);
	struct dm_versions *v;
	int r = -ENOMEM;

	if (!dmt)
		return -ENOMEM;
	if (!dm_task_set_name(dmt, target))
		goto out;
	if (!dm_task_run(dmt)) {
		/* The kernel answers EINVAL for a type it cannot find. */
		r = task_errno(dmt);
		if (r == -EINVAL)
			r = -ENOENT;
		goto out;
	}
	r = -EIO;
	v = dm_task_get_versions(dmt);
	if (!v || strcmp(v->name, target))
		goto out;
	memcpy(version, v->version, sizeof(v->version));
	r = 0;
out:
	dm_task_destroy(dmt);
	return r;
}

static struct dm_task *named_task(int type, const char *name)
{
	struct dm_task *dmt = dm_task_create(type);

	if (!dmt)
		return NULL;
	if (!dm_task_set_name(dmt, name)) {
		dm_task_destroy(dmt);
		return NULL;
	}
	return dmt;
}

/* Load n lines of type, back to back, into the inactive slot of name. */
static int load_table(const char *name, const char *type,
		      const struct fl_dm_line *lines, size_t n, bool read_only)
{
	struct dm_task *dmt;
	uint64_t start = 0;
	int r = -ENOMEM;
	size_t i;

	if (!n)
		return -EINVAL;
	dmt = named_task(DM_DEVICE_RELOAD, name);
	if (!dmt)
		return -ENOMEM;
	if (read_only && !dm_task_set_ro(dmt))
		goto out;
	for (i = 0; i < n; i++) {
		if (!dm_task_add_target(dmt, start, lines[i].length, type,
					lines[i].params))
			goto out;
		start += lines[i].length;
	}
	/* Loading the inactive table touches no node: no cookie. */
	r = dm_task_run(dmt) ? 0 : task_errno(dmt);
out:
	dm_task_destroy(dmt);
	return r;
}

int fl_dm_suspend(const char *name)
{
	struct dm_task *dmt;
	int r;

	/* No node changes: no cookie. */
	dmt = named_task(DM_DEVICE_SUSPEND, name);
	if (!dmt)
		return -ENOMEM;
	r = dm_task_run(dmt) ? 0 : task_errno(dmt);
	dm_task_destroy(dmt);
	return r;
}

static int resume(const char *name)
{
	struct dm_task *dmt;
	int r;

	/* The resume swaps the table in and sends a CHANGE uevent. */
	dmt = named_task(DM_DEVICE_RESUME, name);
	if (!dmt)
		return -ENOMEM;
	r = run_node_task(dmt);
	dm_task_destroy(dmt);
	return r;
}

/*
 * Create, load, resume as three tasks, the way lvm2's deptree does, not
 * one DM_DEVICE_CREATE with the table: when the kernel refuses that
 * table, libdevmapper removes the device again with a task of its own
 * and the ctr's errno (EINVAL for "the kernel refused the table") is lost
 * to the caller.  Here each step keeps its errno, and any failure after
 * the create removes the device.
 */
static int create(const char *name, const char *uuid, const char *type,
		  const struct fl_dm_line *lines, size_t n, bool read_only)
{
	struct fl_dm_info info;
	struct dm_task *dmt;
	int r;

	/*
	 * DM_DEVICE_CREATE on an existing name fails with EBUSY, which would
	 * read as "in use"; say what it is.
	 */
	r = fl_dm_info(name, &info);
	if (r)
		return r;
	if (info.exists)
		return -EEXIST;

	/* No table yet: no uevent, no node (that comes with the resume). */
	dmt = named_task(DM_DEVICE_CREATE, name);
	if (!dmt)
		return -ENOMEM;
	if (uuid && !dm_task_set_uuid(dmt, uuid)) {
		dm_task_destroy(dmt);
		return -ENOMEM;
	}
	r = dm_task_run(dmt) ? 0 : task_errno(dmt);
	dm_task_destroy(dmt);
	if (r)
		return r;

	r = load_table(name, type, lines, n, read_only);
	if (!r)
		r = resume(name);
	if (r)
		fl_dm_remove(name);	/* r, not the remove's, says why */
	return r;
}

int fl_dm_create_target(const char *name, const char *uuid, uint64_t sectors,
			const char *type, const char *params, bool read_only)
{
	const struct fl_dm_line line = { sectors, params };

	return create(name, uuid, type, &line, 1, read_only);
}

int fl_dm_create(const char *name, const char *uuid, uint64_t sectors,
		 const char *params, bool read_only)
{
	const struct fl_dm_line line = { sectors, params };

	return create(name, uuid, FILELOOP_TARGET_NAME, &line, 1, read_only);
}

int fl_dm_create_lines(const char *name, const char *uuid,
		       const struct fl_dm_line *lines, size_t n,
		       bool read_only)
{
	return create(name, uuid, FILELOOP_TARGET_NAME, lines, n, read_only);
}

int fl_dm_resume(const char *name)
{
	return resume(name);
}

int fl_dm_reload(const char *name, uint64_t sectors, const char *params,
		 bool read_only)
{
	const struct fl_dm_line line = { sectors, params };

	return fl_dm_reload_lines(name, &line, 1, read_only);
}

int fl_dm_reload_target(const char *name, uint64_t sectors, const char *type,
			const char *params, bool read_only)
{
	const struct fl_dm_line line = { sectors, params };
	int r = load_table(name, type, &line, 1, read_only);

	return r ? r : resume(name);
}

int fl_dm_reload_lines(const char *name, const struct fl_dm_line *lines,
		       size_t n, bool read_only)
{
	int r = load_table(name, FILELOOP_TARGET_NAME, lines, n, read_only);

	return r ? r : resume(name);
}

int fl_dm_remove(const char *name)
{
	struct dm_task *dmt;
	int r = -ENOMEM;

	dmt = named_task(DM_DEVICE_REMOVE, name);
	if (!dmt)
		return -ENOMEM;
	/* udev's blkid may hold the device open for a moment: retry. */
	if (!dm_task_retry_remove(dmt))
		goto out;
	r = run_node_task(dmt);
out:
	dm_task_destroy(dmt);
	return r;
}

int fl_dm_info(const char *name, struct fl_dm_info *info)
{
	struct dm_task *dmt;
	struct dm_info di;
	const char *uuid;
	int r = 0;

	memset(info, 0, sizeof(*info));
	dmt = named_task(DM_DEVICE_INFO, name);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_run(dmt)) {
		r = task_errno(dmt);
		goto out;
	}
	if (!dm_task_get_info(dmt, &di)) {
		r = -EIO;
		goto out;
	}
	if (!di.exists)
		goto out;
	info->exists = true;
	info->read_only = di.read_only;
	info->suspended = di.suspended;
	info->open_count = di.open_count;
	info->major = di.major;
	info->minor = di.minor;
	info->targets = di.target_count > 0 ? (unsigned)di.target_count : 0;
	uuid = dm_task_get_uuid(dmt);
	if (uuid) {
		strncpy(info->uuid, uuid, sizeof(info->uuid) - 1);
		info->uuid[sizeof(info->uuid) - 1] = '\0';
	}
out:
	dm_task_destroy(dmt);
	return r;
}

/* Line t->count (the next) of a table being read. */
static int add_line(struct fl_dm_target *t, uint64_t length,
		    const char *params)
{
	uint64_t *lengths;
	char **all;

	lengths = realloc(t->lengths, (t->count + 1) * sizeof(*lengths));
	if (!lengths)
		return -ENOMEM;
	t->lengths = lengths;
	all = realloc(t->all, (t->count + 1) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	t->all = all;
	t->lengths[t->count] = length;
	t->all[t->count] = strdup(params ? params : "");
	return t->all[t->count] ? 0 : -ENOMEM;
}

int fl_dm_table(const char *name, bool status, struct fl_dm_target *t)
{
	uint64_t start, length;
	char *type, *params;
	struct dm_task *dmt;
	void *next = NULL;
	int r = 0;

	memset(t, 0, sizeof(*t));
	dmt = named_task(status ? DM_DEVICE_STATUS : DM_DEVICE_TABLE, name);
	if (!dmt)
		return -ENOMEM;
	/*
	 * Another device's table may be dm-crypt's, with its key in it: have
	 * the kernel and libdevmapper wipe their buffers (fl_dm_target_free
	 * wipes ours).
	 */
	if (!status && !dm_task_secure_data(dmt)) {
		r = -ENOMEM;
		goto out;
	}
	if (!dm_task_run(dmt)) {
		r = task_errno(dmt);
		goto out;
	}
	do {
		next = dm_get_next_target(dmt, next, &start, &length, &type,
					  &params);
		if (!type)
			break;
		if (!t->count) {
			t->length = length;
			t->type = strdup(type);
			t->params = strdup(params ? params : "");
			if (!t->type || !t->params) {
				r = -ENOMEM;
				break;
			}
		}
		r = add_line(t, length, params);
		if (r)
			break;
		t->count++;
		t->total = start + length;
	} while (next);
	if (!r && !t->count)
		r = -ENXIO;	/* no live table */
out:
	dm_task_destroy(dmt);
	if (r)
		fl_dm_target_free(t);
	return r;
}

void fl_dm_target_free(struct fl_dm_target *t)
{
	unsigned i;

	free(t->type);
	if (t->params)
		explicit_bzero(t->params, strlen(t->params));
	free(t->params);
	for (i = 0; i < t->count; i++) {
		explicit_bzero(t->all[i], strlen(t->all[i]));
		free(t->all[i]);
	}
	free(t->all);
	free(t->lengths);
	memset(t, 0, sizeof(*t));
}

int fl_dm_names(char ***out)
{
	struct dm_names *nm;
	struct dm_task *dmt;
	char **names = NULL;
	size_t n = 0;
	unsigned next = 0;
	int r = 0;

	dmt = dm_task_create(DM_DEVICE_LIST);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_run(dmt)) {
		r = task_errno(dmt);
		goto out;
	}
	nm = dm_task_get_names(dmt);
	names = calloc(1, sizeof(*names));
	if (!names) {
		r = -ENOMEM;
		goto out;
	}
	if (!nm || !nm->dev)
		goto out;	/* no devices at all */
	do {
		nm = (struct dm_names *)((char *)nm + next);
		r = fl_strv_append(&names, &n, nm->name);
		next = nm->next;
	} while (!r && next);
out:
	dm_task_destroy(dmt);
	if (r) {
		fl_strv_free(names);
		names = NULL;
	}
	*out = names;
	return r;
}

int fl_dm_deps(const char *name, dev_t *devs, unsigned max, unsigned *n)
{
	struct dm_task *dmt;
	struct dm_deps *deps;
	unsigned i;
	int r = 0;

	*n = 0;
	dmt = named_task(DM_DEVICE_DEPS, name);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_run(dmt)) {
		r = task_errno(dmt);
		goto out;
	}
	deps = dm_task_get_deps(dmt);
	if (!deps) {
		r = -EIO;
		goto out;
	}
	for (i = 0; i < deps->count && i < max; i++)
		devs[i] = (dev_t)deps->device[i];
	*n = i;
out:
	dm_task_destroy(dmt);
	return r;
}

int fl_dm_name_of(dev_t dev, char **name)
{
	struct dm_task *dmt;
	struct dm_info di;
	const char *nm;
	int r = 0;

	*name = NULL;
	dmt = dm_task_create(DM_DEVICE_INFO);
	if (!dmt)
		return -ENOMEM;
	if (!dm_task_set_major(dmt, major(dev)) ||
	    !dm_task_set_minor(dmt, minor(dev))) {
		r = -ENOMEM;
		goto out;
	}
	if (!dm_task_run(dmt)) {
		r = task_errno(dmt);
		goto out;
	}
	if (!dm_task_get_info(dmt, &di) || !di.exists) {
		r = -ENODEV;
		goto out;
	}
	nm = dm_task_get_name(dmt);
	*name = nm ? strdup(nm) : NULL;
	if (!*name)
		r = -ENOMEM;
out:
	dm_task_destroy(dmt);
	return r;
}

/* One line of a sysfs attribute, without its newline; "" if unreadable. */
static void sysfs_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int fl_dm_holders(dev_t dev, char ***names, char ***uuids)
{
	size_t nn = 0, nu = 0;
	struct dirent *de;
	char path[96];
	DIR *dir;
	int r = 0;

	*names = *uuids = NULL;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/holders",
		 major(dev), minor(dev));
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while (!r && (de = readdir(dir))) {
		char attr[320], name[160], uuid[160];

		if (de->d_name[0] == '.')
			continue;
		snprintf(attr, sizeof(attr), "/sys/class/block/%s/dm/name",
			 de->d_name);
		sysfs_line(attr, name, sizeof(name));
		if (!name[0])
			continue;	/* not a dm device, or gone */
		snprintf(attr, sizeof(attr), "/sys/class/block/%s/dm/uuid",
			 de->d_name);
		sysfs_line(attr, uuid, sizeof(uuid));
		r = fl_strv_append(names, &nn, name) ?:
		    fl_strv_append(uuids, &nu, uuid);
	}
	closedir(dir);
	if (r) {
		fl_strv_free(*names);
		fl_strv_free(*uuids);
		*names = *uuids = NULL;
	}
	return r;
}
