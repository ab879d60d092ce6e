// SPDX-License-Identifier: GPL-2.0-only
/*
 * sort: GNU sort (Debian's coreutils, /usr/bin/sort) sorting text lines,
 * a real program whose steps are known:
 *
 *   read_input    sort reads its standard input into its buffer: the
 *                 input arrives at a fixed rate for READ_SECONDS, so the
 *                 filled part of the buffer grows          (growth)
 *   sort_lines    sort sorts the lines (from the end of its input to its
 *                 first output byte)                       (steady)
 *   write_output  sort writes the sorted lines, as fast as they are taken
 *                 from it, at a fixed rate for WRITE_SECONDS (from its
 *                 first output byte to the end of its output)  (steady)
 *
 *   sort [READ_SECONDS [KIB [WRITE_SECONDS [SORT_PATH]]]]
 *        (default 4 s, 8192 KiB, 3 s, /usr/bin/sort)
 *
 * The driver execs `sort --parallel=1 -S 64M` with LC_ALL=C in its own
 * process, after forking the feeder that writes the input (deterministic
 * lines of 48 bytes, made before the program starts), reads the output,
 * counts its lines and prints the workload's lines (tests/workloads/README.md)
 * for sort's pid.  Debian's sort is stripped: its own functions have no
 * names, and the C library's string functions it calls are resolved to
 * unexported implementations (memcmp to __memcmp_*), so the callstacks can
 * name only the exported stdio functions sort reads and writes through:
 * fread_unlocked while reading, fwrite_unlocked while writing, and nothing
 * while sorting (function=? on that phase line: no name expected).  Buffers
 * are read from sort's memory map when its first output byte arrives: its
 * heap and its anonymous mappings of 1 MiB or more (the line buffer).
 */
#include "driver.h"

#define LINE 48u
#define CHUNK (64u * 1024u)

static void make_line(char *p, uint64_t *state)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t x = next_random(state);

	for (unsigned i = 0; i < 16; i++, x >>= 4)
		p[i] = hex[x & 15];
	p[16] = ' ';
	x = next_random(state);
	for (unsigned i = 17; i < LINE - 1; i++, x = x * 6364136223846793005ull + 1)
		p[i] = (char)('a' + (x >> 59));
	p[LINE - 1] = '\n';
}

int main(int argc, char **argv)
{
	double read_s = argc > 1 ? atof(argv[1]) : 4.0;
	size_t bytes = (size_t)(argc > 2 ? atol(argv[2]) : 8192) * 1024;
	double write_s = argc > 3 ? atof(argv[3]) : 3.0;
	char *sort_path = argc > 4 ? argv[4] : "/usr/bin/sort";
	char *prog[] = { sort_path, "--parallel=1", "-S", "64M", NULL };
	char *env[] = { "LC_ALL=C", NULL };
	static char out[CHUNK];
	size_t lines = bytes / LINE, total, read_total = 0, nr_out = 0;
	uint64_t state = 0x5EED5EED5EEDull, t0, t;
	struct driver d;
	char *input;
	ssize_t n;

	if (read_s <= 0 || write_s <= 0 || lines == 0) {
		fprintf(stderr, "usage: sort [READ_SECONDS [KIB [WRITE_SECONDS [SORT_PATH]]]]\n");
		return 2;
	}
	say_start("sort");
	/* Made before the program starts: the feeder only writes it. */
	total = lines * LINE;
	input = malloc(total);
	if (!input)
		die("malloc");
	for (size_t i = 0; i < lines; i++)
		make_line(input + i * LINE, &state);
	d = start_program(prog, env);

	/* The program's start-up is short; its input starts after the settle
	 * time, like every workload's first phase. */
	sleep_s(SETTLE_S);
	t0 = say_phase("read_input", "function=fread_unlocked pattern=growth buffers=anon1 speed=%.0f",
		       (double)total / read_s);
	for (size_t off = 0; off < total; off += CHUNK) {
		size_t len = total - off < CHUNK ? total - off : CHUNK;
		uint64_t due = t0 + (uint64_t)((double)s_to_ns(read_s) * (double)off / (double)total);

		t = now_ns();
		if (due > t)
			sleep_s((double)(due - t) / 1e9);
		write_all(d.to_program, input + off, len);
	}
	close(d.to_program);
	say_phase("sort_lines", "function=? pattern=steady buffers=anon1");

	/* The output is taken at a fixed rate too: sort waits in write()
	 * for the rest of the time. */
	for (;;) {
		if (read_total > 0) {
			uint64_t due = t0 + (uint64_t)((double)s_to_ns(write_s) * (double)read_total /
						       (double)total);

			t = now_ns();
			if (due > t)
				sleep_s((double)(due - t) / 1e9);
		}
		n = read(d.from_program, out, sizeof(out));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("read from sort");
		}
		if (read_total == 0) {
			t0 = say_phase("write_output", "function=fwrite_unlocked pattern=steady buffers=anon1");
			say_program_buffers(d.program, MIB);
		}
		read_total += (size_t)n;
		for (ssize_t i = 0; i < n; i++)
			nr_out += out[i] == '\n';
	}
	say_end();
	say("check lines_in=%zu lines_out=%zu bytes_out=%zu", lines, nr_out, read_total);
	return nr_out == lines && read_total == total ? 0 : 1;
}
