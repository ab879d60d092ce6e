// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the record reader: any bytes, read as a file (so the
 * time index is used) and as a stream with a consumed prefix, strictly and
 * with salvage, must give items or a clean error, never a crash or a hang.
 *
 * Mutated chunks rarely pass their checksums, so inputs starting with the
 * byte 'I' are taken as the decompressed items of one DATA chunk instead
 * (the bytes after 'I'), wrapped here into a record with valid checksums:
 * that way the item decoder gets fuzzed too.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zstd.h>

#include "dtr.h"

static void drain(struct dtr_reader *r)
{
	struct dtr_item item;
	char err[256];
	uint64_t sum = 0;

	while (dtr_reader_next(r, &item, err, sizeof(err)) > 0) {
		/* Touch what the item points to, as a consumer would. */
		if (item.type == DTR_ITEM_SNAPSHOT)
			for (uint64_t i = 0; i < item.u.snapshot.nr_regions; i++)
				sum += item.u.snapshot.regions[i].end - item.u.snapshot.regions[i].start;
		else if (item.type == DTR_ITEM_STACK)
			for (uint32_t i = 0; i < item.u.stack.nr_frames; i++)
				sum += item.u.stack.frames[i];
		else if (item.type == DTR_ITEM_META)
			for (size_t i = 0; i < item.u.meta.nr; i++)
				sum += strlen(item.u.meta.kvs[i].key) + strlen(item.u.meta.kvs[i].value);
		else if (item.type == DTR_ITEM_MAPS)
			for (size_t i = 0; i < item.u.maps.nr; i++)
				sum += strlen(item.u.maps.entries[i].path);
		else if (item.type == DTR_ITEM_FRAME)
			sum += strlen(item.u.frame.symbol) + strlen(item.u.frame.dso) +
			       strlen(item.u.frame.srcline);
	}
	struct dtr_reader_status st;
	dtr_reader_status(r, &st);
	if (st.valid_bytes > st.file_bytes && st.file_bytes)
		__builtin_trap();
	(void)sum;
}

static void le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* header + one DATA chunk holding `items` (+ an empty index, an END chunk
 * and the trailer); returns a malloc'ed record and its size in *len. */
static unsigned char *wrap_items(const uint8_t *items, size_t n, size_t *len)
{
	size_t bound = ZSTD_compressBound(n);
	unsigned char *rec = malloc(16 + 3 * 24 + bound + 64 + 16);
	static const unsigned char end_raw[3] = { 0, 0, 0 }, index_raw[1] = { 0 };
	const unsigned char *raws[3] = { items, index_raw, end_raw };
	size_t raw_lens[3] = { n, 1, 3 }, at = 16;
	uint64_t index_at = 0;

	if (!rec)
		return NULL;
	memcpy(rec, "\x89" "DTR\r\n\x1a\n", 8);
	rec[8] = 1, rec[9] = 0, rec[10] = 0, rec[11] = 0;
	le32(rec + 12, dtr_crc32c(0, rec, 12));
	for (int k = 0; k < 3; k++) {
		unsigned char *h = rec + at;
		size_t cap = k ? 64 : bound;
		size_t z = ZSTD_compress(h + 24, cap, raws[k], raw_lens[k], 1);
		if (ZSTD_isError(z)) {
			free(rec);
			return NULL;
		}
		if (k == 1)
			index_at = at;
		memcpy(h, "DTCK", 4);
		h[4] = (unsigned char)(k + 1), h[5] = 0, h[6] = 0, h[7] = 0;
		le32(h + 8, (uint32_t)z);
		le32(h + 12, (uint32_t)raw_lens[k]);
		le32(h + 16, dtr_crc32c(0, h + 24, z));
		le32(h + 20, dtr_crc32c(0, h, 20));
		at += 24 + z;
	}
	for (int i = 0; i < 8; i++)
		rec[at + i] = (unsigned char)(index_at >> (8 * i));
	memcpy(rec + at + 8, "DTRE", 4);
	le32(rec + at + 12, dtr_crc32c(0, rec + at, 12));
	*len = at + 16;
	return rec;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], path[64];
	unsigned char *wrapped = NULL;

	if (size && data[0] == 'I') {
		wrapped = wrap_items(data + 1, size - 1, &size);
		if (!wrapped)
			return 0;
		data = wrapped;
	}
	int fd = memfd_create("fuzz.dtr", 0);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size)) {
		if (fd >= 0)
			close(fd);
		free(wrapped);
		return 0;
	}
	size_t prefix = size < 8 ? size : 8;
	struct dtr_reader_opts ranges[] = {
		{ 0, 0, 0 },
		{ 1, 0, 0 },
		{ 0, 1000, 200000 },
		{ 1, 500000, 0 },
	};
	for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++) {
		struct dtr_reader *r;
		lseek(fd, (off_t)prefix, SEEK_SET);
		if (!dtr_reader_open_fd(&r, fd, "fuzz", data, prefix, &ranges[k], err, sizeof(err))) {
			drain(r);
			dtr_reader_close(r);
		}
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct dtr_reader_status st;
	dtr_verify(path, &st, err, sizeof(err));
	dtr_probe(data, size);
	close(fd);
	free(wrapped);
	return 0;
}
