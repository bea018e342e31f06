/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NULL-terminated vectors of strings: mount points, dm device names, the
 * lines of a state record.
 */
#ifndef FL_STRV_H
#define FL_STRV_H

#include <stddef.h>

/*
 * Append a copy of s to *v, which holds *n strings (*v may be NULL when
 * *n is 0).  0 or -ENOMEM; on failure *v is unchanged, still
 * NULL-terminated, and still the caller's to free.
 */
int fl_strv_append(char ***v, size_t *n, const char *s);
void fl_strv_free(char **v);

#endif
