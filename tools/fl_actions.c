// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One function per verb (cryptsetup's action_types pattern).  Every verb
 * that builds something keeps a record of what it built and, on failure,
 * takes it down again in reverse order: no half-made file, no leaked
 * mapping, no LUKS layer left open.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/fs.h>

#include "fl_actions.h"
#include "fl_cryptlib.h"
#include "fl_dm.h"
#include "fl_list.h"
#include "fl_mount.h"
#include "fl_name.h"
#include "fl_passphrase.h"
#include "fl_probe.h"
#include "fl_show.h"
#include "fl_size.h"
#include "fl_state.h"
#include "fl_strv.h"
#include "fl_table.h"
#include "luks_helper.h"

#define LUKS_MIN_BYTES	(17ULL << 20)	/* 16 MiB LUKS2 header + data */

int fl_verbose;

int fl_exit_code(int r)
{
	switch (-r) {
	case 0:
		return FL_EXIT_OK;
	case EINVAL: case ERANGE: case ENAMETOOLONG: case ENODATA:
	case EBADMSG: case EFBIG: case ENOTDIR: case EISDIR:
	case EMEDIUMTYPE:
		return FL_EXIT_USAGE;
	case EACCES: case EROFS:
		return FL_EXIT_PERM;
	case EBUSY: case EEXIST:
		return FL_EXIT_BUSY;
	case ENOENT: case ENODEV: case ENXIO:
		return FL_EXIT_NOTFOUND;
	case EPERM:
		/* libcryptsetup's "no key slot opens": callers map it. */
		return FL_EXIT_PERM;
	default:
		return FL_EXIT_FAIL;
	}
}

static void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void msg(const char *fmt, ...)
{
	va_list ap;

	fputs("fileloopctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "fileloopctl: <what>: <strerror>", and the exit status for r. */
static int fail(int r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(int r, const char *fmt, ...)
{
	va_list ap;

	fputs("fileloopctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* The loader's message names the library and what went wrong. */
	fprintf(stderr, ": %s\n", r == -ELIBACC && *fl_cryptlib_error() ?
		fl_cryptlib_error() : strerror(-r));
	return fl_exit_code(r);
}

static void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void info(const char *fmt, ...)
{
	va_list ap;

	if (!fl_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The names fileloopctl hands out (fl_name.h says why these). */
static int check_name(const char *name, bool luks)
{
	unsigned char c;
	size_t bad = 0;
	char what[8];

	switch (fl_name_check(name, luks, &bad)) {
	case FL_NAME_OK:
		return 0;
	case FL_NAME_EMPTY:
		msg("the device name must not be empty");
		break;
	case FL_NAME_TOO_LONG:
		if (luks)
			msg("device name '%s' is %zu characters long; with LUKS at most %zu (the dm UUID of its file layer, FILELOOP-NAME-file, has at most 128)",
			    name, strlen(name), fl_name_max(true));
		else
			msg("device name '%s' is %zu characters long; at most %zu (its dm UUID, FILELOOP-NAME, has at most 128)",
			    name, strlen(name), fl_name_max(false));
		break;
	case FL_NAME_BAD_CHAR:
		c = (unsigned char)name[bad];
		if (c > ' ' && c < 0x7f)
			snprintf(what, sizeof(what), "'%c'", c);
		else
			snprintf(what, sizeof(what), "\\x%02x", c);
		msg("device name '%s' has %s: use only letters, digits and %s (libdevmapper would rename it)",
		    name, c == ' ' ? "a space" : what, FL_NAME_PUNCT);
		break;
	case FL_NAME_RESERVED:
		if (!strcmp(name, "control"))
			msg("'control' is device-mapper's own node (/dev/mapper/control); choose another name");
		else
			msg("'%s' cannot be a device name", name);
		break;
	}
	return FL_EXIT_USAGE;
}

/* Refuse a name that is mapped already; says which one. */
static int check_free(const char *name)
{
	struct fl_dm_info di;
	int r;

	r = fl_dm_info(name, &di);
	if (r)
		return fail(r, "cannot query device-mapper for %s", name);
	if (di.exists) {
		msg("device %s already exists (/dev/mapper/%s)", name, name);
		return FL_EXIT_BUSY;
	}
	return 0;
}

/*
 * The absolute path of a file that may not exist yet: its directory
 * resolved, its own name kept, so the table names the file we create.
 */
static int new_file_path(const char *file, char **out)
{
	char *d = strdup(file), *b = strdup(file), *dir = NULL;
	int r = 0;

	if (!d || !b) {
		r = -ENOMEM;
		goto out;
	}
	dir = realpath(dirname(d), NULL);
	if (!dir) {
		r = -errno;
		goto out;
	}
	if (asprintf(out, "%s/%s", strcmp(dir, "/") ? dir : "", basename(b)) < 0)
		r = -ENOMEM;
out:
	free(dir);
	free(d);
	free(b);
	return r;
}

/* Size in bytes of a regular file or block device. */
/* st, when not NULL, gets what stat() says of path. */
static int backing_size(const char *path, uint64_t *size, struct stat *out)
{
	struct stat st;
	int fd, r = 0;

	if (stat(path, &st))
		return -errno;
	if (out)
		*out = st;
	if (S_ISREG(st.st_mode)) {
		*size = (uint64_t)st.st_size;
		return 0;
	}
	if (!S_ISBLK(st.st_mode))
		return -EMEDIUMTYPE;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, BLKGETSIZE64, size))
		r = -errno;
	close(fd);
	return r;
}

/*
 * Sectors a mapping of a file of file_size bytes gets: --sizelimit, or up
 * to the end of the file, rounded down to the logical block size.
 */
static int map_sectors(const struct fl_opts *o, const char *file,
		       uint64_t file_size, uint64_t *sectors)
{
	unsigned bs = o->map.block_size ? o->map.block_size : FL_SECTOR;
	uint64_t len;

	if (o->offset >= file_size) {
		msg("%s is %" PRIu64 " bytes: too small for --offset %" PRIu64,
		    file, file_size, o->offset);
		return FL_EXIT_USAGE;
	}
	if (o->sizelimit && o->sizelimit > file_size - o->offset) {
		msg("%s is %" PRIu64 " bytes: too small for --offset %" PRIu64
		    " + --sizelimit %" PRIu64, file, file_size, o->offset,
		    o->sizelimit);
		return FL_EXIT_USAGE;
	}
	len = o->sizelimit ? o->sizelimit : file_size - o->offset;
	len -= len % bs;
	if (!len) {
		msg("%s is too small: less than one %u-byte block after the offset",
		    file, bs);
		return FL_EXIT_USAGE;
	}
	*sectors = len / FL_SECTOR;
	return 0;
}

/*
 * The first device other than skip that maps the inode of target, by any
 * path (a hard link or a bind mount is another path to the same file);
 * NULL when there is none.  *as is the path it was mapped by.
 */
/* Does the target report st's file as the one it opened (target 1.1)? */
static bool same_file(const struct fl_stats *s, const struct stat *st)
{
	return s->file_major == major(st->st_dev) &&
	       s->file_minor == minor(st->st_dev) &&
	       s->file_ino == (uint64_t)st->st_ino;
}

/*
 * Does d map target's inode?  The target says which file it opened; an
 * older one is asked through its table's path, which a rename or unlink
 * since may have moved.
 */
static bool maps_file(const struct fl_dev *d, const struct stat *target)
{
	struct stat st;

	if (d->have_stats && d->stats.have_file_id)
		return same_file(&d->stats, target);
	return !stat(d->params.path, &st) && st.st_dev == target->st_dev &&
	       st.st_ino == target->st_ino;
}

static int find_mapping(const struct stat *target, const char *skip,
			char **name, char **as)
{
	struct fl_dev *devs;
	size_t n, i;
	int r;

	*name = *as = NULL;
	r = fl_list_all(&devs, &n);
	if (r)
		return r;
	for (i = 0; i < n && !*name; i++) {
		if ((skip && !strcmp(devs[i].dm_name, skip)) ||
		    !maps_file(&devs[i], target))
			continue;
		*name = strdup(devs[i].name);
		*as = strdup(devs[i].params.path);
		if (!*name || !*as)
			r = -ENOMEM;
	}
	fl_devs_free(devs, n);
	if (r) {
		free(*name);
		free(*as);
		*name = *as = NULL;
	}
	return r;
}

/* The kernel said EBUSY: say who holds the file, as losetup does. */
static int busy_msg(const char *map_name, const char *path,
		    const struct stat *st)
{
	char *holder, *as;

	if (find_mapping(st, map_name, &holder, &as) || !holder) {
		msg("%s is in use (a mounted or claimed block device?)", path);
		return FL_EXIT_BUSY;
	}
	if (strcmp(as, path))
		msg("%s is already mapped by %s (as %s); close it first, or give --shared to both (cluster filesystems only)",
		    path, holder, as);
	else
		msg("%s is already mapped by %s; close it first, or give --shared to both (cluster filesystems only)",
		    path, holder);
	free(holder);
	free(as);
	return FL_EXIT_BUSY;
}

/*
 * The kernel opens the table's path itself, after we checked the file:
 * a symlink or a rename swapped in between would map another file.  The
 * target reports the device and inode it opened; they must be st's.
 */
static int check_mapped_file(const char *name, const char *path,
			     const struct stat *st)
{
	struct fl_dm_target t = { 0 };
	struct fl_stats s;
	int r;

	r = fl_dm_table(name, true, &t);
	if (!r)
		r = t.params ? fl_stats_parse(t.params, &s) : -EINVAL;
	fl_dm_target_free(&t);
	if (r)
		return fail(r, "cannot read the status of %s", name);
	if (!s.have_file_id)
		return 0;	/* a target older than 1.1 does not say */
	if (!same_file(&s, st)) {
		msg("%s was replaced while it was being mapped: the kernel opened another file; undone",
		    path);
		return FL_EXIT_FAIL;
	}
	return 0;
}

/*
 * Map path as name; uuid FILELOOP-<name>, stable for the mapping's life.
 * st is what the caller checked of path.  On failure nothing is mapped.
 */
static int map_file(const char *name, const char *path,
		    const struct fl_opts *o, uint64_t sectors,
		    const struct stat *st)
{
	struct fl_params p = o->map;
	char *params, *uuid;
	int r;

	p.path = (char *)path;
	r = fl_params_format(&p, &params);
	if (r)
		return fail(r, "cannot build the table for %s", path);
	if (asprintf(&uuid, FL_UUID_PREFIX "%s", name) < 0) {
		free(params);
		return fail(-ENOMEM, "cannot map %s", path);
	}
	info("table: 0 %" PRIu64 " " FL_TARGET " %s", sectors, params);
	r = fl_dm_create(name, uuid, sectors, params, o->read_only);
	free(uuid);
	free(params);
	if (r == -EEXIST) {
		msg("device %s already exists", name);
		return FL_EXIT_BUSY;
	}
	if (r == -EBUSY)
		return busy_msg(name, path, st);
	if (r == -EINVAL) {
		/* The target's ctr said no (or there is no such target). */
		msg("the kernel refused the table for %s (is dm-fileloop loaded? see dmesg)",
		    name);
		return FL_EXIT_FAIL;
	}
	if (r)
		return fail(r, "cannot create device %s", name);
	r = check_mapped_file(name, path, st);
	if (r) {
		int e = fl_dm_remove(name);

		if (e)
			fail(e, "cleanup: cannot remove device %s", name);
	}
	return r;
}

/*
 * libcryptsetup is loaded on first use (fl_cryptlib.h): a LUKS command
 * checks it is there before it asks for anything or changes anything.
 */
static int need_luks_library(void)
{
	int r = fl_cryptlib_load();

	return r ? fail(r, "LUKS needs libcryptsetup") : 0;
}

/* A key file others can read is a key others have: say so, and go on. */
static void warn_key_file_mode(const char *key_file)
{
	struct stat st;

	if (!key_file || !strcmp(key_file, "-") || stat(key_file, &st) ||
	    !S_ISREG(st.st_mode) || !(st.st_mode & (S_IRWXG | S_IRWXO)))
		return;
	msg("warning: key file %s is accessible by others (mode %04o); chmod 600 it",
	    key_file, (unsigned)(st.st_mode & 07777));
}

static int get_secret(const struct fl_opts *o, const char *name, bool confirm,
		      char **pass, size_t *len)
{
	struct fl_pass_req req = { .key_file = o->key_file, .confirm = confirm };
	char prompt[192];
	int r;

	/* Only LUKS takes a secret: first make sure LUKS can be driven. */
	r = need_luks_library();
	if (r)
		return r;
	warn_key_file_mode(o->key_file);
	snprintf(prompt, sizeof(prompt), "Enter passphrase for %s: ", name);
	req.prompt = prompt;
	r = fl_passphrase_get(&req, pass, len);
	switch (r) {
	case 0:
		return 0;
	case -ENODATA:
		msg("empty passphrase or key file");
		break;
	case -EBADMSG:
		msg("passphrases do not match");
		break;
	case -EFBIG:
		msg("passphrase or key file too long (at most %u bytes from a key file, %u typed)",
		    FL_KEYFILE_MAX, FL_PASS_MAX);
		break;
	default:
		return fail(r, "cannot read the %s",
			    o->key_file && strcmp(o->key_file, "-") ?
			    "key file" : "passphrase");
	}
	return FL_EXIT_USAGE;
}

static int luks_open_msg(int r, const char *name)
{
	if (r == -EPERM) {
		msg("no key slot of %s opens with this passphrase", name);
		return FL_EXIT_PASS;
	}
	return fail(r, "cannot unlock %s", name);
}

/* Mount top at dir and remember it, so close unmounts what we mounted. */
static int mount_top(const char *name, const char *top, const char *dir,
		     bool ro)
{
	char *abs;
	int r;

	abs = realpath(dir, NULL);
	if (!abs)
		return fail(-errno, "mount point %s", dir);
	r = fl_mount(top, abs, ro);
	if (r == -EINVAL) {
		/* mount(2)'s EINVAL here is nearly always "no filesystem". */
		msg("cannot mount %s on %s: no filesystem found on it (--mkfs TYPE makes one)",
		    top, dir);
		free(abs);
		return FL_EXIT_FAIL;
	}
	if (r) {
		free(abs);
		return fail(r, "cannot mount %s on %s", top, dir);
	}
	r = fl_state_set(name, FL_STATE_MOUNT, abs);
	if (r) {
		fl_umount(abs);
		free(abs);
		return fail(r, "cannot record the mount in " FL_STATE_DIR);
	}
	info("mounted %s on %s", top, abs);
	free(abs);
	return 0;
}

static int check_mount_dir(const struct fl_opts *o)
{
	struct stat st;

	if (!o->mount)
		return 0;
	if (stat(o->mount, &st))
		return fail(-errno, "mount point %s", o->mount);
	if (!S_ISDIR(st.st_mode))
		return fail(-ENOTDIR, "mount point %s", o->mount);
	return 0;
}

static void luks_params(const struct fl_opts *o, struct luks_format_params *lp)
{
	memset(lp, 0, sizeof(*lp));
	lp->cipher = o->cipher;
	lp->key_bits = o->key_size;
	lp->pbkdf = o->pbkdf;
	lp->pbkdf_memory_kb = o->pbkdf_memory;
	lp->pbkdf_iterations = o->pbkdf_iter;
	lp->iter_time_ms = o->iter_time;
}

/*
 * --sizelimit is where the mapping must end (a partition in a disk
 * image, say), which the table alone cannot tell from a file grown since:
 * remember it for resize.
 */
static int record_sizelimit(const struct fl_opts *o, const char *name)
{
	char val[24];
	int r;

	if (!fl_opt_set(o, OPT_SIZELIMIT))
		return 0;
	snprintf(val, sizeof(val), "%" PRIu64, o->sizelimit);
	r = fl_state_set(name, FL_STATE_SIZELIMIT, val);
	return r ? fail(r, "cannot record the --sizelimit in " FL_STATE_DIR) : 0;
}

/* What create/open built, for unwinding in reverse order on failure. */
struct built {
	const char *name;	/* user name */
	const char *map_name;	/* fileloop mapping */
	const char *unlink_path;
	bool mapped, opened, mounted;
};

static void unwind(const struct built *b)
{
	char *mnt = NULL;
	int r;

	if (b->mounted && !fl_state_get(b->name, FL_STATE_MOUNT, &mnt) && mnt)
		fl_umount(mnt);
	free(mnt);
	/* Any record of NAME is this run's: a stale one went before mapping. */
	if (b->mapped)
		fl_state_remove(b->name);
	if (b->opened && (r = luks_close(b->name)))
		fail(r, "cleanup: cannot close LUKS device %s", b->name);
	if (b->mapped && (r = fl_dm_remove(b->map_name)))
		fail(r, "cleanup: cannot remove device %s", b->map_name);
	if (b->unlink_path && unlink(b->unlink_path))
		fail(-errno, "cleanup: cannot remove %s", b->unlink_path);
}

/*
 * --force must not truncate a file some mapping is using, under any of
 * its names: a hard link or a bind mount is another path to the same
 * file, so compare inodes, not paths.
 */
static int check_not_mapped(const char *path, const struct stat *target)
{
	char *holder, *as;
	int r;

	r = find_mapping(target, NULL, &holder, &as);
	if (r)
		return fail(r, "cannot list devices");
	if (!holder)
		return 0;
	if (strcmp(as, path))
		msg("%s is in use by %s (mapped as %s)", path, holder, as);
	else
		msg("%s is in use by %s", path, holder);
	free(holder);
	free(as);
	return FL_EXIT_BUSY;
}

/*
 * Make the image: new (O_EXCL, 0600), or truncated over with --force.
 * *made gets what fstat() says of the file made.
 */
static int make_image(const struct fl_opts *o, const char *path,
		      bool *created, struct stat *made)
{
	struct stat st;
	int fd, r = 0;

	*created = false;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd >= 0) {
		*created = true;
	} else if (errno == EEXIST && fl_opt_set(o, OPT_FORCE)) {
		/*
		 * O_NONBLOCK: opening a FIFO for writing would wait for a
		 * reader forever (without one it now fails with ENXIO);
		 * O_NOCTTY: a terminal must not become ours.  Nothing is done
		 * to what was opened before fstat says it is a file.
		 */
		fd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW |
			  O_CLOEXEC);
		if (fd < 0 && errno != ENXIO)
			return fail(-errno, "cannot open %s", path);
		if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			if (fd >= 0)
				close(fd);
			msg("%s is not a regular file; --force overwrites only files",
			    path);
			return FL_EXIT_USAGE;
		}
		/* Checked again on what was opened: the path may have moved. */
		r = check_not_mapped(path, &st);
		if (r) {
			close(fd);
			return r;
		}
		/* New images are 0600, also where a 0644 file was. */
		if (fcntl(fd, F_SETFL, 0) || fchmod(fd, 0600) ||
		    ftruncate(fd, 0)) {
			r = -errno;
			close(fd);
			return fail(r, "cannot overwrite %s", path);
		}
	} else if (errno == EEXIST) {
		msg("%s exists; use --force to overwrite it", path);
		return FL_EXIT_BUSY;
	} else {
		return fail(-errno, "cannot create %s", path);
	}

	/* --allocate: real blocks now, no ENOSPC at write time later. */
	if (fl_opt_set(o, OPT_ALLOCATE))
		r = -posix_fallocate(fd, 0, (off_t)o->size);
	else if (ftruncate(fd, (off_t)o->size))
		r = -errno;
	if (!r && fsync(fd))
		r = -errno;
	if (!r && fstat(fd, made))
		r = -errno;
	close(fd);
	if (r) {
		if (*created)
			unlink(path);
		*created = false;
		return fail(r, "cannot size %s to %" PRIu64 " bytes", path,
			    o->size);
	}
	return 0;
}

/*
 * Before anything is built: NAME (and NAME-file under LUKS) must be free
 * and --mount's directory usable.  Sets b->map_name, the name the file
 * mapping gets; *file_layer is that name under LUKS and the caller's to
 * free.
 */
static int check_targets(const struct fl_opts *o, const char *verb,
			 bool luks, struct built *b, char **file_layer)
{
	int ex = check_name(b->name, luks);

	if (ex)
		return ex;
	*file_layer = luks ? fl_file_layer_name(b->name) : NULL;
	b->map_name = luks ? *file_layer : b->name;
	if (!b->map_name)
		return fail(-ENOMEM, "%s", verb);
	ex = check_free(b->name);
	if (!ex && luks)
		ex = check_free(*file_layer);
	if (!ex)
		ex = check_mount_dir(o);
	return ex;
}

static int action_create(const struct fl_opts *o)
{
	const char *name = o->args[0], *file = o->args[1];
	bool luks = fl_opt_set(o, OPT_LUKS), created = false;
	struct built b = { .name = name };
	char *path = NULL, *file_layer = NULL, *pass = NULL;
	char dev[PATH_MAX];
	size_t plen = 0;
	uint64_t sectors;
	struct stat st;
	int ex, r;

	ex = check_targets(o, "create", luks, &b, &file_layer);
	if (ex)
		goto out;
	r = new_file_path(file, &path);
	if (r) {
		ex = fail(r, "%s", file);
		goto out;
	}
	/* Before the passphrase is asked for; make_image checks again. */
	if (fl_opt_set(o, OPT_FORCE) && !stat(path, &st) &&
	    (ex = check_not_mapped(path, &st)))
		goto out;
	ex = map_sectors(o, path, o->size, &sectors);
	if (ex)
		goto out;
	if (luks && sectors * FL_SECTOR < LUKS_MIN_BYTES) {
		char h[32];

		msg("a LUKS2 container needs at least %llu MiB (16 MiB of it is the header); the mapping would be %s",
		    LUKS_MIN_BYTES >> 20,
		    fl_size_human(sectors * FL_SECTOR, h, sizeof(h)));
		ex = FL_EXIT_USAGE;
		goto out;
	}
	/* Ask before building anything: a typo then leaves nothing behind. */
	if (luks && (ex = get_secret(o, name, true, &pass, &plen)))
		goto out;

	ex = make_image(o, path, &created, &st);
	if (ex)
		goto out;
	b.unlink_path = created ? path : NULL;
	fl_state_remove(name);	/* a stale record must not be trusted */

	ex = map_file(b.map_name, path, o, sectors, &st);
	if (ex)
		goto fail;
	b.mapped = true;
	ex = record_sizelimit(o, name);
	if (ex)
		goto fail;

	if (luks) {
		struct luks_format_params lp;

		snprintf(dev, sizeof(dev), "/dev/mapper/%s", file_layer);
		luks_params(o, &lp);
		info("formatting %s as LUKS2", dev);
		r = luks_format(dev, &lp, pass, plen);
		if (r) {
			ex = fail(r, "cannot format %s as LUKS2", dev);
			goto fail;
		}
		r = luks_open(dev, name, pass, plen, false);
		if (r) {
			ex = luks_open_msg(r, name);
			goto fail;
		}
		b.opened = true;
	}
	fl_secret_free(pass);
	pass = NULL;

	snprintf(dev, sizeof(dev), "/dev/mapper/%s", name);
	if (o->mkfs) {
		info("making a %s filesystem on %s", o->mkfs, dev);
		r = fl_mkfs(o->mkfs, dev);
		if (r) {
			ex = r == -ENOENT ?
			     (msg("mkfs.%s: program not found", o->mkfs), FL_EXIT_NOTFOUND) :
			     (msg("mkfs.%s %s failed", o->mkfs, dev), FL_EXIT_FAIL);
			goto fail;
		}
	}
	if (o->mount) {
		ex = mount_top(name, dev, o->mount, o->read_only);
		if (ex)
			goto fail;
		b.mounted = true;
	}
	info("created %s on %s", dev, path);
	goto out;
fail:
	unwind(&b);
out:
	fl_secret_free(pass);
	free(file_layer);
	free(path);
	return ex;
}

static int action_open(const struct fl_opts *o)
{
	const char *name = o->args[0], *file = o->args[1];
	struct built b = { .name = name };
	char *path = NULL, *type = NULL, *file_layer = NULL, *pass = NULL;
	char dev[PATH_MAX];
	uint64_t size, sectors;
	size_t plen = 0;
	struct stat st;
	bool luks;
	int ex, r;

	path = realpath(file, NULL);
	if (!path)
		return fail(-errno, "%s", file);
	r = backing_size(path, &size, &st);
	if (r == -EMEDIUMTYPE) {
		msg("%s is not a regular file or block device", file);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (r) {
		ex = fail(r, "%s", file);
		goto out;
	}
	ex = map_sectors(o, path, size, &sectors);
	if (ex)
		goto out;
	/* --no-luks decides without reading the file. */
	if (!fl_opt_set(o, OPT_NO_LUKS)) {
		r = fl_probe_type(path, o->offset, &type);
		if (r) {
			ex = fail(r, "cannot probe %s", path);
			goto out;
		}
	}
	luks = type && !strcmp(type, FL_TYPE_LUKS);
	if (fl_opt_set(o, OPT_LUKS) && !luks) {
		msg("%s holds no LUKS header at offset %" PRIu64, file, o->offset);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (!luks && o->key_file) {
		msg("%s is not LUKS; --key-file makes no sense", file);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	ex = check_targets(o, "open", luks, &b, &file_layer);
	if (ex)
		goto out;
	if (luks && (ex = get_secret(o, name, false, &pass, &plen)))
		goto out;
	fl_state_remove(name);

	ex = map_file(b.map_name, path, o, sectors, &st);
	if (ex)
		goto fail;
	b.mapped = true;
	ex = record_sizelimit(o, name);
	if (ex)
		goto fail;
	if (luks) {
		snprintf(dev, sizeof(dev), "/dev/mapper/%s", file_layer);
		r = luks_open(dev, name, pass, plen, o->read_only);
		fl_secret_free(pass);
		pass = NULL;
		if (r) {
			ex = luks_open_msg(r, name);
			goto fail;
		}
		b.opened = true;
	}
	snprintf(dev, sizeof(dev), "/dev/mapper/%s", name);
	if (o->mount) {
		ex = mount_top(name, dev, o->mount, o->read_only);
		if (ex)
			goto fail;
		b.mounted = true;
	}
	info("opened %s%s on %s", dev, luks ? " (LUKS)" : "", path);
	goto out;
fail:
	unwind(&b);
out:
	fl_secret_free(pass);
	free(file_layer);
	free(type);
	free(path);
	return ex;
}

static int lookup(const char *name, struct fl_dev *d)
{
	int r = fl_list_one(name, d);

	if (r == -ENODEV) {
		msg("no device %s", name);
		return FL_EXIT_NOTFOUND;
	}
	if (r == -EMEDIUMTYPE) {
		msg("%s is not a fileloop device (nor fileloopctl's LUKS on one)",
		    name);
		return FL_EXIT_NOTFOUND;
	}
	if (r)
		return fail(r, "cannot look up %s", name);
	return 0;
}

static int action_close(const struct fl_opts *o)
{
	struct fl_dm_info ti;
	char *ours = NULL, **mounts = NULL, **m;
	char top[PATH_MAX];
	bool unmounted = false;
	struct fl_dev d;
	int ex, r, busy;

	ex = lookup(o->args[0], &d);
	if (ex)
		return ex;
	snprintf(top, sizeof(top), "/dev/mapper/%s", d.top);
	if (d.luks && strcmp(d.name, d.luks)) {
		/* Someone else's LUKS (cryptsetup open) sits on it. */
		msg("%s is in use by %s; close that first (cryptsetup close %s)",
		    d.name, d.luks, d.luks);
		ex = FL_EXIT_BUSY;
		goto out;
	}
	/* Before anything is unmounted: the LUKS close must be possible. */
	if (d.luks && (ex = need_luks_library()))
		goto out;
	r = fl_state_get(d.name, FL_STATE_MOUNT, &ours);
	if (!r)
		r = fl_mounts_of(d.top_devno, &mounts);
	if (r) {
		ex = fail(r, "cannot read mount state of %s", d.name);
		goto out;
	}
	for (m = mounts; m && *m; m++) {
		if (!ours || strcmp(*m, ours)) {
			msg("%s is mounted on %s (not by fileloopctl); unmount it first",
			    top, *m);
			ex = FL_EXIT_BUSY;
			goto out;
		}
	}
	if (!mounts) {
		free(ours);	/* recorded, but unmounted since */
		ours = NULL;
	}
	/* Any opener besides our own mount (and our LUKS layer): busy. */
	busy = d.top_open_count - (ours ? 1 : 0);
	if (busy > 0 || (d.luks && d.open_count > 1)) {
		msg("%s is in use (open by %d other%s); nothing was changed",
		    top, busy > 0 ? busy : d.open_count - 1,
		    (busy > 0 ? busy : d.open_count - 1) == 1 ? "" : "s");
		ex = FL_EXIT_BUSY;
		goto out;
	}

	if (ours) {
		r = fl_umount(ours);
		if (r) {
			ex = fail(r, "cannot unmount %s; nothing was changed", ours);
			goto out;
		}
		unmounted = true;
		info("unmounted %s", ours);
		/* Something may have opened the device meanwhile. */
		if (!fl_dm_info(d.top, &ti) && ti.open_count > 0) {
			msg("%s is in use; nothing was changed", top);
			ex = FL_EXIT_BUSY;
			goto remount;
		}
	}
	if (d.luks) {
		r = luks_close(d.luks);
		if (r) {
			ex = fail(r, "cannot close LUKS device %s", d.luks);
			goto remount;
		}
		info("closed LUKS device %s", d.luks);
	}
	r = fl_dm_remove(d.dm_name);
	if (r) {
		ex = fail(r, "cannot remove device %s", d.dm_name);
		goto out;	/* LUKS is closed: no going back without a key */
	}
	fl_state_remove(d.name);
	info("removed %s", d.dm_name);
	goto out;
remount:
	if (unmounted && (r = fl_mount(top, ours, d.read_only)))
		fail(r, "cannot mount %s back on %s", top, ours);
out:
	fl_strv_free(mounts);
	free(ours);
	fl_dev_free(&d);
	return ex;
}

static int show_flags(const struct fl_opts *o, struct fl_show_flags *fl)
{
	memset(fl, 0, sizeof(*fl));
	fl->columns = o->columns;
	fl->json = fl_opt_set(o, OPT_JSON);
	fl->raw = fl_opt_set(o, OPT_RAW);
	fl->noheadings = fl_opt_set(o, OPT_NOHEADINGS);
	fl->bytes = fl_opt_set(o, OPT_BYTES);
	return 0;
}

static int show(const struct fl_dev *devs, size_t n, struct fl_show_flags *fl)
{
	const char *bad = NULL;
	int r;

	r = fl_show_table(devs, n, fl, &bad);
	if (r == -EINVAL && bad) {
		msg("unknown column in '%s' (see fileloopctl list --help)", bad);
		return FL_EXIT_USAGE;
	}
	if (r)
		return fail(r, "cannot print the table");
	return 0;
}

static int action_list(const struct fl_opts *o)
{
	struct fl_show_flags fl;
	struct fl_dev *devs;
	size_t n;
	int r, ex;

	r = fl_list_all(&devs, &n);
	if (r)
		return fail(r, "cannot list devices");
	show_flags(o, &fl);
	/*
	 * Like losetup --list, nothing at all when nothing is mapped (but
	 * still validate -O, so a typo is caught before there are devices).
	 */
	if (!n && !fl.json)
		fl.noheadings = true;
	ex = show(devs, n, &fl);
	fl_devs_free(devs, n);
	return ex;
}

static int action_status(const struct fl_opts *o)
{
	struct fl_show_flags fl;
	char sz[32], tsz[32];
	struct fl_dev d;
	int ex;

	ex = lookup(o->args[0], &d);
	if (ex)
		return ex;
	show_flags(o, &fl);
	if (fl.json || o->columns) {
		fl.all_columns = !o->columns;
		ex = show(&d, 1, &fl);
		goto out;
	}
	/* cryptsetup status layout: a headline, then aligned fields. */
	printf("/dev/mapper/%s is active%s.\n", d.name,
	       d.top_open_count > 0 ? " and is in use" : "");
	printf("  type:       %s\n", d.luks ? "fileloop + LUKS" : "fileloop");
	printf("  file:       %s\n", d.params.path);
	printf("  offset:     %" PRIu64 " bytes\n", d.params.offset * FL_SECTOR);
	printf("  size:       %s (%" PRIu64 " bytes)\n",
	       fl_size_human(d.sectors * FL_SECTOR, sz, sizeof(sz)),
	       d.sectors * FL_SECTOR);
	printf("  mode:       %s\n", d.read_only ? "read-only" : "read/write");
	printf("  io:         %s\n", d.have_stats ? fl_io_mode_name(d.stats.io) :
					       fl_io_mode_name(d.params.io));
	printf("  block size: %u\n", d.params.block_size ? d.params.block_size :
						       FL_SECTOR);
	printf("  discard:    %s\n", d.params.no_discard ? "off" : "on");
	if (d.params.shared)
		printf("  shared:     yes: other devices may map the file\n");
	printf("  mapping:    %s (%s)\n", d.dm_name, d.uuid);
	if (d.segments > 1)
		printf("  segments:   %u (only the first is shown)\n", d.segments);
	if (d.luks)
		printf("  luks:       %s, %s (see cryptsetup status %s)\n", d.luks,
		       fl_size_human(d.top_sectors * FL_SECTOR, tsz, sizeof(tsz)),
		       d.luks);
	printf("  mounted:    %s\n", d.mount ? d.mount : "no");
	if (d.have_stats)
		printf("  requests:   %" PRIu64 " reads, %" PRIu64 " writes, %"
		       PRIu64 " flushes, %" PRIu64 " fua, %" PRIu64
		       " discards, %" PRIu64 " write-zeroes, %" PRIu64
		       " errors, %" PRIu64 " retries\n", d.stats.reads,
		       d.stats.writes, d.stats.flushes, d.stats.fua,
		       d.stats.discards, d.stats.write_zeroes, d.stats.errors,
		       d.stats.retries);
out:
	fl_dev_free(&d);
	return ex;
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

static int action_resize(const struct fl_opts *o)
{
	uint64_t old_size, new_size, sectors;
	char *params = NULL, *pass = NULL, *type = NULL;
	char top[PATH_MAX], h[32];
	struct fl_opts mo = *o;
	bool grew = false, need_key = false;
	char *limit = NULL;
	struct fl_dev d;
	size_t plen = 0;
	struct stat st;
	int ex, r;

	ex = lookup(o->args[0], &d);
	if (ex)
		return ex;
	snprintf(top, sizeof(top), "/dev/mapper/%s", d.top);
	/*
	 * Mapped with --sizelimit: it ends where the user said, and the
	 * rest of the file may be someone else's (the next partition).
	 */
	r = fl_state_get(d.name, FL_STATE_SIZELIMIT, &limit);
	if (r) {
		ex = fail(r, "cannot read the record of %s in " FL_STATE_DIR,
			  d.name);
		goto out;
	}
	if (limit) {
		msg("%s was mapped with --sizelimit %s: resize would map past it; to change its size, close it and open it again with a new --sizelimit",
		    d.name, limit);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (d.segments != 1) {
		msg("%s has %u table segments; resize handles one file",
		    d.dm_name, d.segments);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (d.luks && strcmp(d.luks, d.name)) {
		msg("%s is in use by %s; resize that with cryptsetup", d.name,
		    d.luks);
		ex = FL_EXIT_BUSY;
		goto out;
	}
	r = backing_size(d.params.path, &old_size, NULL);
	if (r) {
		ex = fail(r, "%s", d.params.path);
		goto out;
	}
	new_size = fl_opt_set(o, OPT_SIZE) ? o->size : old_size;
	if (new_size < old_size) {
		msg("%s is %" PRIu64 " bytes; shrinking is not supported",
		    d.params.path, old_size);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (new_size > old_size &&
	    (stat(d.params.path, &st) || !S_ISREG(st.st_mode))) {
		msg("%s is not a regular file: it cannot grow", d.params.path);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (new_size > old_size && d.read_only) {
		msg("%s is read-only", d.name);
		ex = FL_EXIT_PERM;
		goto out;
	}
	/* The new table: same parameters, length up to the new end. */
	mo.offset = d.params.offset * FL_SECTOR;
	mo.sizelimit = 0;
	mo.map = d.params;
	ex = map_sectors(&mo, d.params.path, new_size, &sectors);
	if (ex)
		goto out;
	if (sectors < d.sectors) {
		msg("%s would shrink from %" PRIu64 " to %" PRIu64
		    " sectors; give a larger --size", d.name, d.sectors, sectors);
		ex = FL_EXIT_USAGE;
		goto out;
	}
	if (d.luks) {
		r = luks_resize_needs_key(d.luks, &need_key);
		if (r) {
			ex = fail(r, "cannot query LUKS device %s", d.luks);
			goto out;
		}
		if ((need_key || o->key_file) &&
		    (ex = get_secret(o, d.luks, false, &pass, &plen)))
			goto out;
	}

	if (new_size > old_size) {
		r = grow_file(d.params.path, new_size, fl_opt_set(o, OPT_ALLOCATE));
		if (r) {
			ex = fail(r, "cannot grow %s", d.params.path);
			goto undo;
		}
		grew = true;
	}
	r = fl_params_format(&d.params, &params);
	if (!r)
		r = fl_dm_reload(d.dm_name, sectors, params, d.read_only);
	if (r) {
		ex = fail(r, "cannot reload the table of %s", d.dm_name);
		goto undo;
	}
	if (d.luks) {
		r = luks_resize(d.luks, pass, plen);
		if (r) {
			ex = r == -EPERM ? luks_open_msg(r, d.luks) :
			     fail(r, "cannot resize LUKS device %s", d.luks);
			/* Put the old length back: no half-resized stack. */
			if (fl_dm_reload(d.dm_name, d.sectors, params,
					 d.read_only))
				msg("could not restore the old table of %s",
				    d.dm_name);
			goto undo;
		}
	}
	if (d.luks) {
		struct fl_dm_target ct;
		char h2[32] = "?";

		if (!fl_dm_table(d.luks, true, &ct)) {	/* no key in STATUS */
			fl_size_human(ct.total * FL_SECTOR, h2, sizeof(h2));
			fl_dm_target_free(&ct);
		}
		printf("%s: %s (file mapping %s: %s)\n", top, h2, d.dm_name,
		       fl_size_human(sectors * FL_SECTOR, h, sizeof(h)));
	} else {
		printf("%s: %s\n", top,
		       fl_size_human(sectors * FL_SECTOR, h, sizeof(h)));
	}

	r = fl_probe_type(top, 0, &type);
	if (r || !type)
		goto out;	/* nothing on it that we know how to grow */
	if (fl_opt_set(o, OPT_FS)) {
		r = fl_grow_fs(type, top, d.mount);
		if (r == -EOPNOTSUPP)
			msg("%s: growing a %s filesystem is not supported; grow it by hand",
			    top, type);
		else if (r == -ENOTCONN)
			msg("%s: xfs grows only when mounted; mount it and run xfs_growfs",
			    top);
		else if (r)
			msg("growing the %s filesystem on %s failed", type, top);
		if (r)
			ex = FL_EXIT_FAIL;
	} else if (!strncmp(type, "ext", 3)) {
		printf("grow the filesystem with: resize2fs %s (or fileloopctl resize --fs)\n",
		       top);
	} else if (!strcmp(type, "xfs")) {
		printf("grow the filesystem with: xfs_growfs %s (or fileloopctl resize --fs)\n",
		       d.mount ? d.mount : "MOUNTPOINT");
	}
	goto out;
undo:
	if (grew && truncate(d.params.path, (off_t)old_size))
		msg("could not shrink %s back to %" PRIu64 " bytes",
		    d.params.path, old_size);
out:
	fl_secret_free(pass);
	free(limit);
	free(params);
	free(type);
	fl_dev_free(&d);
	return ex;
}

static int action_table(const struct fl_opts *o)
{
	struct fl_params p = o->map;
	uint64_t size, sectors;
	char *path, *line;
	int r, ex;

	path = realpath(o->args[0], NULL);
	if (!path)
		return fail(-errno, "%s", o->args[0]);
	r = backing_size(path, &size, NULL);
	if (r) {
		ex = r == -EMEDIUMTYPE ?
		     (msg("%s is not a regular file or block device", path),
		      FL_EXIT_USAGE) : fail(r, "%s", path);
		goto out;
	}
	ex = map_sectors(o, path, size, &sectors);
	if (ex)
		goto out;
	p.path = path;
	r = fl_table_line(sectors, &p, &line);
	if (r) {
		ex = fail(r, "cannot build the table line");
		goto out;
	}
	printf("%s\n", line);
	free(line);
out:
	free(path);
	return ex;
}

static int action_keygen(const struct fl_opts *o)
{
	int r = fl_keygen(o->args[0], o->size);

	if (r == -EEXIST) {
		msg("%s exists; keygen never overwrites a key file", o->args[0]);
		return FL_EXIT_BUSY;
	}
	if (r)
		return fail(r, "cannot write key file %s", o->args[0]);
	info("wrote %" PRIu64 " random bytes to %s (mode 0600)", o->size,
	     o->args[0]);
	return 0;
}

/* table prints a line: read-only is dmsetup create --readonly, not in it. */
#define TABLE_HELP \
	"  -o, --offset SIZE        start this far into the file (512-byte aligned)\n" \
	"      --sizelimit SIZE     map at most SIZE bytes\n" \
	"      --direct-io          insist on O_DIRECT I/O to the file\n" \
	"      --buffered-io        use the page cache of the file\n" \
	"  -b, --block-size N       logical block size: 512, 1024, 2048, 4096\n" \
	"      --no-discard         do not pass discards to the file\n" \
	"      --shared             let other devices map the file too (both need it)\n"
#define MAP_HELP TABLE_HELP \
	"  -r, --read-only          read-only mapping\n"
#define LUKS_HELP \
	"  -d, --key-file FILE|-    read the key from FILE (all of it) or stdin (all of it)\n"
#define LUKS_NEW_HELP LUKS_HELP \
	"      --pbkdf KDF          argon2id (default), argon2i or pbkdf2\n" \
	"      --pbkdf-memory KIB   argon2 memory cost\n" \
	"      --pbkdf-force-iterations N  fixed cost, no benchmark\n" \
	"  -i, --iter-time MS       PBKDF time to spend unlocking\n" \
	"  -c, --cipher SPEC        default " LUKS_DEFAULT_CIPHER "\n" \
	"      --key-size BITS      default 512\n"
#define LIST_HELP \
	"  -J, --json               JSON output\n" \
	"  -O, --output COLS        columns, comma separated (+COLS adds)\n" \
	"      --raw                raw output\n" \
	"  -n, --noheadings         no header line\n" \
	"      --bytes              sizes in bytes\n"

const struct fl_verb fl_action_types[] = {
	{ "create", action_create, 2, 2,
	  OPTS_COMMON | OPTS_MAP | OPTS_LUKS_NEW | OPTBIT(OPT_SIZE) |
	  OPTBIT(OPT_LUKS) | OPTBIT(OPT_MKFS) | OPTBIT(OPT_MOUNT) |
	  OPTBIT(OPT_FORCE) | OPTBIT(OPT_ALLOCATE), true,
	  "NAME FILE --size SIZE",
	  "make FILE (0600) and map it as /dev/mapper/NAME",
	  "  -s, --size SIZE          size of the new file (K, M, G, T suffixes)\n"
	  "      --luks               format LUKS2 and open it as NAME (file layer NAME-file)\n"
	  "      --mkfs TYPE          make a filesystem (mkfs.TYPE) on /dev/mapper/NAME\n"
	  "  -m, --mount DIR          mount it on DIR (close unmounts it)\n"
	  "      --force              overwrite FILE if it exists\n"
	  "      --allocate           allocate the file's blocks (fallocate)\n"
	  MAP_HELP LUKS_NEW_HELP },
	{ "open", action_open, 2, 2,
	  OPTS_COMMON | OPTS_MAP | OPTBIT(OPT_KEY_FILE) | OPTBIT(OPT_LUKS) |
	  OPTBIT(OPT_NO_LUKS) | OPTBIT(OPT_MOUNT), true,
	  "NAME FILE",
	  "map an existing image; unlock it if it is LUKS",
	  "      --luks               insist that FILE is LUKS\n"
	  "      --no-luks            map only, even if FILE is LUKS\n"
	  "  -m, --mount DIR          mount it on DIR (close unmounts it)\n"
	  MAP_HELP LUKS_HELP },
	{ "close", action_close, 1, 1, OPTS_COMMON, true, "NAME",
	  "unmount what fileloopctl mounted, close LUKS, remove the mapping",
	  "" },
	{ "list", action_list, 0, 0, OPTS_COMMON | OPTS_LISTING, true, "",
	  "list fileloop devices", LIST_HELP },
	{ "status", action_status, 1, 1, OPTS_COMMON | OPTS_LISTING, true,
	  "NAME", "show one device", LIST_HELP },
	{ "resize", action_resize, 1, 1,
	  OPTS_COMMON | OPTBIT(OPT_SIZE) | OPTBIT(OPT_FS) |
	  OPTBIT(OPT_KEY_FILE) | OPTBIT(OPT_ALLOCATE), true,
	  "NAME [--size SIZE]",
	  "grow the file to SIZE (default: its current size) and the device live",
	  "  -s, --size SIZE          new size of the file (never smaller)\n"
	  "      --fs                 grow the filesystem too (resize2fs, xfs_growfs)\n"
	  "      --allocate           allocate the new blocks (fallocate)\n"
	  LUKS_HELP },
	{ "table", action_table, 1, 1,
	  OPTS_COMMON | (OPTS_MAP & ~OPTBIT(OPT_READ_ONLY)), false, "FILE",
	  "print a table line for dmsetup create --table", TABLE_HELP },
	{ "keygen", action_keygen, 1, 1, OPTS_COMMON | OPTBIT(OPT_SIZE), false,
	  "FILE", "write a random key file (0600, never overwritten)",
	  "  -s, --size SIZE          bytes of key (default 512)\n" },
	{ NULL, NULL, 0, 0, 0, false, NULL, NULL, NULL },
};
