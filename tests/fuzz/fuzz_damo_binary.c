// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: damo's legacy binary record importer (v0, v1, v2). */
#include "fuzz_damo_importer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_importer(data, size, dt_in_damo_binary_open);
	return 0;
}
