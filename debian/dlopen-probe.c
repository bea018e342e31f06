// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Not shipped.  fileloopctl dlopen()s libcryptsetup and libcrypto, so
 * dpkg-shlibdeps cannot see them in its ELF file.  This probe refers to
 * exactly the symbols the tool looks up (the lists in fl_cryptlib.h) and
 * is linked against both libraries; dpkg-shlibdeps on it gives their
 * packages with the versions those symbols need (debian/rules).
 */
#include "fl_cryptlib.h"

#define FL_PROBE_REF(name) (const void *)name,
const void *const fl_dlopen_probe[] = {
	FL_CRYPTSETUP_SYMS(FL_PROBE_REF)
	FL_LIBCRYPTO_SYMS(FL_PROBE_REF)
};

int main(void)
{
	return fl_dlopen_probe[0] == 0;
}
