// SPDX-License-Identifier: GPL-2.0-only
/*
 * sqlite: the SQLite shell (Debian's sqlite3, /usr/bin/sqlite3, on an
 * in-memory database), a real program whose steps are known:
 *
 *   build_table   CREATE TABLE and INSERT of ROWS generated rows   (growth)
 *   build_index   CREATE INDEX on one column                      (steady)
 *   query_table   indexed range queries (2000 rows each), one after the
 *                 other, for QUERY_SECONDS                         (steady)
 *
 *   sqlite [ROWS [QUERY_SECONDS [SQLITE3_PATH]]]   (default 80000, 4 s, /usr/bin/sqlite3)
 *
 * The driver execs sqlite3 in its own process after forking the feeder,
 * which sends the statements on sqlite3's standard input, each followed
 * by a SELECT of a marker, and takes a step's end from the moment the
 * marker's line comes back (the shell flushes its output after each
 * statement).  It prints the workload's lines (tests/workloads/README.md)
 * for sqlite3's pid.  Debian's sqlite3 is stripped and built without frame
 * pointers, but libsqlite3's dynamic symbols name SQLite's own functions:
 * every step runs its statement's program in sqlite3VdbeExec() (under
 * sqlite3_step()), the function expected to name each phase (function= on
 * the phase lines); the steps differ in their memory (the table's pages
 * growing, the sorter and index pages, lookups over both).  Buffers are read from
 * sqlite3's memory map once the index is built: its heap and its anonymous
 * mappings of 1 MiB or more (the database's pages live there).
 */
#include "driver.h"

static char line[4096];

/* Reads lines from the program until one equals WANT. */
static void wait_for(int fd, const char *want)
{
	static char buf[65536];
	static size_t have, at;
	size_t len = 0;

	for (;;) {
		if (at == have) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				fprintf(stderr, "sqlite: sqlite3 ended before printing '%s'\n", want);
				exit(1);
			}
			have = (size_t)n;
			at = 0;
		}
		char ch = buf[at++];

		if (ch != '\n') {
			if (len < sizeof(line) - 1)
				line[len++] = ch;
			continue;
		}
		line[len] = 0;
		if (!strcmp(line, want))
			return;
		len = 0;
	}
}

/* Sends SQL then a marker SELECT, and waits for the marker's line. */
static void run_sql(struct driver *d, const char *sql, unsigned step)
{
	char marker[64];
	char tail[96];
	int n;

	snprintf(marker, sizeof(marker), "step-%u-done", step);
	n = snprintf(tail, sizeof(tail), "\nSELECT '%s';\n", marker);
	write_all(d->to_program, sql, strlen(sql));
	write_all(d->to_program, tail, (size_t)n);
	wait_for(d->from_program, marker);
}

int main(int argc, char **argv)
{
	long rows = argc > 1 ? atol(argv[1]) : 80000;
	double query_s = argc > 2 ? atof(argv[2]) : 4.0;
	char *sqlite_path = argc > 3 ? argv[3] : "/usr/bin/sqlite3";
	char *prog[] = { sqlite_path, "-batch", ":memory:", NULL };
	char sql[1024];
	uint64_t state = 0xD1CE5EEDull, deadline;
	unsigned step = 0, queries = 0;
	struct driver d;

	if (rows <= 0 || query_s <= 0) {
		fprintf(stderr, "usage: sqlite [ROWS [QUERY_SECONDS [SQLITE3_PATH]]]\n");
		return 2;
	}
	say_start("sqlite");
	d = start_program(prog, NULL);
	sleep_s(SETTLE_S);

	say_phase("build_table", "function=sqlite3VdbeExec pattern=growth buffers=heap");
	snprintf(sql, sizeof(sql),
		 "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);\n"
		 "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %ld)\n"
		 "INSERT INTO t SELECT i, (i * 7919) %% %ld, printf('%%016x%%016x', i * 2654435761, i * 40503)"
		 " FROM c;",
		 rows, rows);
	run_sql(&d, sql, ++step);

	say_phase("build_index", "function=sqlite3VdbeExec pattern=steady buffers=heap");
	run_sql(&d, "CREATE INDEX t_k ON t(k);", ++step);
	say_program_buffers(d.program, MIB);

	deadline = say_phase("query_table", "function=sqlite3VdbeExec pattern=steady buffers=heap") +
		   s_to_ns(query_s);
	while (now_ns() < deadline) {
		long k = (long)(next_random(&state) % (uint64_t)rows);

		snprintf(sql, sizeof(sql), "SELECT sum(length(v)) FROM t WHERE k BETWEEN %ld AND %ld;", k,
			 k + 2000);
		run_sql(&d, sql, ++step);
		queries++;
	}
	say_end();
	say("check rows=%ld queries=%u", rows, queries);
	close(d.to_program);
	return 0;
}
