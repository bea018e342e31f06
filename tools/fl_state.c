// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fl_state.h"
#include "fl_table.h"

#define MOUNT_KEY	"mount="

static int state_path(const char *name, char **path)
{
	/* dm names cannot contain '/', but never build a path from one. */
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return -EINVAL;
	return asprintf(path, FL_STATE_DIR "/%s", name) < 0 ? -ENOMEM : 0;
}

int fl_state_save_mount(const char *name, const char *mountpoint)
{
	char *path, *tmp = NULL, *esc;
	FILE *f;
	int fd, r;

	if (mkdir(FL_STATE_DIR, 0700) && errno != EEXIST)
		return -errno;
	r = state_path(name, &path);
	if (r)
		return r;
	esc = fl_path_escape(mountpoint);	/* one line, whatever the path */
	if (!esc || asprintf(&tmp, "%s.tmp", path) < 0) {
		r = -ENOMEM;
		tmp = NULL;
		goto out;
	}
	/* Write aside and rename: a crash never leaves half a record. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		r = -errno;
		close(fd);
		unlink(tmp);
		goto out;
	}
	fprintf(f, MOUNT_KEY "%s\n", esc);
	if (fflush(f) || fsync(fileno(f)))
		r = -errno;
	if (fclose(f) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
out:
	free(esc);
	free(tmp);
	free(path);
	return r;
}

int fl_state_load_mount(const char *name, char **mountpoint)
{
	char *path, *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int r = 0;

	*mountpoint = NULL;
	r = state_path(name, &path);
	if (r)
		return r;
	f = fopen(path, "re");
	free(path);
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (!strncmp(line, MOUNT_KEY, strlen(MOUNT_KEY))) {
			free(*mountpoint);
			*mountpoint = NULL;
			r = fl_path_unescape(line + strlen(MOUNT_KEY),
					     mountpoint);
			if (r)
				break;
		}
	}
	free(line);
	fclose(f);
	return r;
}

int fl_state_remove(const char *name)
{
	char *path;
	int r;

	r = state_path(name, &path);
	if (r)
		return r;
	r = unlink(path) && errno != ENOENT ? -errno : 0;
	free(path);
	return r;
}
