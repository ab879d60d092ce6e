// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the record reader: any bytes, read as a file (so the
 * time index is used) and as a stream with a consumed prefix, strictly and
 * with salvage, must give items or a clean error, never a crash or a hang.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256], path[64];
	int fd = memfd_create("fuzz.dtr", 0);

	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
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
	return 0;
}
