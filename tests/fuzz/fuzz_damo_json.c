// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: damo json / json_compressed importer (zlib when the
 * bytes start with a zlib header, as the input layer decides). */
#include "fuzz_damo_importer.h"

static int open_json(struct dt_importer *imp, struct dt_src *src, char *err, size_t errlen)
{
	return dt_in_damo_json_open(imp, src, dt_probe_zlib(src->mem, src->mem_len), err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_importer(data, size, open_json);
	return 0;
}
