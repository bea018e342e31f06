// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fl_mount_helper.h"
#include "fl_opts.h"
#include "fl_strv.h"

/* fstab's own options, and what mount(8) has used by the time we run. */
static bool fstab_only(const char *opt)
{
	static const char *const names[] = {
		"defaults", "auto", "noauto", "nofail", "_netdev", "user",
		"nouser", "users", "owner", "group", "rw", "fileloop", NULL,
	};
	const char *const *n;

	if (!strncmp(opt, "x-", 2) || !strncmp(opt, "comment=", 8) ||
	    !strncmp(opt, "uhelper=", 8) || !strncmp(opt, "helper=", 7))
		return true;
	for (n = names; *n; n++)
		if (!strcmp(opt, *n))
			return true;
	return false;
}

/* name= or the image's file name up to its last dot. */
static char *default_name(const char *image)
{
	const char *base = strrchr(image, '/');
	const char *dot;

	base = base ? base + 1 : image;
	dot = strrchr(base, '.');
	return strndup(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

struct helper_opts {
	char *name;
	char *fs;		/* filesystem options, comma separated */
	size_t fs_len;
};

static int add_fs_opt(struct helper_opts *h, const char *opt, size_t len)
{
	char *s = realloc(h->fs, h->fs_len + len + 2);

	if (!s)
		return -ENOMEM;
	if (h->fs_len)
		s[h->fs_len++] = ',';
	memcpy(s + h->fs_len, opt, len);
	h->fs_len += len;
	s[h->fs_len] = '\0';
	h->fs = s;
	return 0;
}

/* A value option of ours: "--flag VALUE" into the argv. */
static int add_pair(char ***v, size_t *n, const char *flag, const char *value)
{
	return fl_strv_append(v, n, flag) ?: fl_strv_append(v, n, value);
}

static int parse_options(const char *opts, struct helper_opts *h, char ***v,
			 size_t *n, char *err, size_t errlen)
{
	static const struct {
		const char *key;	/* with '=' for a value option */
		const char *flag;
	} ours[] = {
		{ "luks", "--luks" },
		{ "noluks", "--no-luks" },
		{ "ro", "--read-only" },
		{ "keyfile=", "--key-file" },
		{ "keyfile-size=", "--keyfile-size" },
		{ "keyfile-offset=", "--keyfile-offset" },
		/* Not offset= and sizelimit=: for those mount(8) makes a loop device. */
		{ "file-offset=", "--offset" },
		{ "file-sizelimit=", "--sizelimit" },
		{ "name=", NULL },
	};
	char *copy, *opt, *save = NULL;
	size_t i;
	int r = 0;

	copy = strdup(opts);
	if (!copy)
		return -ENOMEM;
	for (opt = strtok_r(copy, ",", &save); opt && !r;
	     opt = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
			size_t klen = strlen(ours[i].key);
			bool valued = ours[i].key[klen - 1] == '=';

			if (valued ? strncmp(opt, ours[i].key, klen) :
				     strcmp(opt, ours[i].key))
				continue;
			if (valued && !opt[klen]) {
				r = fl_opts_fail(err, errlen, "option %s needs a value",
					 ours[i].key);
			} else if (!ours[i].flag) {
				free(h->name);
				h->name = strdup(opt + klen);
				r = h->name ? 0 : -ENOMEM;
			} else if (valued) {
				r = add_pair(v, n, ours[i].flag, opt + klen);
			} else {
				r = fl_strv_append(v, n, ours[i].flag);
			}
			break;
		}
		if (i == sizeof(ours) / sizeof(ours[0]) && !fstab_only(opt))
			r = add_fs_opt(h, opt, strlen(opt));
	}
	free(copy);
	return r;
}

int fl_mount_helper_argv(int argc, char *const argv[], struct fl_mount_argv *m,
			 char *err, size_t errlen)
{
	struct helper_opts h = { 0 };
	const char *pos[2] = { NULL, NULL };
	char **v = NULL, **ours = NULL;
	size_t n = 0, nours = 0, i;
	unsigned npos = 0;
	int a, r = 0;

	memset(m, 0, sizeof(*m));
	for (a = 1; a < argc && !r; a++) {
		const char *arg = argv[a];

		if (arg[0] != '-' || !arg[1]) {
			if (npos == 2)
				r = fl_opts_fail(err, errlen, "unexpected argument '%s'", arg);
			else
				pos[npos++] = arg;
			continue;
		}
		if (!strcmp(arg, "-o") || !strcmp(arg, "-t") || !strcmp(arg, "-N")) {
			if (a + 1 == argc) {
				r = fl_opts_fail(err, errlen, "option %s needs a value", arg);
				break;
			}
			if (arg[1] == 'o')
				r = parse_options(argv[++a], &h, &ours, &nours,
						  err, errlen);
			else if (arg[1] == 'N')
				r = fl_opts_fail(err, errlen, "mount namespaces (-N) are not supported");
			else
				a++;	/* -t fileloop: we are it */
			continue;
		}
		/* -s (sloppy), -n (no mtab), -f (fake), -v, and clusters of them. */
		for (i = 1; arg[i] && !r; i++) {
			switch (arg[i]) {
			case 's':
			case 'n':
				break;
			case 'f':
				m->fake = true;
				break;
			case 'v':
				m->verbose = true;
				break;
			default:
				r = fl_opts_fail(err, errlen, "unknown option '%s'", arg);
			}
		}
	}
	if (!r && npos != 2)
		r = fl_opts_fail(err, errlen, "usage: " FL_MOUNT_HELPER " IMAGE DIR [-o OPTIONS]");
	if (!r && !h.name && !(h.name = default_name(pos[0])))
		r = -ENOMEM;
	if (!r && !*h.name)
		r = fl_opts_fail(err, errlen, "cannot name a device after '%s': give -o name=NAME", pos[0]);
	if (!r)
		r = add_fs_opt(&h, FL_HELPER_OPT, strlen(FL_HELPER_OPT));

	if (!r)
		r = fl_strv_append(&v, &n, FL_MOUNT_HELPER) ?:
		    fl_strv_append(&v, &n, "open") ?:
		    fl_strv_append(&v, &n, h.name) ?:
		    fl_strv_append(&v, &n, pos[0]) ?:
		    add_pair(&v, &n, "--mount", pos[1]) ?:
		    add_pair(&v, &n, "--mount-options", h.fs);
	for (i = 0; !r && i < nours; i++)
		r = fl_strv_append(&v, &n, ours[i]);
	if (!r && m->verbose)
		r = fl_strv_append(&v, &n, "--verbose");
	fl_strv_free(ours);
	free(h.name);
	free(h.fs);
	if (r) {
		fl_strv_free(v);
		return r;
	}
	m->argv = v;
	m->argc = (int)n;
	return 0;
}

void fl_mount_argv_free(struct fl_mount_argv *m)
{
	fl_strv_free(m->argv);
	memset(m, 0, sizeof(*m));
}
