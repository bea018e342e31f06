// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libcryptsetup and libcrypto, loaded on first use; see fl_cryptlib.h.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>

#include "fl_cryptlib.h"

#define FL_CRYPTLIB_DEFINE(name) typeof(name) *sym_##name;
FL_CRYPTSETUP_SYMS(FL_CRYPTLIB_DEFINE)
FL_LIBCRYPTO_SYMS(FL_CRYPTLIB_DEFINE)
#undef FL_CRYPTLIB_DEFINE

static bool loaded;
static char load_error[512];
static fl_crypt_log_fn log_fn;
static bool log_debug;

const char *fl_cryptlib_error(void)
{
	return load_error;
}

static void apply_log(void)
{
	if (log_fn)
		sym_crypt_set_log_callback(NULL, log_fn, NULL);
	if (log_debug)
		sym_crypt_set_debug_level(CRYPT_DEBUG_ALL);
}

void fl_cryptlib_set_log(fl_crypt_log_fn log, bool debug)
{
	log_fn = log;
	log_debug = debug;
	if (loaded)
		apply_log();
}

static void *open_lib(const char *soname)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!lib)
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
	return lib;
}

/* dlsym() of a function: POSIX guarantees the cast from void *. */
#define FL_CRYPTLIB_RESOLVE(lib, soname, name)				\
	do {								\
		sym_##name = (typeof(sym_##name))dlsym(lib, #name);	\
		if (!sym_##name) {					\
			snprintf(load_error, sizeof(load_error),	\
				 "%s has no %s", soname, #name);	\
			return -ELIBACC;				\
		}							\
	} while (0);

static int resolve_all(void *cryptsetup, const char *cryptsetup_soname,
		       void *crypto, const char *crypto_soname)
{
#define FL_RESOLVE_CRYPTSETUP(name) \
	FL_CRYPTLIB_RESOLVE(cryptsetup, cryptsetup_soname, name)
#define FL_RESOLVE_CRYPTO(name) \
	FL_CRYPTLIB_RESOLVE(crypto, crypto_soname, name)
	FL_CRYPTSETUP_SYMS(FL_RESOLVE_CRYPTSETUP)
	FL_LIBCRYPTO_SYMS(FL_RESOLVE_CRYPTO)
#undef FL_RESOLVE_CRYPTSETUP
#undef FL_RESOLVE_CRYPTO
	return 0;
}

/*
 * Once loaded, neither library is closed again: they live as long as the
 * process that needed them (and libcrypto refuses to unload anyway).
 */
int fl_cryptlib_load_from(const char *cryptsetup_soname,
			  const char *crypto_soname)
{
	void *cryptsetup, *crypto = NULL;
	int r = -ELIBACC;

	if (loaded)
		return 0;
	cryptsetup = open_lib(cryptsetup_soname);
	if (cryptsetup)
		crypto = open_lib(crypto_soname);
	if (crypto)
		r = resolve_all(cryptsetup, cryptsetup_soname,
				crypto, crypto_soname);
	if (r) {
#define FL_CRYPTLIB_RESET(name) sym_##name = NULL;
		FL_CRYPTSETUP_SYMS(FL_CRYPTLIB_RESET)
		FL_LIBCRYPTO_SYMS(FL_CRYPTLIB_RESET)
#undef FL_CRYPTLIB_RESET
		if (crypto)
			dlclose(crypto);
		if (cryptsetup)
			dlclose(cryptsetup);
		return r;
	}
	loaded = true;
	load_error[0] = '\0';
	apply_log();
	return 0;
}

int fl_cryptlib_load(void)
{
	return fl_cryptlib_load_from(FL_LIBCRYPTSETUP_SONAME,
				     FL_LIBCRYPTO_SONAME);
}
