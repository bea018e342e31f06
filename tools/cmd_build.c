// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The messages of a failed create or open: both check, prepare and build
 * a device through the same steps of fl_device.h, so they say the same
 * things about them.  Each message, then what could not be undone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "fl_size.h"
#include "fl_state.h"

/* The names fileloopctl hands out (fl_name.h says why these). */
static int name_msg(const char *name, enum fl_name_verdict v, size_t bad,
		    bool luks)
{
	unsigned char c;
	char what[8];

	switch (v) {
	case FL_NAME_OK:
		return 0;
	case FL_NAME_EMPTY:
		cmd_msg("the device name must not be empty");
		break;
	case FL_NAME_TOO_LONG:
		if (luks)
			cmd_msg("device name '%s' is %zu characters long; with LUKS at most %zu (the dm UUID of its file layer, FILELOOP-NAME-file, has at most 128)",
				name, strlen(name), fl_name_max(true));
		else
			cmd_msg("device name '%s' is %zu characters long; at most %zu (its dm UUID, FILELOOP-NAME, has at most 128)",
				name, strlen(name), fl_name_max(false));
		break;
	case FL_NAME_BAD_CHAR:
		c = (unsigned char)name[bad];
		if (c > ' ' && c < 0x7f)
			snprintf(what, sizeof(what), "'%c'", c);
		else
			snprintf(what, sizeof(what), "\\x%02x", c);
		cmd_msg("device name '%s' has %s: use only letters, digits and %s (libdevmapper would rename it)",
			name, c == ' ' ? "a space" : what, FL_NAME_PUNCT);
		break;
	case FL_NAME_RESERVED:
		if (!strcmp(name, "control"))
			cmd_msg("'control' is device-mapper's own node (/dev/mapper/control); choose another name");
		else
			cmd_msg("'%s' cannot be a device name", name);
		break;
	}
	return FL_EXIT_USAGE;
}

/* The kernel said EBUSY: say who holds the file, as losetup does. */
static int busy_msg(const struct fl_device *dev)
{
	const struct fl_device_error *e = &dev->err;
	const char *path = e->held ? e->held : dev->path;

	if (!e->holder)
		cmd_msg("%s is in use (a mounted or claimed block device?)",
			path);
	else if (strcmp(e->holder_as, path))
		cmd_msg("%s is already mapped by %s (as %s); close it first, or give --shared to both (cluster filesystems only)",
			path, e->holder, e->holder_as);
	else
		cmd_msg("%s is already mapped by %s; close it first, or give --shared to both (cluster filesystems only)",
			path, e->holder);
	return FL_EXIT_BUSY;
}

static int map_msg(const struct fl_device *dev)
{
	const char *name = dev->err.object;

	switch (dev->err.err) {
	case -EEXIST:
		cmd_msg("device %s already exists", name);
		return FL_EXIT_BUSY;
	case -EBUSY:
		return busy_msg(dev);
	case -EINVAL:
		/* The target's ctr said no; its reason is in the kernel log. */
		cmd_msg("the kernel refused the table for %s (its reason is in dmesg)",
			name);
		return FL_EXIT_FAIL;
	default:
		return cmd_fail(dev->err.err, "cannot create device %s", name);
	}
}

/* The kernel's fileloop target is missing, or not one we can drive. */
static int target_msg(const struct fl_device_error *e)
{
	const unsigned *v = e->version;

	switch (e->err) {
	case -ENOENT:
		cmd_msg("the kernel has no " FILELOOP_TARGET_NAME
			" target: modprobe dm-fileloop (the fileloop-dkms package builds it for each installed kernel)");
		return FL_EXIT_FAIL;
	case -EPROTONOSUPPORT:
		cmd_msg("the kernel's " FILELOOP_TARGET_NAME
			" target is version %u.%u.%u, this fileloopctl drives %u.x: install a matching dm-fileloop and fileloopctl",
			v[0], v[1], v[2], FILELOOP_VERSION_MAJOR);
		return FL_EXIT_FAIL;
	case -EOPNOTSUPP:
		cmd_msg("--shared needs " FILELOOP_TARGET_NAME
			" target 1.1 or later; the kernel's is %u.%u.%u",
			v[0], v[1], v[2]);
		return FL_EXIT_USAGE;
	default:
		return cmd_fail(e->err, "cannot ask the kernel for its "
				FILELOOP_TARGET_NAME " target");
	}
}

static int image_msg(const struct fl_device *dev)
{
	const struct fl_device_error *e = &dev->err;
	size_t i;

	switch (e->step) {
	case FL_STEP_IMAGE_OPEN:
		return cmd_fail(e->err, "cannot open %s", e->object);
	case FL_STEP_IMAGE_NOT_FILE:
		cmd_msg("%s is not a regular file; --force overwrites only files",
			e->object);
		return FL_EXIT_USAGE;
	case FL_STEP_IMAGE_CREATE:
		if (e->err != -EEXIST)
			return cmd_fail(e->err, "cannot create %s", e->object);
		for (i = 0; i < dev->p.nextra; i++)
			if (e->object == dev->p.extra[i].file)
				break;
		if (i < dev->p.nextra)	/* a --file: never overwritten */
			cmd_msg("%s exists; create --file makes new files only",
				e->object);
		else
			cmd_msg("%s exists; use --force to overwrite it",
				e->object);
		return FL_EXIT_BUSY;
	case FL_STEP_IMAGE_OVERWRITE:
		return cmd_fail(e->err, "cannot overwrite %s", e->object);
	default:	/* FL_STEP_IMAGE_SIZE */
		return cmd_fail(e->err, "cannot size %s to %" PRIu64 " bytes",
				e->object, e->value);
	}
}

static int step_msg(const struct fl_opts *o, const struct fl_device *dev)
{
	const struct fl_device_error *e = &dev->err;
	char h[32];
	size_t i;

	switch (e->step) {
	case FL_STEP_NAME:
		return name_msg(dev->p.name, e->name_verdict, e->bad, dev->luks);
	case FL_STEP_QUERY:
		return cmd_fail(e->err, "cannot query device-mapper for %s",
				e->object);
	case FL_STEP_EXISTS:
		cmd_msg("device %s already exists (/dev/mapper/%s)", e->object,
			e->object);
		return FL_EXIT_BUSY;
	case FL_STEP_MOUNT_DIR:
		return cmd_fail(e->err, "mount point %s", e->object);
	case FL_STEP_PATH:
		return cmd_fail(e->err, "%s", e->object);
	case FL_STEP_NOT_BACKING:
		cmd_msg("%s is not a regular file or block device", e->object);
		return FL_EXIT_USAGE;
	case FL_STEP_GEOMETRY:
		for (i = 0; i < dev->p.nextra; i++)
			if (e->object == dev->p.extra[i].file)
				return cmd_geom_msg(e->geom, e->object, e->value,
						    dev->p.extra[i].offset,
						    dev->p.extra[i].size,
						    dev->p.map.block_size);
		return cmd_geom_msg(e->geom, dev->path, dev->file_size,
				    dev->p.offset, dev->p.sizelimit,
				    dev->p.map.block_size);
	case FL_STEP_OVERLAP:
		cmd_msg("%s: two segments map the same bytes of it; give each its own range (FILE:OFFSET:SIZE)",
			e->object);
		return FL_EXIT_USAGE;
	case FL_STEP_LUKS_SIZE:
		cmd_msg("a LUKS2 container needs at least %llu MiB (16 MiB of it is the header); the mapping would be %s",
			FL_LUKS_MIN_BYTES >> 20,
			fl_size_human(e->value * FL_SECTOR, h, sizeof(h)));
		return FL_EXIT_USAGE;
	case FL_STEP_PROBE:
		return cmd_fail(e->err, "cannot probe %s", e->object);
	case FL_STEP_LIST:
		return cmd_fail(e->err, "cannot list devices");
	case FL_STEP_IN_USE:
		if (strcmp(e->holder_as, e->object))
			cmd_msg("%s is in use by %s (mapped as %s)", e->object,
				e->holder, e->holder_as);
		else
			cmd_msg("%s is in use by %s", e->object, e->holder);
		return FL_EXIT_BUSY;
	case FL_STEP_IMAGE_OPEN:
	case FL_STEP_IMAGE_NOT_FILE:
	case FL_STEP_IMAGE_CREATE:
	case FL_STEP_IMAGE_OVERWRITE:
	case FL_STEP_IMAGE_SIZE:
		return image_msg(dev);
	case FL_STEP_TARGET:
		return target_msg(e);
	case FL_STEP_TABLE:
		return cmd_fail(e->err, "cannot build the table for %s",
				e->object);
	case FL_STEP_MAP:
		return map_msg(dev);
	case FL_STEP_MAP_STATUS:
		return cmd_fail(e->err, "cannot read the status of %s",
				e->object);
	case FL_STEP_REPLACED:
		cmd_msg("%s was replaced while it was being mapped: the kernel opened another file; undone",
			e->object);
		return FL_EXIT_FAIL;
	case FL_STEP_RECORD:
		return cmd_fail(e->err, "cannot record the %s in " FL_STATE_DIR,
				strcmp(e->object, FL_STATE_MOUNT) ?
				"--sizelimit" : "mount");
	case FL_STEP_LUKS_FORMAT:
		return cmd_fail(e->err, "cannot format %s as LUKS2", e->object);
	case FL_STEP_LUKS_OPEN:
		return cmd_luks_open_msg(e->err, e->object);
	case FL_STEP_LUKS_TOKEN:
		if (e->err == -ENOENT) {
			cmd_msg("%s has no LUKS2 token to unlock it with (fileloopctl token add)",
				e->object);
			return FL_EXIT_PASS;
		}
		/* libcryptsetup says EPERM for a missing key and a wrong one. */
		if (e->err == -EPERM) {
			cmd_msg("no LUKS2 token unlocks %s: its key is not in the kernel keyring, or opens no key slot",
				e->object);
			return FL_EXIT_PASS;
		}
		return cmd_fail(e->err, "cannot unlock %s with a LUKS2 token",
				e->object);
	case FL_STEP_PARTSCAN:
		if (!e->value)
			return cmd_fail(e->err, "cannot read the partition table of %s; nothing was changed",
					e->object);
		return cmd_fail(e->err, "cannot map partition %u of %s; nothing was changed",
				(unsigned)e->value, e->object);
	case FL_STEP_MKFS:
		if (e->err == -ENOENT) {
			cmd_msg("mkfs.%s: program not found", dev->p.mkfs);
			return FL_EXIT_NOTFOUND;
		}
		cmd_msg("mkfs.%s %s failed", dev->p.mkfs, e->object);
		return FL_EXIT_FAIL;
	case FL_STEP_MOUNT:
		if (e->err == -EINVAL) {
			/* mount(2)'s EINVAL here is nearly always "no filesystem". */
			cmd_msg("cannot mount %s on %s: no filesystem found on it (--mkfs TYPE makes one)",
				e->object, dev->p.mount);
			return FL_EXIT_FAIL;
		}
		return cmd_fail(e->err, "cannot mount %s on %s", e->object,
				dev->p.mount);
	default:
		return cmd_fail(e->err, "%s", o->verb->name);
	}
}

int cmd_build_msgs(const struct fl_opts *o, const struct fl_device *dev)
{
	int ex = step_msg(o, dev);

	cmd_undo_msgs(&dev->err.undo);
	return ex;
}
