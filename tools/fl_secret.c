// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fl_secret.h"

/* In front of each secret: the size of its mapping, to free it. */
struct secret_head {
	size_t map_len;
	size_t pad;		/* keeps the secret 16-byte aligned */
};

void *fl_secret_alloc(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t map_len = (len + sizeof(struct secret_head) + page - 1) &
			 ~(page - 1);
	struct secret_head *head;

	if (len > map_len)	/* overflowed */
		return NULL;
	head = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (head == MAP_FAILED)
		return NULL;
	/*
	 * Both best effort: without CAP_IPC_LOCK, RLIMIT_MEMLOCK may refuse
	 * the lock, and the process is not dumpable anyway
	 * (fl_secrets_no_core).
	 */
	(void)mlock(head, map_len);
	(void)madvise(head, map_len, MADV_DONTDUMP);
	head->map_len = map_len;
	return head + 1;
}

void fl_secret_free(void *secret)
{
	struct secret_head *head;
	size_t map_len;

	if (!secret)
		return;
	head = (struct secret_head *)secret - 1;
	map_len = head->map_len;
	explicit_bzero(head, map_len);
	munlock(head, map_len);
	munmap(head, map_len);
}
