// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fl_name.h"
#include "fl_opts.h"
#include "fl_strv.h"
#include "fl_tab.h"

#define BLANKS	" \t\r\n"

const char *fl_tab_path(void)
{
	const char *p = getenv(FL_TAB_ENV);

	return p && *p ? p : FL_TAB_PATH;
}

void fl_tab_entry_free(struct fl_tab_entry *e)
{
	free(e->name);
	free(e->image);
	free(e->key_file);
	fl_strv_free(e->opts);
	memset(e, 0, sizeof(*e));
}

/*
 * The paths go into systemd unit files (RequiresMountsFor=), where '%'
 * and '\\' and quotes have meanings: refuse them rather than escape.
 */
static int check_path(const char *what, const char *p, char *err,
		      size_t errlen)
{
	if (p[0] != '/')
		return fl_opts_fail(err, errlen, "%s '%s' is not an absolute path",
				    what, p);
	if (strpbrk(p, "%\\\"'"))
		return fl_opts_fail(err, errlen,
				    "%s '%s' has a character filelooptab does not take (%%, \\, quotes)",
				    what, p);
	return 0;
}

static int check_name(const char *name, char *err, size_t errlen)
{
	if (name[0] == '-')
		return fl_opts_fail(err, errlen,
				    "device name '%s' starts with '-'", name);
	switch (fl_name_check(name, false, NULL)) {
	case FL_NAME_OK:
		return 0;
	case FL_NAME_TOO_LONG:
		return fl_opts_fail(err, errlen,
				    "device name '%s' is longer than %zu characters",
				    name, fl_name_max(false));
	default:
		return fl_opts_fail(err, errlen,
				    "'%s' is not a device name (letters, digits and %s)",
				    name, FL_NAME_PUNCT);
	}
}

static const struct {
	const char *key;	/* with '=' for a value option */
	const char *flag;	/* NULL: the boot's, not fileloopctl's */
} tab_opts[] = {
	{ "luks", "--luks" },
	{ "noluks", "--no-luks" },
	{ "ro", "--read-only" },
	{ "read-only", "--read-only" },
	{ "offset=", "--offset" },
	{ "size=", "--sizelimit" },
	{ "file=", "--file" },
	{ "block-size=", "--block-size" },
	{ "direct-io", "--direct-io" },
	{ "buffered-io", "--buffered-io" },
	{ "nodiscard", "--no-discard" },
	{ "shared", "--shared" },
	{ "partscan", "--partscan" },
	{ "keyfile-size=", "--keyfile-size" },
	{ "keyfile-offset=", "--keyfile-offset" },
	{ "noauto", NULL },
	{ "nofail", NULL },
};

static int add_opt(struct fl_tab_entry *e, const char *opt, char *err,
		   size_t errlen)
{
	size_t i, klen;

	for (i = 0; i < sizeof(tab_opts) / sizeof(tab_opts[0]); i++) {
		const char *key = tab_opts[i].key;

		klen = strlen(key);
		if (key[klen - 1] == '=' ? strncmp(opt, key, klen) :
					   strcmp(opt, key))
			continue;
		if (!tab_opts[i].flag) {
			if (!strcmp(key, "noauto"))
				e->noauto = true;
			else
				e->nofail = true;
			return 0;
		}
		if (key[klen - 1] == '=' && !opt[klen])
			return fl_opts_fail(err, errlen, "option %s needs a value",
					    opt);
		if (fl_strv_append(&e->opts, &e->nopts, tab_opts[i].flag) ||
		    (key[klen - 1] == '=' &&
		     fl_strv_append(&e->opts, &e->nopts, opt + klen)))
			return -ENOMEM;
		return 0;
	}
	return fl_opts_fail(err, errlen, "unknown option '%s'", opt);
}

static int parse_opts(struct fl_tab_entry *e, char *opts, char *err,
		      size_t errlen)
{
	char *opt, *save = NULL;
	int r;

	for (opt = strtok_r(opts, ",", &save); opt;
	     opt = strtok_r(NULL, ",", &save)) {
		r = add_opt(e, opt, err, errlen);
		if (r)
			return r;
	}
	return 0;
}

int fl_tab_parse_line(const char *line, unsigned lineno,
		      struct fl_tab_entry *e, char *err, size_t errlen)
{
	char *copy, *save = NULL, *f[5];
	unsigned n = 0;
	int r = -ENOMEM;

	memset(e, 0, sizeof(*e));
	err[0] = '\0';
	line += strspn(line, BLANKS);
	if (!*line || *line == '#')
		return 1;
	copy = strdup(line);
	if (!copy)
		return -ENOMEM;
	for (f[n] = strtok_r(copy, BLANKS, &save); f[n] && n < 4;
	     f[++n] = strtok_r(NULL, BLANKS, &save))
		;
	if (n == 4 && f[4]) {
		r = fl_opts_fail(err, errlen,
				 "more than 4 fields (NAME IMAGE KEY OPTIONS)");
		goto out;
	}
	if (n < 3) {
		r = fl_opts_fail(err, errlen,
				 "%s, not NAME IMAGE KEY [OPTIONS]",
				 n == 1 ? "one field" : "two fields");
		goto out;
	}
	e->line = lineno;
	r = check_name(f[0], err, errlen) ?:
	    check_path("image", f[1], err, errlen);
	if (r)
		goto out;
	if (strcmp(f[2], "none") && strcmp(f[2], "-")) {
		r = check_path("key file", f[2], err, errlen);
		if (r)
			goto out;
		r = -ENOMEM;
		e->key_file = strdup(f[2]);
		if (!e->key_file)
			goto out;
	}
	r = -ENOMEM;
	e->name = strdup(f[0]);
	e->image = strdup(f[1]);
	if (!e->name || !e->image)
		goto out;
	if (e->key_file && (fl_strv_append(&e->opts, &e->nopts, "--key-file") ||
			    fl_strv_append(&e->opts, &e->nopts, e->key_file)))
		goto out;
	r = n == 4 ? parse_opts(e, f[3], err, errlen) : 0;
out:
	free(copy);
	if (r)
		fl_tab_entry_free(e);
	return r;
}

int fl_tab_next(FILE *f, unsigned *lineno, struct fl_tab_entry *e, char *err,
		size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	int r = 1;

	while (getline(&line, &cap, f) >= 0) {
		++*lineno;
		r = fl_tab_parse_line(line, *lineno, e, err, errlen);
		if (r != 1)
			break;
	}
	if (r == 1 && ferror(f))
		r = -EIO;
	free(line);
	return r;
}

/* Whether a line that is no comment has name as its first field. */
static bool names(const char *line, const char *name)
{
	size_t len = strlen(name);

	line += strspn(line, BLANKS);
	return *line != '#' && !strncmp(line, name, len) &&
	       (!line[len] || strchr(BLANKS, line[len]));
}

int fl_tab_find(const char *path, const char *name, unsigned *lineno,
		struct fl_tab_entry *e, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	int r = -ENOENT;

	memset(e, 0, sizeof(*e));
	*lineno = 0;
	if (!f)
		return -errno;
	while (getline(&line, &cap, f) >= 0) {
		++*lineno;
		if (!names(line, name))
			continue;
		r = fl_tab_parse_line(line, *lineno, e, err, errlen);
		break;
	}
	if (r == -ENOENT && ferror(f))
		r = -EIO;
	free(line);
	fclose(f);
	return r;
}
