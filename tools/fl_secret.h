/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory for secrets: passphrases, key files, generated keys.  Each
 * secret lives in an anonymous mapping of its own, locked into RAM (never
 * written to swap) and left out of core dumps, as libcryptsetup keeps
 * its keys; fl_secret_free() wipes all of it before unmapping it.
 */
#ifndef FL_SECRET_H
#define FL_SECRET_H

#include <stddef.h>

/* Zeroed memory for len bytes, or NULL (errno set). */
void *fl_secret_alloc(size_t len);
/* Wipe and release what fl_secret_alloc() gave; NULL is a no-op. */
void fl_secret_free(void *secret);

#endif
