// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Option parsing for fileloopctl; see fl_opts.h.  Short options follow
 * losetup (-o offset, -r read-only, -b block size, -O columns, -J json,
 * -n noheadings) and cryptsetup (-d key file, -l keyfile size, -c cipher,
 * -i iter time); -s is --size.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fl_opts.h"
#include "fl_passphrase.h"
#include "fl_size.h"

#define LONG_ONLY(o)	(256 + (o))

struct opt_def {
	const char *name;
	int has_arg;
	int short_opt;		/* 0: long only */
};

static const struct opt_def opt_defs[OPT_COUNT] = {
	[OPT_SIZE]	  = { "size",		       1, 's' },
	[OPT_OFFSET]	  = { "offset",		       1, 'o' },
	[OPT_SIZELIMIT]	  = { "sizelimit",	       1, 0 },
	[OPT_READ_ONLY]	  = { "read-only",	       0, 'r' },
	[OPT_DIRECT_IO]	  = { "direct-io",	       0, 0 },
	[OPT_BUFFERED_IO] = { "buffered-io",	       0, 0 },
	[OPT_BLOCK_SIZE]  = { "block-size",	       1, 'b' },
	[OPT_NO_DISCARD]  = { "no-discard",	       0, 0 },
	[OPT_SHARED]	  = { "shared",		       0, 0 },
	[OPT_LUKS]	  = { "luks",		       0, 0 },
	[OPT_NO_LUKS]	  = { "no-luks",	       0, 0 },
	[OPT_MKFS]	  = { "mkfs",		       1, 0 },
	[OPT_MOUNT]	  = { "mount",		       1, 'm' },
	[OPT_MOUNT_OPTIONS] = { "mount-options",       1, 0 },
	[OPT_FORCE]	  = { "force",		       0, 0 },
	[OPT_ALLOCATE]	  = { "allocate",	       0, 0 },
	[OPT_KEY_FILE]	  = { "key-file",	       1, 'd' },
	[OPT_KEYFILE_SIZE] = { "keyfile-size",	       1, 'l' },
	[OPT_KEYFILE_OFFSET] = { "keyfile-offset",     1, 0 },
	[OPT_ASK_PASSWORD] = { "ask-password",	       0, 0 },
	[OPT_TOKEN_ONLY]  = { "token-only",	       0, 0 },
	[OPT_KEY_DESCRIPTION] = { "key-description",   1, 0 },
	[OPT_KEY_SLOT]	  = { "key-slot",	       1, 'S' },
	[OPT_TOKEN_ID]	  = { "token-id",	       1, 0 },
	[OPT_FILE]	  = { "file",		       1, 0 },
	[OPT_ADD_FILE]	  = { "add-file",	       1, 0 },
	[OPT_PARTSCAN]	  = { "partscan",	       0, 'P' },
	[OPT_COPY]	  = { "copy",		       0, 0 },
	[OPT_PBKDF]	  = { "pbkdf",		       1, 0 },
	[OPT_PBKDF_MEMORY] = { "pbkdf-memory",	       1, 0 },
	[OPT_PBKDF_ITER]  = { "pbkdf-force-iterations", 1, 0 },
	[OPT_ITER_TIME]	  = { "iter-time",	       1, 'i' },
	[OPT_CIPHER]	  = { "cipher",		       1, 'c' },
	[OPT_KEY_SIZE]	  = { "key-size",	       1, 0 },
	[OPT_JSON]	  = { "json",		       0, 'J' },
	[OPT_OUTPUT]	  = { "output",		       1, 'O' },
	[OPT_RAW]	  = { "raw",		       0, 0 },
	[OPT_NOHEADINGS]  = { "noheadings",	       0, 'n' },
	[OPT_BYTES]	  = { "bytes",		       0, 0 },
	[OPT_FS]	  = { "fs",		       0, 0 },
	[OPT_VERBOSE]	  = { "verbose",	       0, 'v' },
	[OPT_DEBUG]	  = { "debug",		       0, 0 },
	[OPT_HELP]	  = { "help",		       0, 'h' },
	[OPT_VERSION]	  = { "version",	       0, 'V' },
};

static char opt_long_names[OPT_COUNT][32];

const char *fl_opt_name(enum fl_opt opt)
{
	char *s = opt_long_names[opt];

	if (!*s)
		snprintf(s, sizeof(opt_long_names[opt]), "--%s",
			 opt_defs[opt].name);
	return s;
}

int fl_opts_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int opt_from_getopt(int c)
{
	int i;

	if (c >= LONG_ONLY(0) && c < LONG_ONLY(OPT_COUNT))
		return c - LONG_ONLY(0);
	for (i = 0; i < OPT_COUNT; i++)
		if (opt_defs[i].short_opt == c)
			return i;
	return -1;
}

/* A size in bytes: digits with K/M/G/T, positive, sector-aligned if asked. */
static int parse_bytes(enum fl_opt opt, const char *arg, bool aligned,
		       bool nonzero, uint64_t *val, char *err, size_t errlen)
{
	int r = fl_parse_size(arg, val);

	if (r == -ERANGE)
		return fl_opts_fail(err, errlen, "%s: '%s' is too large",
			    fl_opt_name(opt), arg);
	if (r)
		return fl_opts_fail(err, errlen,
			    "%s: '%s' is not a size (digits with an optional K, M, G or T suffix)",
			    fl_opt_name(opt), arg);
	if (nonzero && !*val)
		return fl_opts_fail(err, errlen, "%s must not be zero",
			    fl_opt_name(opt));
	if (aligned && *val % FL_SECTOR)
		return fl_opts_fail(err, errlen, "%s must be a multiple of 512 bytes",
			    fl_opt_name(opt));
	return 0;
}

/* A byte count as cryptsetup takes it: plain digits, no suffix, <= max. */
static int parse_count(enum fl_opt opt, const char *arg, uint64_t max,
		       uint64_t *val, char *err, size_t errlen)
{
	int r = fl_parse_u64(arg, val);

	if (r == -ERANGE || (!r && *val > max))
		return fl_opts_fail(err, errlen, "%s: '%s' is more than %" PRIu64,
			    fl_opt_name(opt), arg, max);
	if (r)
		return fl_opts_fail(err, errlen,
			    "%s: '%s' is not a number of bytes (digits, no suffix)",
			    fl_opt_name(opt), arg);
	return 0;
}

static int parse_num(enum fl_opt opt, const char *arg, uint32_t min,
		     uint32_t max, uint32_t *val, char *err, size_t errlen)
{
	if (fl_parse_u32(arg, min, max, val))
		return fl_opts_fail(err, errlen, "%s: '%s' is not a number in %u..%u",
			    fl_opt_name(opt), arg, min, max);
	return 0;
}

int fl_extent_split(const char *arg, char *path, size_t cap,
		    struct fl_extent *e)
{
	char *c1, *c2;
	uint64_t a, b;

	e->offset = e->size = 0;
	e->file = path;
	if (strlen(arg) >= cap)
		return -ENAMETOOLONG;
	strcpy(path, arg);
	c1 = strrchr(path, ':');
	if (c1 && !fl_parse_size(c1 + 1, &a)) {
		*c1 = '\0';
		e->offset = a;
		c2 = strrchr(path, ':');
		if (c2 && !fl_parse_size(c2 + 1, &b)) {
			*c2 = '\0';
			e->offset = b;
			e->size = a;
		}
	}
	return 0;
}

static int parse_extent(enum fl_opt opt, const char *arg, char *path,
			size_t cap, struct fl_extent *e, char *err,
			size_t errlen)
{
	if (fl_extent_split(arg, path, cap, e))
		return fl_opts_fail(err, errlen, "%s: the path is too long",
			    fl_opt_name(opt));
	if (!*path)
		return fl_opts_fail(err, errlen, "%s: '%s' names no file",
			    fl_opt_name(opt), arg);
	if (e->offset % FL_SECTOR || e->size % FL_SECTOR)
		return fl_opts_fail(err, errlen,
			    "%s: '%s': OFFSET and SIZE must be multiples of 512 bytes",
			    fl_opt_name(opt), arg);
	e->file = path;
	return 0;
}

static int parse_one(struct fl_opts *o, enum fl_opt opt, const char *arg,
		     char *err, size_t errlen)
{
	uint64_t count;
	uint32_t v;

	switch (opt) {
	case OPT_SIZE:
		return parse_bytes(opt, arg, false, true, &o->size, err, errlen);
	case OPT_OFFSET:
		return parse_bytes(opt, arg, true, false, &o->offset, err,
				   errlen);
	case OPT_SIZELIMIT:
		return parse_bytes(opt, arg, true, true, &o->sizelimit, err,
				   errlen);
	case OPT_READ_ONLY:
		o->read_only = true;
		return 0;
	case OPT_DIRECT_IO:
		o->map.io = FL_IO_DIRECT;
		return 0;
	case OPT_BUFFERED_IO:
		o->map.io = FL_IO_BUFFERED;
		return 0;
	case OPT_BLOCK_SIZE:
		if (fl_parse_u32(arg, 512, 4096, &v) || !fl_block_size_valid(v))
			return fl_opts_fail(err, errlen,
				    "--block-size: '%s' is not 512, 1024, 2048 or 4096",
				    arg);
		o->map.block_size = v;
		return 0;
	case OPT_NO_DISCARD:
		o->map.no_discard = true;
		return 0;
	case OPT_SHARED:
		o->map.shared = true;
		return 0;
	case OPT_MKFS:
		if (!*arg || strchr(arg, '/'))
			return fl_opts_fail(err, errlen,
				    "--mkfs: '%s' is not a filesystem type", arg);
		o->mkfs = arg;
		return 0;
	case OPT_MOUNT:
		if (!*arg)
			return fl_opts_fail(err, errlen, "--mount needs a directory");
		o->mount = arg;
		return 0;
	case OPT_MOUNT_OPTIONS:
		if (!*arg || strchr(arg, ' '))
			return fl_opts_fail(err, errlen,
				    "--mount-options: '%s' is not a comma-separated option list",
				    arg);
		o->mount_options = arg;
		return 0;
	case OPT_KEY_FILE:
		if (!*arg)
			return fl_opts_fail(err, errlen, "--key-file needs a file or -");
		o->key_file = arg;
		return 0;
	case OPT_KEYFILE_SIZE:
		if (parse_count(opt, arg, FL_KEYFILE_MAX, &count, err, errlen))
			return -EINVAL;
		if (!count)
			return fl_opts_fail(err, errlen, "%s must not be zero",
				    fl_opt_name(opt));
		o->keyfile_size = (uint32_t)count;
		return 0;
	case OPT_KEYFILE_OFFSET:	/* an off_t for lseek() */
		return parse_count(opt, arg, INT64_MAX, &o->keyfile_offset,
				   err, errlen);
	case OPT_PBKDF:
		if (strcmp(arg, "argon2id") && strcmp(arg, "argon2i") &&
		    strcmp(arg, "pbkdf2"))
			return fl_opts_fail(err, errlen,
				    "--pbkdf: '%s' is not argon2id, argon2i or pbkdf2",
				    arg);
		o->pbkdf = arg;
		return 0;
	case OPT_PBKDF_MEMORY:	/* KiB, libcryptsetup's limits */
		return parse_num(opt, arg, 32, 4194304, &o->pbkdf_memory, err,
				 errlen);
	case OPT_PBKDF_ITER:
		return parse_num(opt, arg, 1, UINT32_MAX, &o->pbkdf_iter, err,
				 errlen);
	case OPT_ITER_TIME:
		return parse_num(opt, arg, 1, UINT32_MAX, &o->iter_time, err,
				 errlen);
	case OPT_CIPHER:
		if (!strchr(arg, '-') || strchr(arg, ' '))
			return fl_opts_fail(err, errlen,
				    "--cipher: '%s' is not cipher-mode (e.g. aes-xts-plain64)",
				    arg);
		o->cipher = arg;
		return 0;
	case OPT_KEY_SIZE:
		if (parse_num(opt, arg, 8, 4096, &o->key_size, err, errlen))
			return -EINVAL;
		if (o->key_size % 8)
			return fl_opts_fail(err, errlen,
				    "--key-size is in bits and must be a multiple of 8");
		return 0;
	case OPT_OUTPUT:
		o->columns = arg;
		return 0;
	case OPT_KEY_DESCRIPTION:
		if (!*arg)
			return fl_opts_fail(err, errlen,
				    "--key-description needs the description of a key in the kernel keyring");
		o->key_description = arg;
		return 0;
	case OPT_KEY_SLOT:	/* LUKS2 has key slots and tokens 0..31 */
		return parse_num(opt, arg, 0, 31, &o->key_slot, err, errlen);
	case OPT_TOKEN_ID:
		return parse_num(opt, arg, 0, 31, &o->token_id, err, errlen);
	case OPT_FILE:
		if (o->nextra == FL_MAX_EXTRA)
			return fl_opts_fail(err, errlen,
				    "--file: at most %d, a device of %d files",
				    FL_MAX_EXTRA, FL_MAX_EXTRA + 1);
		if (parse_extent(opt, arg, o->extra_path[o->nextra], PATH_MAX,
				 &o->extra[o->nextra], err, errlen))
			return -EINVAL;
		o->nextra++;
		return 0;
	case OPT_ADD_FILE:
		return parse_extent(opt, arg, o->add_path, PATH_MAX, &o->add,
				    err, errlen);
	case OPT_VERBOSE:
		o->verbose++;
		return 0;
	default:
		return 0;	/* plain flags: recorded in o->set */
	}
}

/* Rules between options, and the ones that depend on the verb. */
static int check(struct fl_opts *o, char *err, size_t errlen)
{
	const struct fl_verb *v = o->verb;
	unsigned i;

	if (fl_opt_set(o, OPT_DIRECT_IO) && fl_opt_set(o, OPT_BUFFERED_IO))
		return fl_opts_fail(err, errlen,
			    "--direct-io and --buffered-io exclude each other");
	if (fl_opt_set(o, OPT_LUKS) && fl_opt_set(o, OPT_NO_LUKS))
		return fl_opts_fail(err, errlen,
			    "--luks and --no-luks exclude each other");
	if (fl_opt_set(o, OPT_JSON) && fl_opt_set(o, OPT_RAW))
		return fl_opts_fail(err, errlen, "--json and --raw exclude each other");
	if (o->map.block_size) {
		if (o->offset % o->map.block_size)
			return fl_opts_fail(err, errlen,
				    "--offset must be a multiple of --block-size (%u)",
				    o->map.block_size);
		if (o->sizelimit % o->map.block_size)
			return fl_opts_fail(err, errlen,
				    "--sizelimit must be a multiple of --block-size (%u)",
				    o->map.block_size);
		for (i = 0; i < o->nextra; i++)
			if (o->extra[i].offset % o->map.block_size ||
			    o->extra[i].size % o->map.block_size)
				return fl_opts_fail(err, errlen,
					    "--file %s: OFFSET and SIZE must be multiples of --block-size (%u)",
					    o->extra[i].file, o->map.block_size);
	}
	o->map.offset = o->offset / FL_SECTOR;

	if (!v)
		return 0;
	if (fl_opt_set(o, OPT_PARTSCAN) && fl_opt_set(o, OPT_MOUNT))
		return fl_opts_fail(err, errlen,
			    "--partscan maps the partitions: mount one of them (NAMEp1, ...), not the whole device with --mount");
	if (fl_opt_set(o, OPT_MOUNT_OPTIONS) && !fl_opt_set(o, OPT_MOUNT))
		return fl_opts_fail(err, errlen, "--mount-options needs --mount");
	if (!strcmp(v->name, "table") && fl_opt_set(o, OPT_READ_ONLY))
		return fl_opts_fail(err, errlen,
			    "table does not take --read-only: a table line has no mode (dmsetup create --readonly has)");
	for (i = 0; i < OPT_COUNT; i++) {
		if ((o->set & OPTBIT(i)) && !(v->opts & OPTBIT(i)))
			return fl_opts_fail(err, errlen, "%s does not take %s",
				    v->name, fl_opt_name(i));
	}
	/* They pick the key out of a key file; a passphrase is all of it. */
	if ((o->set & OPTS_KEY_FILE) && !fl_opt_set(o, OPT_KEY_FILE))
		return fl_opts_fail(err, errlen, "%s needs --key-file",
			    fl_opt_name(fl_opt_set(o, OPT_KEYFILE_SIZE) ?
					OPT_KEYFILE_SIZE : OPT_KEYFILE_OFFSET));
	if (fl_opt_set(o, OPT_HELP))
		return 0;	/* fileloopctl VERB --help: no args needed */
	if (o->nargs < v->min_args || o->nargs > v->max_args)
		return fl_opts_fail(err, errlen, "usage: fileloopctl %s %s", v->name,
			    v->args);

	if (!strcmp(v->name, "create")) {
		if (!fl_opt_set(o, OPT_SIZE))
			return fl_opts_fail(err, errlen,
				    "create needs --size (the size of the new file)");
		if (o->offset >= o->size)
			return fl_opts_fail(err, errlen,
				    "--offset must be smaller than --size");
		if (o->sizelimit && o->offset + o->sizelimit > o->size)
			return fl_opts_fail(err, errlen,
				    "--offset + --sizelimit is beyond --size");
		for (i = 0; i < o->nextra; i++)
			if (!o->extra[i].size)
				return fl_opts_fail(err, errlen,
					    "create --file %s: a new file needs its size (FILE:OFFSET:SIZE)",
					    o->extra[i].file);
		if ((o->set & (OPTS_LUKS_NEW)) && !fl_opt_set(o, OPT_LUKS))
			return fl_opts_fail(err, errlen,
				    "key and cipher options need --luks");
		if (fl_opt_set(o, OPT_READ_ONLY) &&
		    (o->mkfs || fl_opt_set(o, OPT_LUKS)))
			return fl_opts_fail(err, errlen,
				    "--read-only cannot format (--luks, --mkfs)");
	}
	if (!strcmp(v->name, "keygen")) {
		if (!fl_opt_set(o, OPT_SIZE))
			o->size = FL_KEYGEN_DEFAULT;
		if (o->size > FL_KEYFILE_MAX)
			return fl_opts_fail(err, errlen,
				    "--size: a key file holds at most %u bytes",
				    FL_KEYFILE_MAX);
	}
	if (!strcmp(v->name, "token")) {
		bool add = !strcmp(o->args[0], "add");

		if (!add && strcmp(o->args[0], "remove"))
			return fl_opts_fail(err, errlen,
				    "token: '%s' is neither add nor remove",
				    o->args[0]);
		if (add && !fl_opt_set(o, OPT_KEY_DESCRIPTION))
			return fl_opts_fail(err, errlen,
				    "token add needs --key-description");
		if (add && fl_opt_set(o, OPT_TOKEN_ID))
			return fl_opts_fail(err, errlen,
				    "token add takes no --token-id: it picks a free one");
		if (!add && !fl_opt_set(o, OPT_TOKEN_ID))
			return fl_opts_fail(err, errlen,
				    "token remove needs --token-id");
		if (!add && (o->set & (OPTBIT(OPT_KEY_DESCRIPTION) |
				       OPTBIT(OPT_KEY_SLOT))))
			return fl_opts_fail(err, errlen,
				    "token remove takes only --token-id");
	}
	if (fl_opt_set(o, OPT_TOKEN_ONLY) &&
	    (fl_opt_set(o, OPT_KEY_FILE) || fl_opt_set(o, OPT_ASK_PASSWORD) ||
	     fl_opt_set(o, OPT_NO_LUKS)))
		return fl_opts_fail(err, errlen,
			    "--token-only asks for no passphrase: not with --key-file, --ask-password or --no-luks");
	if (fl_opt_set(o, OPT_NO_LUKS) && (o->set & OPTBIT(OPT_KEY_FILE)))
		return fl_opts_fail(err, errlen, "--no-luks takes no --key-file");
	if (fl_opt_set(o, OPT_ASK_PASSWORD) && fl_opt_set(o, OPT_KEY_FILE))
		return fl_opts_fail(err, errlen,
			    "--ask-password and --key-file exclude each other");
	return 0;
}

int fl_opts_parse(int argc, char *const argv[], const struct fl_verb *verbs,
		  struct fl_opts *o, char *err, size_t errlen)
{
	struct option longopts[OPT_COUNT + 1];
	char shortopts[2 * OPT_COUNT + 2], *sp = shortopts;
	const char *verb_name = NULL;
	int c, i, r;

	memset(o, 0, sizeof(*o));
	err[0] = '\0';
	*sp++ = ':';	/* missing arguments reported as ':' */
	for (i = 0; i < OPT_COUNT; i++) {
		longopts[i] = (struct option){
			opt_defs[i].name, opt_defs[i].has_arg, NULL,
			opt_defs[i].short_opt ? opt_defs[i].short_opt :
						LONG_ONLY(i) };
		if (opt_defs[i].short_opt) {
			*sp++ = (char)opt_defs[i].short_opt;
			if (opt_defs[i].has_arg)
				*sp++ = ':';
		}
	}
	longopts[OPT_COUNT] = (struct option){ NULL, 0, NULL, 0 };
	*sp = '\0';

	/* optind = 0 makes glibc start over: the parser is re-entrant. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		int opt;

		if (c == '?') {
			if (optopt && optopt < 256 && optopt != '?')
				return fl_opts_fail(err, errlen, "unknown option -%c",
					    optopt);
			return fl_opts_fail(err, errlen, "unknown option %s",
				    argv[optind - 1]);
		}
		if (c == ':') {
			opt = opt_from_getopt(optopt);
			return fl_opts_fail(err, errlen, "%s needs a value",
				    opt >= 0 ? fl_opt_name(opt) :
					       argv[optind - 1]);
		}
		opt = opt_from_getopt(c);
		if (opt < 0)
			return fl_opts_fail(err, errlen, "internal: option %d", c);
		o->set |= OPTBIT(opt);
		r = parse_one(o, opt, optarg, err, errlen);
		if (r)
			return r;
	}

	for (i = optind; i < argc; i++) {
		if (!verb_name) {
			verb_name = argv[i];
			continue;
		}
		if (o->nargs == FL_MAX_ARGS)
			return fl_opts_fail(err, errlen, "too many arguments");
		o->args[o->nargs++] = argv[i];
	}
	if (verb_name) {
		const struct fl_verb *v;

		for (v = verbs; v->name; v++)
			if (!strcmp(v->name, verb_name))
				break;
		if (!v->name)
			return fl_opts_fail(err, errlen,
				    "unknown command '%s' (see fileloopctl --help)",
				    verb_name);
		o->verb = v;
	} else if (!(o->set & (OPTBIT(OPT_HELP) | OPTBIT(OPT_VERSION)))) {
		return fl_opts_fail(err, errlen,
			    "no command given (see fileloopctl --help)");
	}
	return check(o, err, errlen);
}
