// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fl_strv.h"

int fl_strv_append(char ***v, size_t *n, const char *s)
{
	char *copy = strdup(s);
	char **tmp;

	if (!copy)
		return -ENOMEM;
	tmp = realloc(*v, (*n + 2) * sizeof(**v));
	if (!tmp) {
		free(copy);
		return -ENOMEM;
	}
	tmp[(*n)++] = copy;
	tmp[*n] = NULL;
	*v = tmp;
	return 0;
}

void fl_strv_free(char **v)
{
	char **p;

	if (!v)
		return;
	for (p = v; *p; p++)
		free(*p);
	free(v);
}
