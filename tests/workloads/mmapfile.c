// SPDX-License-Identifier: GPL-2.0-only
/*
 * mmapfile: a file read through mmap.  The file is written first (outside
 * the phases), then mapped read-only, and read_mapped_file() reads every
 * page of the mapping pass after pass; then sum_anon_buffer() reads an
 * anonymous buffer A the same way, so the file phase has an end to find.
 *
 *   read_mapped_file   (steady, F: the file's mapping)
 *   sum_anon_buffer    (steady, A)
 *
 *   mmapfile [SECONDS_PER_PHASE [MIB [PATH]]]   (default 4 s, 8 MiB, /tmp/mmapfile.dat)
 *
 * The file is removed at exit.  Output lines: tests/workloads/README.md
 * (the `buffer F` line adds file=PATH).
 */
#include "workload.h"
#include <fcntl.h>

PHASE_FN static void write_file(const char *path, size_t bytes)
{
	static unsigned char chunk[64 * 1024];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die(path);
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (unsigned char)(i * 7);
	for (size_t done = 0; done < bytes; done += sizeof(chunk))
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			die(path);
	if (fsync(fd) || close(fd))
		die(path);
}

PHASE_FN static void read_mapped_file(const unsigned char *f, size_t bytes, uint64_t deadline)
{
	uint64_t sum = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += 256)
			sum += f[off];
		flush_tlb();
	}
	sink = sum;
}

PHASE_FN static void sum_anon_buffer(const unsigned char *a, size_t bytes, uint64_t deadline)
{
	uint64_t sum = 0;

	while (now_ns() < deadline) {
		for (size_t off = 0; off < bytes; off += 256)
			sum += a[off] * 3u;
		flush_tlb();
	}
	sink = sum;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 4.0;
	size_t bytes = (size_t)(argc > 2 ? atol(argv[2]) : 8) * MIB;
	const char *path = argc > 3 ? argv[3] : "/tmp/mmapfile.dat";
	uint64_t dur = s_to_ns(seconds), t;
	unsigned char *f, *a;
	int fd;

	if (seconds <= 0 || bytes == 0) {
		fprintf(stderr, "usage: mmapfile [SECONDS_PER_PHASE [MIB [PATH]]]\n");
		return 2;
	}
	say_start("mmapfile");
	setup_tlb_flush();
	write_file(path, bytes);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	f = mmap(NULL, bytes, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (f == MAP_FAILED)
		die("mmap");
	close(fd);
	say("buffer F 0x%jx 0x%jx file=%s", (uintmax_t)(uintptr_t)f, (uintmax_t)(uintptr_t)(f + bytes), path);
	a = map_buffer("A", bytes);
	sleep_s(SETTLE_S);

	t = say_phase("read_mapped_file", "pattern=steady buffers=F");
	read_mapped_file(f, bytes, t + dur);
	t = say_phase("sum_anon_buffer", "pattern=steady buffers=A");
	sum_anon_buffer(a, bytes, t + dur);
	say_end();
	munmap(f, bytes);
	unlink(path);
	return 0;
}
