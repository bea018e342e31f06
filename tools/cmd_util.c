// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the verbs share: how messages look, exit statuses, the device
 * layer's parameters and events, passphrases, looking a device up.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "fl_cryptlib.h"
#include "fl_passphrase.h"

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

void cmd_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("fileloopctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cmd_fail(int r, const char *fmt, ...)
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

void cmd_info(const char *fmt, ...)
{
	va_list ap;

	if (!fl_verbose)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cmd_device_params(const struct fl_opts *o, struct fl_device_params *p,
		       struct luks_format_params *lp)
{
	memset(lp, 0, sizeof(*lp));
	lp->cipher = o->cipher;
	lp->key_bits = o->key_size;
	lp->pbkdf = o->pbkdf;
	lp->pbkdf_memory_kb = o->pbkdf_memory;
	lp->pbkdf_iterations = o->pbkdf_iter;
	lp->iter_time_ms = o->iter_time;

	memset(p, 0, sizeof(*p));
	p->name = o->args[0];
	p->file = o->nargs > 1 ? o->args[1] : NULL;
	p->size = o->size;
	p->offset = o->offset;
	p->sizelimit = o->sizelimit;
	p->keep_sizelimit = fl_opt_set(o, OPT_SIZELIMIT);
	p->map = o->map;
	p->map.path = NULL;
	p->read_only = o->read_only;
	p->force = fl_opt_set(o, OPT_FORCE);
	p->allocate = fl_opt_set(o, OPT_ALLOCATE);
	p->luks = fl_opt_set(o, OPT_LUKS);
	p->no_probe = fl_opt_set(o, OPT_NO_LUKS);
	p->partscan = fl_opt_set(o, OPT_PARTSCAN);
	p->extra = o->extra;
	p->nextra = o->nextra;
	p->luks_format = lp;
	p->mkfs = o->mkfs;
	p->mount = o->mount;
	p->mount_options = o->mount_options;
}

void cmd_event(const struct fl_device *dev, enum fl_event ev, void *priv)
{
	(void)priv;
	switch (ev) {
	case FL_EV_MAPPING: {
		uint64_t start = 0, len = dev->sectors;
		size_t i;

		for (i = 0; i < dev->p.nextra; i++)
			len -= dev->segs[i].sectors;
		cmd_info("table: 0 %" PRIu64 " " FILELOOP_TARGET_NAME " %s",
			 len, dev->table);
		for (i = 0; i < dev->p.nextra; i++) {
			start += len;
			len = dev->segs[i].sectors;
			cmd_info("table: %" PRIu64 " %" PRIu64 " "
				 FILELOOP_TARGET_NAME " %s", start, len,
				 dev->segs[i].table);
		}
		break;
	}
	case FL_EV_FORMATTING:
		cmd_info("formatting %s as LUKS2", dev->map_dev);
		break;
	case FL_EV_MKFS:
		cmd_info("making a %s filesystem on %s", dev->p.mkfs,
			 dev->top_dev);
		break;
	case FL_EV_TOKEN_OPENED:
		cmd_info("unlocked %s with LUKS2 token %d", dev->p.name,
			 dev->token);
		break;
	case FL_EV_TOKEN_FAILED:
		cmd_info("no LUKS2 token unlocked %s (%s)", dev->p.name,
			 strerror(-dev->token_err));
		break;
	case FL_EV_MOUNTED:
		cmd_info("mounted %s on %s", dev->top_dev, dev->mounted_on);
		break;
	case FL_EV_UNMOUNTED:
		cmd_info("unmounted %s", dev->mounted_on);
		break;
	case FL_EV_LUKS_CLOSED:
		cmd_info("closed LUKS device %s", dev->found.luks);
		break;
	case FL_EV_REMOVED:
		cmd_info("removed %s", dev->found.dm_name);
		break;
	}
}

void cmd_undo_msgs(const struct fl_undo_log *log)
{
	const struct fl_undo_fail *f;
	unsigned i;

	for (i = 0; i < log->n; i++) {
		f = &log->fail[i];
		switch (f->op) {
		case FL_UNDO_LUKS_CLOSE:
			cmd_fail(f->err, "cleanup: cannot close LUKS device %s",
				 f->object);
			break;
		case FL_UNDO_REMOVE:
			cmd_fail(f->err, "cleanup: cannot remove device %s",
				 f->object);
			break;
		case FL_UNDO_UNLINK:
			cmd_fail(f->err, "cleanup: cannot remove %s", f->object);
			break;
		case FL_UNDO_RELOAD:
			cmd_msg("could not restore the old table of %s",
				f->object);
			break;
		case FL_UNDO_SHRINK:
			cmd_msg("could not shrink %s back to %" PRIu64 " bytes",
				f->object, f->value);
			break;
		case FL_UNDO_REMOUNT:
			cmd_fail(f->err, "cannot mount %s back on %s", f->object,
				 f->mount);
			break;
		}
	}
}

int cmd_geom_msg(enum fl_geom_verdict v, const char *path,
		 uint64_t file_size, uint64_t offset, uint64_t sizelimit,
		 unsigned block_size)
{
	switch (v) {
	case FL_GEOM_OK:
		return 0;
	case FL_GEOM_OFFSET:
		cmd_msg("%s is %" PRIu64 " bytes: too small for --offset %" PRIu64,
			path, file_size, offset);
		break;
	case FL_GEOM_SIZELIMIT:
		cmd_msg("%s is %" PRIu64 " bytes: too small for --offset %" PRIu64
			" + --sizelimit %" PRIu64, path, file_size, offset,
			sizelimit);
		break;
	case FL_GEOM_EMPTY:
		cmd_msg("%s is too small: less than one %u-byte block after the offset",
			path, block_size ? block_size : FL_SECTOR);
		break;
	}
	return FL_EXIT_USAGE;
}

int cmd_need_luks_library(void)
{
	int r = fl_cryptlib_load();

	return r ? cmd_fail(r, "LUKS needs libcryptsetup") : 0;
}

/* A key file others can read is a key others have: say so, and go on. */
static void warn_key_file_mode(const char *key_file)
{
	struct stat st;

	if (!key_file || !strcmp(key_file, "-") || stat(key_file, &st) ||
	    !S_ISREG(st.st_mode) || !(st.st_mode & (S_IRWXG | S_IRWXO)))
		return;
	cmd_msg("warning: key file %s is accessible by others (mode %04o); chmod 600 it",
		key_file, (unsigned)(st.st_mode & 07777));
}

int cmd_get_secret(const struct fl_opts *o, const char *name, bool confirm,
		   char **pass, size_t *len)
{
	return cmd_get_secret_deferred(o, name, confirm, NULL, pass, len);
}

int cmd_get_secret_deferred(const struct fl_opts *o, const char *name,
			    bool confirm, int *deferred, char **pass,
			    size_t *len)
{
	struct fl_pass_req req = {
		.key_file = o->key_file,
		.keyfile_offset = o->keyfile_offset,
		.keyfile_size = o->keyfile_size,
		.confirm = confirm,
		.deferred_signal = deferred,
	};
	char prompt[192];
	int r;

	if (fl_opt_set(o, OPT_ASK_PASSWORD))
		req.ask_id = name;

	/* Only LUKS takes a secret: first make sure LUKS can be driven. */
	r = cmd_need_luks_library();
	if (r)
		return r;
	warn_key_file_mode(o->key_file);
	snprintf(prompt, sizeof(prompt), "Enter passphrase for %s: ", name);
	req.prompt = prompt;
	r = fl_passphrase_get(&req, pass, len);
	switch (r) {
	case 0:
		return 0;
	case -EINTR:
		if (deferred && *deferred)
			return FL_EXIT_FAIL;	/* ^C: the caller raises it */
		break;
	case -ENODATA:
		cmd_msg("empty passphrase or key file%s",
			o->keyfile_offset ? " (after --keyfile-offset)" : "");
		break;
	case -ENOMSG:
		cmd_msg("cannot read the requested amount of data: fewer than %" PRIu32
			" bytes in %s at offset %" PRIu64 " (--keyfile-size, --keyfile-offset)",
			o->keyfile_size,
			strcmp(o->key_file, "-") ? o->key_file : "stdin",
			o->keyfile_offset);
		break;
	case -EBADMSG:
		cmd_msg("passphrases do not match");
		break;
	case -ECANCELED:
		cmd_msg("systemd-ask-password gave no passphrase for %s", name);
		break;
	case -EFBIG:
		cmd_msg("passphrase or key file too long (at most %u bytes from a key file, %u typed)",
			FL_KEYFILE_MAX, FL_PASS_MAX);
		break;
	default:
		return cmd_fail(r, "cannot read the %s",
				o->key_file && strcmp(o->key_file, "-") ?
				"key file" : "passphrase");
	}
	return FL_EXIT_USAGE;
}

int cmd_luks_open_msg(int r, const char *name)
{
	if (r == -EPERM) {
		cmd_msg("no key slot of %s opens with this passphrase", name);
		return FL_EXIT_PASS;
	}
	return cmd_fail(r, "cannot unlock %s", name);
}

int cmd_find(struct fl_device *dev, const char *name)
{
	int r = fl_device_find(dev, name);

	if (r == -ENODEV) {
		cmd_msg("no device %s", name);
		return FL_EXIT_NOTFOUND;
	}
	if (r == -EMEDIUMTYPE) {
		cmd_msg("%s is not a fileloop device (nor fileloopctl's LUKS on one)",
			name);
		return FL_EXIT_NOTFOUND;
	}
	if (r)
		return cmd_fail(r, "cannot look up %s", name);
	return 0;
}
