// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fl_device: the checks before a build, on the host, without
 * device-mapper: names, paths, geometry, LUKS's room, probing, and an
 * image that exists (refused, and left alone).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_device.h"
#include "tap.h"

#define MiB	(1ULL << 20)

static char dir[] = "/tmp/fl-device-test.XXXXXX";
static char img[PATH_MAX], missing[PATH_MAX];

static void name_refused(const char *name, bool luks,
			 enum fl_name_verdict want, const char *what)
{
	struct fl_device_params p = { .name = name, .luks = luks };
	struct fl_device dev;

	fl_device_init(&dev, &p);
	is_int(fl_device_check_free(&dev), -EINVAL, "%s: refused", what);
	is_int(dev.err.step, FL_STEP_NAME, "%s: at the name", what);
	is_int(dev.err.name_verdict, want, "%s: says why", what);
	fl_device_free(&dev);
}

static void create_params(struct fl_device_params *p, const char *file,
			  uint64_t size)
{
	memset(p, 0, sizeof(*p));
	p->name = "t";
	p->file = file;
	p->size = size;
}

int main(void)
{
	char longname[200], rel[PATH_MAX];
	struct fl_device_params p;
	struct fl_device dev;
	struct stat st;
	uint64_t size;
	int fd;

	if (!mkdtemp(dir))
		return 1;
	snprintf(img, sizeof(img), "%s/a.img", dir);
	snprintf(missing, sizeof(missing), "%s/no/such/dir/a.img", dir);

	/* Names: refused before device-mapper is asked anything. */
	name_refused("", false, FL_NAME_EMPTY, "empty name");
	name_refused("control", false, FL_NAME_RESERVED, "'control'");
	name_refused("a b", false, FL_NAME_BAD_CHAR, "a space");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	name_refused(longname, false, FL_NAME_TOO_LONG, "199 characters");
	longname[fl_name_max(false)] = '\0';
	name_refused(longname, true, FL_NAME_TOO_LONG,
		     "the plain maximum, with LUKS");
	create_params(&p, img, MiB);
	p.name = "a/b";
	fl_device_init(&dev, &p);
	fl_device_check_free(&dev);
	is_int(dev.err.bad, 1, "the bad character's index");
	fl_device_free(&dev);

	/* prepare_create */
	create_params(&p, missing, MiB);
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_create(&dev), -ENOENT, "no such directory");
	is_int(dev.err.step, FL_STEP_PATH, "at the path");
	is_str(dev.err.object, missing, "naming the file as given");
	fl_device_free(&dev);

	create_params(&p, img, MiB);
	p.offset = 2 * MiB;
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_create(&dev), -EINVAL, "offset past --size");
	is_int(dev.err.step, FL_STEP_GEOMETRY, "at the geometry");
	is_int(dev.err.geom, FL_GEOM_OFFSET, "the offset's fault");
	is_str(dev.err.object, img, "naming the absolute path");
	fl_device_free(&dev);

	create_params(&p, img, 16 * MiB);
	p.luks = true;
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_create(&dev), -EINVAL, "16 MiB with LUKS");
	is_int(dev.err.step, FL_STEP_LUKS_SIZE, "too small for LUKS2");
	is_u64(dev.err.value, 16 * MiB / 512, "says how big the mapping was");
	fl_device_free(&dev);

	if (chdir(dir))
		return 1;
	snprintf(rel, sizeof(rel), "./a.img");
	create_params(&p, rel, 32 * MiB);
	p.luks = true;
	p.sizelimit = 20 * MiB;
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_create(&dev), 0, "20 of 32 MiB with LUKS");
	is_str(dev.path, img, "a relative path made absolute");
	is_u64(dev.sectors, 20 * MiB / 512, "mapping of --sizelimit");
	ok(dev.luks, "LUKS as asked");
	ok(stat(img, &st), "nothing made yet");
	fl_device_free(&dev);

	/* An image that exists is refused without --force, and left alone. */
	fd = open(img, O_WRONLY | O_CREAT | O_EXCL, 0644);
	ok(fd >= 0 && write(fd, "x", 1) == 1, "an existing file");
	close(fd);
	create_params(&p, img, MiB);
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_create(&dev), 0, "prepared");
	is_int(fl_device_create(&dev, NULL, 0), -EEXIST, "create refuses it");
	is_int(dev.err.step, FL_STEP_IMAGE_CREATE, "at the image");
	ok(!stat(img, &st) && st.st_size == 1 && (st.st_mode & 0777) == 0644,
	   "the file is untouched");
	is_int(dev.err.undo.n, 0, "nothing to undo");
	fl_device_free(&dev);

	/* prepare_open */
	create_params(&p, missing, 0);
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_open(&dev), -ENOENT, "open: no such file");
	is_int(dev.err.step, FL_STEP_PATH, "at the path");
	fl_device_free(&dev);

	create_params(&p, dir, 0);
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_open(&dev), -EMEDIUMTYPE, "open: a directory");
	is_int(dev.err.step, FL_STEP_NOT_BACKING, "no file or block device");
	fl_device_free(&dev);

	if (truncate(img, 4 * MiB))
		return 1;
	create_params(&p, img, 0);
	p.offset = 4 * MiB;
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_open(&dev), -EINVAL, "open: offset at the end");
	is_int(dev.err.geom, FL_GEOM_OFFSET, "the offset's fault");
	is_u64(dev.file_size, 4 * MiB, "knowing the file's size");
	fl_device_free(&dev);

	create_params(&p, img, 0);
	p.map.block_size = 4096;
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_open(&dev), 0, "open: a zeroed file");
	is_u64(dev.sectors, 4 * MiB / 512, "all of it");
	ok(!dev.luks, "probed: no LUKS");
	fl_device_free(&dev);

	create_params(&p, img, 0);
	p.no_probe = true;
	p.luks = true;
	fl_device_init(&dev, &p);
	is_int(fl_device_prepare_open(&dev), 0, "open without probing");
	ok(!dev.luks, "no LUKS when not probed");
	fl_device_free(&dev);

	is_int(fl_backing_size(img, &size, &st), 0, "fl_backing_size");
	is_u64(size, 4 * MiB, "of a file");
	is_int(fl_backing_size(dir, &size, NULL), -EMEDIUMTYPE,
	       "not of a directory");

	unlink(img);
	rmdir(dir);
	return done_testing();
}
