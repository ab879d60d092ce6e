// SPDX-License-Identifier: GPL-2.0-only
/*
 * driver.h: running a real program as a corpus workload.  The driver is
 * the command damo-record starts; it forks a feeder and then execs the
 * program in its own process, so DAMON and perf watch the program from its
 * first instruction under the pid they were given.  The feeder (the
 * program's child, sleeping in pipe reads and writes most of the time)
 * talks to the program through its standard input and output, and it
 * prints the workload's lines: it knows when the program read its input,
 * when its first output came and when its output ended, and it reads the
 * program's memory map (/proc/PID/maps) to name its buffers.
 */
#ifndef DT_DRIVER_H
#define DT_DRIVER_H

#include "workload.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

struct driver {
	pid_t program;	/* the program's pid (the driver's own, after exec) */
	int to_program;	/* the feeder writes the program's standard input here */
	int from_program;	/* and reads its standard output here */
};

/*
 * Forks the feeder.  In the program's process (the parent) it execs ARGV
 * with its standard input and output on the pipes and never returns; in
 * the feeder it returns the pipes.  ENV is NAME=VALUE strings put in the
 * environment before the exec (NULL-terminated, or NULL).
 */
static inline struct driver start_program(char *const argv[], char *const env[])
{
	struct driver d;
	int in[2], out[2];
	pid_t parent = getpid();
	pid_t child;

	if (pipe(in) || pipe(out))
		die("pipe");
	fflush(stdout);
	child = fork();
	if (child < 0)
		die("fork");
	if (child > 0) {
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			die("dup2");
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		for (; env && *env; env++)
			putenv(*env);
		execv(argv[0], argv);
		die(argv[0]);
	}
	/* Its own name keeps the feeder's few callstack samples apart from
	 * the program's.  It ends when the program's output does (the
	 * program's end closes the pipe). */
	prctl(PR_SET_NAME, "feeder");
	close(in[0]);
	close(out[1]);
	d.program = parent;
	lane_tid = (long)parent;
	d.to_program = in[1];
	d.from_program = out[0];
	return d;
}

static inline void write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write to the program");
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Prints `buffer NAME START END` for the program's heap ([heap]) and for
 * each of its anonymous writable mappings of at least MIN_BYTES, named
 * anon1, anon2... from low to high addresses.
 */
static inline void say_program_buffers(pid_t pid, size_t min_bytes)
{
	char path[64], line[512];
	FILE *maps;
	unsigned nr_anon = 0;

	snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
	maps = fopen(path, "r");
	if (!maps)
		die(path);
	while (fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, off;
		char perms[8], dev[16], name[256] = "";
		unsigned long inode;

		if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %255s", &lo, &hi, perms, &off, dev, &inode,
			   name) < 6)
			continue;
		if (!strcmp(name, "[heap]"))
			say("buffer heap 0x%lx 0x%lx", lo, hi);
		else if (!name[0] && perms[0] == 'r' && perms[1] == 'w' && hi - lo >= min_bytes)
			say("buffer anon%u 0x%lx 0x%lx", ++nr_anon, lo, hi);
	}
	fclose(maps);
}

#endif
