/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an image holds, by libblkid: the superblock TYPE at an offset into
 * a file or device ("crypto_LUKS", "ext4", ...).  0 or -errno, no output.
 */
#ifndef FL_PROBE_H
#define FL_PROBE_H

#include <stdint.h>

/* *type is NULL (and 0 returned) when nothing is recognised. */
int fl_probe_type(const char *path, uint64_t offset, char **type);

#define FL_TYPE_LUKS	"crypto_LUKS"

#endif
