// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tearing a device down: unmount what fileloopctl mounted, close its
 * LUKS, remove the mapping, forget its record.  Nothing is changed while
 * anything else uses the device; a failure after the unmount mounts it
 * back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fl_cryptlib.h"
#include "fl_device_int.h"
#include "fl_dm.h"
#include "fl_mount.h"
#include "fl_part.h"
#include "fl_state.h"
#include "fl_strv.h"

/*
 * How many more openers than @expected the mapping @name has.  udev opens
 * a new or changed device for a moment (blkid's probe) after a uevent,
 * and after a writer closes it, so a mapping that looks busy is looked at
 * again for up to a second before it counts as used.
 */
#define FL_BUSY_POLL_US		50000
#define FL_BUSY_POLLS		20

static int extra_openers(const char *name, int expected)
{
	struct fl_dm_info info;
	unsigned i;

	for (i = 0;; i++) {
		if (fl_dm_info(name, &info))
			return 0;	/* gone or unreadable: the removal says */
		if (info.open_count <= expected || i == FL_BUSY_POLLS)
			return info.open_count - expected;
		usleep(FL_BUSY_POLL_US);
	}
}

/* The partitions mapped on the top device (--partscan). */
static int count_parts(const struct fl_dev *d)
{
	int n = 0;

	while (d->parts && d->parts[n])
		n++;
	return n;
}

/* Refuse while anything but our own mount (and our LUKS) uses d. */
static int check_unused(struct fl_device *dev, char **mounts)
{
	const struct fl_dev *d = &dev->found;
	char **m;
	int busy;

	for (m = mounts; m && *m; m++) {
		if (!dev->mounted_on || strcmp(*m, dev->mounted_on)) {
			dev->err.mount = strdup(*m);
			return fl_device_fail(dev, FL_STEP_FOREIGN_MOUNT, -EBUSY,
					      dev->top_dev);
		}
	}
	if (!mounts) {
		free(dev->mounted_on);	/* recorded, but unmounted since */
		dev->mounted_on = NULL;
	}
	/* Any opener besides our mount, partitions and LUKS layer: busy. */
	busy = extra_openers(d->top, (dev->mounted_on ? 1 : 0) + count_parts(d));
	if (busy <= 0 && d->luks)
		busy = extra_openers(d->dm_name, 1);
	if (busy > 0) {
		dev->err.value = (uint64_t)busy;
		return fl_device_fail(dev, FL_STEP_BUSY, -EBUSY, dev->top_dev);
	}
	return 0;
}

int fl_device_close(struct fl_device *dev)
{
	const struct fl_dev *d = &dev->found;
	char **mounts = NULL;
	bool unmounted = false;
	int r;

	if (d->luks && strcmp(d->name, d->luks))
		/* Someone else's LUKS (cryptsetup open) sits on it. */
		return fl_device_fail(dev, FL_STEP_FOREIGN_LUKS, -EBUSY,
				      d->luks);
	/* Before anything is unmounted: the LUKS close must be possible. */
	if (d->luks && (r = fl_cryptlib_load()))
		return fl_device_fail(dev, FL_STEP_LUKS_LIBRARY, r, NULL);
	r = fl_state_get(d->name, FL_STATE_MOUNT, &dev->mounted_on);
	if (!r)
		r = fl_mounts_of(d->top_devno, &mounts);
	if (r)
		return fl_device_fail(dev, FL_STEP_READ_RECORD, r, d->name);
	r = check_unused(dev, mounts);
	fl_strv_free(mounts);
	if (r)
		return r;

	if (dev->mounted_on) {
		r = fl_umount(dev->mounted_on);
		if (r)
			return fl_device_fail(dev, FL_STEP_UMOUNT, r,
					      dev->mounted_on);
		unmounted = true;
		fl_device_note(dev, FL_EV_UNMOUNTED);
		/* Something may have opened the device meanwhile. */
		if (extra_openers(d->top, count_parts(d)) > 0) {
			r = fl_device_fail(dev, FL_STEP_BUSY_AFTER, -EBUSY,
					   dev->top_dev);
			goto remount;
		}
	}
	/* All or none: a partition in use (mounted, say) keeps them all. */
	if (d->parts) {
		char *busy = NULL;

		r = fl_part_remove(d->top, &busy);
		if (r) {
			dev->err.holder = busy;
			fl_device_fail(dev, busy ? FL_STEP_PART_BUSY :
					     FL_STEP_PART_REMOVE, r, dev->top_dev);
			goto remount;
		}
	}
	if (d->luks) {
		r = luks_close(d->luks);
		if (r) {
			fl_device_fail(dev, FL_STEP_LUKS_CLOSE, r, d->luks);
			goto remount;
		}
		fl_device_note(dev, FL_EV_LUKS_CLOSED);
	}
	r = fl_dm_remove(d->dm_name);
	if (r)	/* LUKS is closed: no going back without a key */
		return fl_device_fail(dev, FL_STEP_REMOVE, r, d->dm_name);
	fl_state_remove(d->name);
	fl_device_note(dev, FL_EV_REMOVED);
	return 0;
remount:
	if (unmounted) {
		int e = fl_mount(dev->top_dev, dev->mounted_on, d->read_only,
				 NULL);
		struct fl_undo_fail *f = NULL;

		if (e)
			f = fl_undo_log_add(&dev->err.undo, FL_UNDO_REMOUNT, e,
					    dev->top_dev);
		if (f)
			f->mount = dev->mounted_on;
	}
	return r;
}
