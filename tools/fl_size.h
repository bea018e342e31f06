/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Strict parsing of sizes and counts given on the command line.
 *
 * A size is decimal digits with an optional binary suffix: K, M, G, T
 * (either case, optionally followed by "iB"), so 64M and 64MiB both mean
 * 67108864 bytes.  Signs, spaces, fractions, hex and trailing junk are
 * refused rather than guessed at, and results that do not fit in 64 bits
 * are -ERANGE, never wrapped.
 */
#ifndef FL_SIZE_H
#define FL_SIZE_H

#include <stdint.h>

/* 0, -EINVAL (not a size) or -ERANGE (does not fit in 64 bits). */
int fl_parse_size(const char *s, uint64_t *bytes);

/* Plain decimal, no suffix: 0, -EINVAL or -ERANGE. */
int fl_parse_u64(const char *s, uint64_t *val);

/* Plain decimal in [min, max]: 0, -EINVAL or -ERANGE. */
int fl_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *val);

/*
 * bytes as lsblk prints them: "512B", "64M", "1.5G" (binary units, one
 * decimal when not whole).  buf of at least 16 bytes; returns buf.
 */
char *fl_size_human(uint64_t bytes, char *buf, unsigned long len);

#endif
