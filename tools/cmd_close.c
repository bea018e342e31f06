// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fileloopctl close NAME: unmount what fileloopctl mounted, close LUKS,
 * remove the mapping; nothing changes while anything else uses it.
 */
#include "cmd.h"

static int close_msg(const struct fl_device *dev)
{
	const struct fl_device_error *e = &dev->err;
	const struct fl_dev *d = &dev->found;
	int n = (int)e->value;

	switch (e->step) {
	case FL_STEP_FOREIGN_LUKS:
		/* Someone else's LUKS (cryptsetup open) sits on it. */
		cmd_msg("%s is in use by %s; close that first (cryptsetup close %s)",
			d->name, d->luks, d->luks);
		return FL_EXIT_BUSY;
	case FL_STEP_LUKS_LIBRARY:
		return cmd_fail(e->err, "LUKS needs libcryptsetup");
	case FL_STEP_READ_RECORD:
		return cmd_fail(e->err, "cannot read mount state of %s",
				e->object);
	case FL_STEP_FOREIGN_MOUNT:
		cmd_msg("%s is mounted on %s (not by fileloopctl); unmount it first",
			e->object, e->mount);
		return FL_EXIT_BUSY;
	case FL_STEP_BUSY:
		cmd_msg("%s is in use (open by %d other%s); nothing was changed",
			e->object, n, n == 1 ? "" : "s");
		return FL_EXIT_BUSY;
	case FL_STEP_UMOUNT:
		return cmd_fail(e->err, "cannot unmount %s; nothing was changed",
				e->object);
	case FL_STEP_BUSY_AFTER:
		cmd_msg("%s is in use; nothing was changed", e->object);
		return FL_EXIT_BUSY;
	case FL_STEP_PART_BUSY:
		cmd_msg("%s is in use (its partition %s is open); nothing was changed",
			d->name, e->holder);
		return FL_EXIT_BUSY;
	case FL_STEP_PART_REMOVE:
		return cmd_fail(e->err, "cannot remove the partitions of %s",
				e->object);
	case FL_STEP_LUKS_CLOSE:
		return cmd_fail(e->err, "cannot close LUKS device %s", e->object);
	case FL_STEP_REMOVE:
		return cmd_fail(e->err, "cannot remove device %s", e->object);
	default:
		return cmd_fail(e->err, "close");
	}
}

int cmd_close(const struct fl_opts *o)
{
	struct fl_device_params p = { .name = o->args[0] };
	struct fl_device dev;
	int ex;

	fl_device_init(&dev, &p);
	fl_device_set_event(&dev, cmd_event, NULL);
	ex = cmd_find(&dev, p.name);
	if (!ex && fl_device_close(&dev)) {
		ex = close_msg(&dev);
		cmd_undo_msgs(&dev.err.undo);
	}
	fl_device_free(&dev);
	return ex;
}
