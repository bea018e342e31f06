/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libcryptsetup and OpenSSL's libcrypto, loaded on first use.
 *
 * Only the LUKS verbs and keygen need them, and mapping them costs more
 * than all of fileloopctl's other libraries together: libcrypto alone has
 * some 21000 relocations to apply at load.  Linked, they would slow every
 * `open --no-luks`, `close` and `list` as well.  systemd loads
 * libcryptsetup the same way.
 *
 * Calls go through the sym_ pointers below.  They take the libraries' own
 * prototypes from their headers, so the compiler checks every call as if
 * it were a direct one.  A pointer is valid once fl_cryptlib_load() has
 * returned 0; until then it is NULL.
 */
#ifndef FL_CRYPTLIB_H
#define FL_CRYPTLIB_H

#include <stdbool.h>

#include <libcryptsetup.h>
#include <openssl/rand.h>

#define FL_CRYPTSETUP_SYMS(X)				\
	X(crypt_init)					\
	X(crypt_init_by_name)				\
	X(crypt_free)					\
	X(crypt_load)					\
	X(crypt_format)					\
	X(crypt_keyslot_add_by_volume_key)		\
	X(crypt_activate_by_passphrase)			\
	X(crypt_activate_by_token)			\
	X(crypt_token_luks2_keyring_set)		\
	X(crypt_token_assign_keyslot)			\
	X(crypt_token_json_set)				\
	X(crypt_token_status)				\
	X(crypt_keyslot_status)				\
	X(crypt_get_type)				\
	X(crypt_deactivate)				\
	X(crypt_get_active_device)			\
	X(crypt_get_pbkdf_default)			\
	X(crypt_set_pbkdf_type)				\
	X(crypt_resize)					\
	X(crypt_set_log_callback)			\
	X(crypt_set_debug_level)

#define FL_LIBCRYPTO_SYMS(X)				\
	X(RAND_bytes)

#define FL_CRYPTLIB_DECLARE(name) extern typeof(name) *sym_##name;
FL_CRYPTSETUP_SYMS(FL_CRYPTLIB_DECLARE)
FL_LIBCRYPTO_SYMS(FL_CRYPTLIB_DECLARE)
#undef FL_CRYPTLIB_DECLARE

typedef void (*fl_crypt_log_fn)(int level, const char *msg, void *usrptr);

/*
 * Where libcryptsetup's log goes, and whether it logs debug messages:
 * applied when the library is loaded, or at once if it already is.
 */
void fl_cryptlib_set_log(fl_crypt_log_fn log, bool debug);

/*
 * Load both libraries and resolve every symbol, once per process: 0, or
 * -ELIBACC with the reason (the loader's own message) in
 * fl_cryptlib_error().  A failure is not remembered, so a later call tries
 * again.
 */
int fl_cryptlib_load(void);
const char *fl_cryptlib_error(void);

/* fl_cryptlib_load() with other sonames; for the unit tests. */
int fl_cryptlib_load_from(const char *cryptsetup_soname,
			  const char *crypto_soname);

#endif
