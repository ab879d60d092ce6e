// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: perf script / tracefs text of damon_aggregated, and the
 * content detection of the whole input layer over the same bytes. */
#include "fuzz_damo_importer.h"

static int open_text(struct dt_importer *imp, struct dt_src *src, char *err, size_t errlen)
{
	return dt_in_damon_text_open(imp, src, 0, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dt_input *in;
	struct dtr_item item;
	char err[512];

	fuzz_importer(data, size, open_text);
	if (!dt_input_open_mem(&in, data, size, "fuzz", NULL, err, sizeof(err))) {
		for (int n = 0; n < 1000000 && dt_input_next(in, &item, err, sizeof(err)) > 0; n++)
			fuzz_check_item(&item);
		dt_input_close(in);
	}
	return 0;
}
