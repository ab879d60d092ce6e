// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: touches fresh pages in two functions, so a page-faults recording in frequency mode has samples of varying periods.
/*
 * touch_small faults in argument 1 MiB (default 64) one page at a time;
 * touch_large_outer -> touch_large faults in twice as much.
 * Build: cc -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <sys/mman.h>

static void touch(size_t bytes)
{
	char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	for (size_t i = 0; i < bytes; i += 4096)
		p[i] = 1;
	munmap(p, bytes);
}

void touch_small(size_t mib)
{
	touch(mib << 20);
}

void touch_large(size_t mib)
{
	touch(2 * (mib << 20));
}

void touch_large_outer(size_t mib)
{
	touch_large(mib);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;

	touch_small(mib);
	touch_large_outer(mib);
	return 0;
}
