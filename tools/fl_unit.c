// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fl_opts.h"
#include "fl_unit.h"

int fl_unit_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;
	const char *p;

	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == ':' || c == '_' ||
			     (c == '.' && p != s);

		if (o + 5 > len)
			return -ENAMETOOLONG;
		if (c == '/')
			out[o++] = '-';
		else if (plain)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
	}
	if (o >= len)
		return -ENAMETOOLONG;
	out[o] = '\0';
	return 0;
}

static int unit_with(const char *prefix, const char *name, const char *suffix,
		     char *out, size_t len)
{
	char esc[512];
	int r = fl_unit_escape(name, esc, sizeof(esc));

	if (r)
		return r;
	if ((size_t)snprintf(out, len, "%s%s%s", prefix, esc, suffix) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int fl_unit_name(const char *name, char *out, size_t len)
{
	return unit_with("fileloop@", name, ".service", out, len);
}

/* As systemd-escape --path: the leading-dot rule is the path's, not NAME's. */
int fl_unit_device(const char *name, const char *suffix, char *out,
		   size_t len)
{
	char path[300];

	if ((size_t)snprintf(path, sizeof(path), "dev/mapper/%s", name) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	return unit_with("", path, suffix, out, len);
}

int fl_unit_write(FILE *f, const struct fl_tab_entry *e, const char *tab,
		  const char *ctl)
{
	char dev[600], blockdev[620], path[PATH_MAX];
	int r = fl_unit_device(e->name, "", dev, sizeof(dev));
	size_t i;

	if (r)
		return r;
	snprintf(blockdev, sizeof(blockdev), "blockdev@%s.target", dev);
	fprintf(f,
		"# Made by fileloop-generator from %s, line %u.\n"
		"[Unit]\n"
		"Description=fileloop device %s\n"
		"Documentation=man:filelooptab(5) man:fileloopctl(8)\n"
		"SourcePath=%s\n"
		"DefaultDependencies=no\n"
		"IgnoreOnIsolate=true\n"
		"After=systemd-udevd-kernel.socket systemd-modules-load.service\n"
		"Wants=%s\n"
		"Before=%s " FL_UNIT_TARGET " umount.target\n"
		"Conflicts=umount.target\n"
		"RequiresMountsFor=%s%s%s",
		tab, e->line, e->name, tab, blockdev, blockdev, e->image,
		e->key_file ? " " : "", e->key_file ? e->key_file : "");
	/* The further files of a device that spans files (file=). */
	for (i = 0; i + 1 < e->nopts; i++) {
		struct fl_extent x;

		if (strcmp(e->opts[i], "--file"))
			continue;
		if (fl_extent_split(e->opts[++i], path, sizeof(path), &x))
			return -ENAMETOOLONG;
		fprintf(f, " %s", path);
	}
	fprintf(f,
		"\n"
		"\n"
		"[Service]\n"
		"Type=oneshot\n"
		"RemainAfterExit=yes\n"
		"TimeoutSec=0\n");
	if (strcmp(tab, FL_TAB_PATH))
		fprintf(f, "Environment=" FL_TAB_ENV "=%s\n", tab);
	/* Without a key file, a LUKS passphrase comes from the agents. */
	fprintf(f, "ExecStart=%s open %s%s\n", ctl,
		e->key_file ? "" : "--ask-password ", e->name);
	fprintf(f, "ExecStop=%s close %s\n", ctl, e->name);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
