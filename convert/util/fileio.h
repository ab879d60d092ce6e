/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fileio.h - whole reads and writes on descriptors: retried on EINTR and
 * short transfers, so that callers see all of it or an errno.
 */
#ifndef DT_FILEIO_H
#define DT_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* All len bytes written at the descriptor's offset: 0 or a negative errno. */
int dt_write_all(int fd, const void *buf, size_t len);
/* All len bytes at offset `at`: 0 or a negative errno (-EIO at the end of
 * the file for a read). */
int dt_pwrite_all(int fd, const void *buf, size_t len, uint64_t at);
int dt_pread_all(int fd, void *buf, size_t len, uint64_t at);

#endif /* DT_FILEIO_H */
