// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_state.h"
#include "fl_strv.h"
#include "fl_table.h"

/*
 * Records are written aside under this prefix and renamed into place.  No
 * record can have it: device names never hold '~' (fl_name_check), and
 * state_path() refuses it, whatever made the device.
 */
#define TMP_PREFIX	".tmp~"

static const char *state_dir = FL_STATE_DIR;

void fl_state_set_dir(const char *dir)
{
	state_dir = dir;
}

static int state_path(const char *name, char **path)
{
	/* dm names cannot contain '/', but never build a path from one. */
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || !strncmp(name, TMP_PREFIX, strlen(TMP_PREFIX)))
		return -EINVAL;
	return asprintf(path, "%s/%s", state_dir, name) < 0 ? -ENOMEM : 0;
}

static bool valid_key(const char *key)
{
	return *key && !strpbrk(key, "=\n");
}

/* "key=" at the start of line? */
static bool has_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	return !strncmp(line, key, n) && line[n] == '=';
}

/*
 * The record's lines, each without its newline, NULL-terminated; an empty
 * list when there is no record.
 */
static int read_record(const char *path, char ***out)
{
	char **lines, *line = NULL;
	size_t n = 0, cap = 0;
	ssize_t len;
	FILE *f;
	int r = 0;

	lines = calloc(1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT) {
			*out = lines;
			return 0;
		}
		free(lines);
		return -errno;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		r = fl_strv_append(&lines, &n, line);
		if (r)
			break;
	}
	if (!r && ferror(f))
		r = -EIO;
	free(line);
	fclose(f);
	if (r) {
		fl_strv_free(lines);
		return r;
	}
	*out = lines;
	return 0;
}

/*
 * Write aside and rename: a crash never leaves half a record.  The file
 * aside gets a fresh name (mkstemp, O_EXCL), so it cannot be another
 * device's record, nor one a concurrent writer is filling.
 */
static int write_record(const char *path, char *const *lines)
{
	char *tmp;
	FILE *f;
	size_t i;
	int fd, r = 0;

	if (asprintf(&tmp, "%s/" TMP_PREFIX "XXXXXX", state_dir) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);	/* 0600 */
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		goto out;
	}
	for (i = 0; lines[i]; i++)
		fprintf(f, "%s\n", lines[i]);
	if (fflush(f) || fsync(fileno(f)))
		r = -errno;
	if (fclose(f) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
out:
	if (r)
		unlink(tmp);
	free(tmp);
	return r;
}

int fl_state_set(const char *name, const char *key, const char *value)
{
	char *path = NULL, *esc = NULL, *entry = NULL, **lines = NULL;
	size_t i, j;
	int r;

	if (!valid_key(key))
		return -EINVAL;
	if (mkdir(state_dir, 0700) && errno != EEXIST)
		return -errno;
	r = state_path(name, &path);
	if (r)
		return r;
	r = read_record(path, &lines);
	if (r)
		goto out;
	/* Drop the old value, keep every other line, add the new one. */
	for (i = j = 0; lines[i]; i++) {
		if (has_key(lines[i], key))
			free(lines[i]);
		else
			lines[j++] = lines[i];
	}
	lines[j] = NULL;
	esc = fl_path_escape(value);	/* one line, whatever the value */
	if (!esc || asprintf(&entry, "%s=%s", key, esc) < 0) {
		entry = NULL;
		r = -ENOMEM;
		goto out;
	}
	r = fl_strv_append(&lines, &j, entry);
	if (!r)
		r = write_record(path, lines);
out:
	fl_strv_free(lines);
	free(entry);
	free(esc);
	free(path);
	return r;
}

int fl_state_get(const char *name, const char *key, char **value)
{
	char *path, **lines = NULL;
	size_t i;
	int r;

	*value = NULL;
	if (!valid_key(key))
		return -EINVAL;
	r = state_path(name, &path);
	if (r)
		return r == -EINVAL ? 0 : r;	/* no record can have it */
	r = read_record(path, &lines);
	free(path);
	if (r)
		return r;
	for (i = 0; lines[i]; i++) {
		if (!has_key(lines[i], key))
			continue;
		free(*value);	/* the last one counts */
		*value = NULL;
		r = fl_path_unescape(lines[i] + strlen(key) + 1, value);
		if (r)
			break;
	}
	fl_strv_free(lines);
	return r;
}

int fl_state_remove(const char *name)
{
	char *path;
	int r;

	r = state_path(name, &path);
	if (r)
		return r == -EINVAL ? 0 : r;
	r = unlink(path) && errno != ENOENT ? -errno : 0;
	free(path);
	return r;
}
