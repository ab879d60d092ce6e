// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: spends its time in system calls (write to /dev/null, read from /dev/zero, getppid), so samples carry kernel frames.
/*
 * Each of write_null, read_zero and getppid_loop runs for argument 1
 * milliseconds (default 150).
 * Build: cc -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char buf[65536];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void write_null(double ms)
{
	int fd = open("/dev/null", O_WRONLY);
	double end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 100; i++)
			if (write(fd, buf, sizeof(buf)) < 0)
				exit(1);
	close(fd);
}

void read_zero(double ms)
{
	int fd = open("/dev/zero", O_RDONLY);
	double end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 10; i++)
			if (read(fd, buf, sizeof(buf)) < 0)
				exit(1);
	close(fd);
}

void getppid_loop(double ms)
{
	double end = now_ms() + ms;

	while (now_ms() < end)
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
}

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 150;

	write_null(ms);
	read_zero(ms);
	getppid_loop(ms);
	return 0;
}
