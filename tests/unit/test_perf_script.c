// SPDX-License-Identifier: GPL-2.0-only
/*
 * perf script reader: one test per variant of what `perf script` prints.
 * Each snippet is parsed and its samples are rendered as one line each:
 *   COMM|PID|TID|CPU|TIME|PERIOD|EVENT|SYMBOL@DSO#SRCLINE;...   (leaf first)
 * with "-" for a field that was not printed.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perf_script.h"

struct parsed {
	char text[8192];
	int rc;
	char err[512];
	struct dt_perf_script_stats stats;
	enum dtr_clock clock;
};

static void render(struct dt_perf_script *ps, const struct dt_perf_sample *s, FILE *f)
{
	fprintf(f, "%s|", s->comm);
	if (s->pid >= 0)
		fprintf(f, "%d", s->pid);
	else
		fputc('-', f);
	fprintf(f, "|%d|", s->tid);
	if (s->cpu != UINT32_MAX)
		fprintf(f, "%u", s->cpu);
	else
		fputc('-', f);
	if (s->has_time)
		fprintf(f, "|%" PRIu64, s->time_ns);
	else
		fputs("|-", f);
	if (s->has_period)
		fprintf(f, "|%" PRIu64, s->period);
	else
		fputs("|-", f);
	fprintf(f, "|%s|", *s->event ? s->event : "-");
	for (uint32_t i = 0; i < s->nr_frames; i++) {
		struct dtr_frame fr;
		ck_assert_int_eq(dt_perf_script_frame(ps, s->frames[i], &fr), 0);
		fprintf(f, "%s%s@%s", i ? ";" : "", fr.symbol, fr.dso);
		if (*fr.srcline)
			fprintf(f, "#%s", fr.srcline);
	}
	fputc('\n', f);
}

static void parse_text(const char *text, struct parsed *out)
{
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	FILE *f;

	memset(out, 0, sizeof(*out));
	f = fmemopen(out->text, sizeof(out->text), "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(dt_perf_script_open_mem(&ps, text, strlen(text), "snippet", NULL,
						 out->err, sizeof(out->err)), 0);
	while ((out->rc = dt_perf_script_next(ps, &s, out->err, sizeof(out->err))) > 0)
		render(ps, &s, f);
	dt_perf_script_stats(ps, &out->stats);
	out->clock = dt_perf_script_clock(ps);
	dt_perf_script_close(ps);
	fclose(f);
}

static void expect(const char *text, const char *want)
{
	struct parsed p;
	parse_text(text, &p);
	ck_assert_msg(p.rc == 0, "parse failed: %s", p.err);
	ck_assert_str_eq(p.text, want);
}

START_TEST(default_callchain_output)
{
	/* perf 6.1, `perf record -g -e cpu-clock`, `perf script` */
	expect("t 12180   548.661237:     250000 cpu-clock: \n"
	       "\tffffffff815a23d1 filemap_map_pages+0x1d1 ([kernel.kallsyms])\n"
	       "\t            6df9 _dl_map_object_from_fd+0x829 (/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2)\n"
	       "\t    7f828885d8a8 [unknown] ([unknown])\n"
	       "\n"
	       "t 12180   548.661485:     250000 cpu-clock: \n"
	       "\t            115b inner+0x12 (/tmp/t)\n"
	       "\t            11cc main+0x3 (/tmp/t)\n"
	       "\n",
	       "t|-|12180|-|548661237000|250000|cpu-clock|filemap_map_pages@[kernel.kallsyms];"
	       "_dl_map_object_from_fd@/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2;[unknown]@[unknown]\n"
	       "t|-|12180|-|548661485000|250000|cpu-clock|inner@/tmp/t;main@/tmp/t\n");
}
END_TEST

START_TEST(comm_with_spaces_and_padding)
{
	expect("Web Content 4242/4250 [003]  1.000001: 1000 cycles:u: \n"
	       "\t55d0 f (/a)\n\n"
	       "       kdamond.0   143 [001]     3.428551: 2 cycles: \n"
	       "\t55d0 f (/a)\n\n"
	       "   DOM Worker 7 2.5: 3 cycles: \n"
	       "\t55d0 f (/a)\n",
	       "Web Content|4242|4250|3|1000001000|1000|cycles:u|f@/a\n"
	       "kdamond.0|-|143|1|3428551000|2|cycles|f@/a\n"
	       "DOM Worker|-|7|-|2500000000|3|cycles|f@/a\n");
}
END_TEST

START_TEST(pid_tid_cpu_and_time_precision)
{
	expect("a 10/11 [000] 1.123456789: 5 cpu-clock: \n\t1 f (/x)\n\n"
	       "a 11 1.123457: 5 cpu-clock: \n\t1 f (/x)\n\n"
	       "a 12 [7] 0.000001: cpu-clock: \n\t1 f (/x)\n",
	       "a|10|11|0|1123456789|5|cpu-clock|f@/x\n"
	       "a|-|11|-|1123457000|5|cpu-clock|f@/x\n"
	       "a|-|12|7|1000|-|cpu-clock|f@/x\n");
}
END_TEST

START_TEST(missing_time_period_or_event)
{
	/* perf script -F comm,tid,event / -F tid,ip,sym / -F comm,tid,period,event */
	expect("app 5 cycles: \n\t10 f (/x)\n\n"
	       "app 5 \n\t10 g (/x)\n\n"
	       "app 5 700 cycles: \n\t10 h (/x)\n\n"
	       "app 5 1.5: \n\t10 k\n",
	       "app|-|5|-|-|-|cycles|f@/x\n"
	       "app|-|5|-|-|-|-|g@/x\n"
	       "app|-|5|-|-|700|cycles|h@/x\n"
	       "app|-|5|-|1500000000|-|-|k@\n");
}
END_TEST

START_TEST(several_events_and_modifiers)
{
	expect("p 1 1.0: 100 cycles:u: \n\t1 f (/x)\n\n"
	       "p 1 1.1: 200 instructions:ppp: \n\t1 f (/x)\n\n"
	       "p 1 1.2: 300 cpu/event=0x3c,umask=0x0/u: \n\t1 f (/x)\n\n"
	       "p 1 1.3: 1 raw_syscalls:sys_enter: NR 0 (3, 7ffd, 40, 0, 0, 0)\n\t1 g (/x)\n\n"
	       "p 1 1.4: 1 sched:sched_switch: prev_comm=p prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n"
	       "\t1 schedule+0x10 ([kernel.kallsyms])\n",
	       "p|-|1|-|1000000000|100|cycles:u|f@/x\n"
	       "p|-|1|-|1100000000|200|instructions:ppp|f@/x\n"
	       "p|-|1|-|1200000000|300|cpu/event=0x3c,umask=0x0/u|f@/x\n"
	       "p|-|1|-|1300000000|1|raw_syscalls:sys_enter|g@/x\n"
	       "p|-|1|-|1400000000|1|sched:sched_switch|schedule@[kernel.kallsyms]\n");
}
END_TEST

START_TEST(frame_shapes)
{
	expect("p 1 1.0: 1 c: \n"
	       "\t7f00 [unknown] ([unknown])\n"
	       "\t7f01 inl_helper (inlined)\n"
	       "\t7f02 nodso_fn\n"
	       "\t7f03 in_spaces+0x1f (/opt/my app/lib x.so)\n"
	       "\t7f04 gone+0x2 (/tmp/a.out (deleted))\n"
	       "\t7f05\n"
	       "\t7f06 (/only/dso)\n",
	       "p|-|1|-|1000000000|1|c|[unknown]@[unknown];inl_helper@;nodso_fn@;"
	       "in_spaces@/opt/my app/lib x.so;gone@/tmp/a.out (deleted);[unknown]@;[unknown]@/only/dso\n");
}
END_TEST

START_TEST(language_symbols)
{
	expect("p 1 1.0: 1 c: \n"
	       "\t1 (anonymous namespace)::Matrix<double>::transpose()+0x40 (/bin/m)\n"
	       "\t2 std::vector<int, std::allocator<int> >::operator[](unsigned long)+0x9 (/bin/m)\n"
	       "\t3 alpha.constprop.0+0x11 (/bin/m)\n"
	       "\t4 net/http.(*Client).Do+0x5a (/bin/go)\n"
	       "\t5 <alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop+0x1 (/bin/rs)\n"
	       "\t6 _ZN4core3ptr13drop_in_place17h1a2b3c4d5e6f7a8bE+0x7 (/bin/rs)\n"
	       "\t7 Ljava/lang/String;::hashCode (/tmp/perf-99.map)\n"
	       "\t8 operator new(unsigned long)+0x1c (/usr/lib/libstdc++.so.6)\n"
	       "\t9 std::vector<int>::operator[](unsigned long)\n"
	       "\ta Interpreter+0x0 ([JIT] tid 99)\n",
	       "p|-|1|-|1000000000|1|c|"
	       "(anonymous namespace)::Matrix<double>::transpose()@/bin/m;"
	       "std::vector<int, std::allocator<int> >::operator[](unsigned long)@/bin/m;"
	       "alpha.constprop.0@/bin/m;"
	       "net/http.(*Client).Do@/bin/go;"
	       "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop@/bin/rs;"
	       "_ZN4core3ptr13drop_in_place17h1a2b3c4d5e6f7a8bE@/bin/rs;"
	       "Ljava/lang/String;::hashCode@/tmp/perf-99.map;"
	       "operator new(unsigned long)@/usr/lib/libstdc++.so.6;"
	       "std::vector<int>::operator[](unsigned long)@;"
	       "Interpreter@[JIT] tid 99\n");
}
END_TEST

START_TEST(srclines_follow_frames)
{
	/* perf script -F comm,pid,tid,time,period,event,ip,sym,dso,srcline --ns */
	expect("t 12180/12180   548.661237885:     250000 cpu-clock: \n"
	       "\tffffffff815a23d1 filemap_map_pages ([kernel.kallsyms])\n"
	       "  [kernel.kallsyms][ffffffff815a23d1]\n"
	       "\t            115b inner (/tmp/t)\n"
	       "  t.c:3\n"
	       "\t            11cc main (/tmp/t)\n"
	       "\t           2724a __libc_start_call_main (/usr/lib/libc.so.6)\n"
	       "  libc-start.c:74\n"
	       "\n",
	       "t|12180|12180|-|548661237885|250000|cpu-clock|"
	       "filemap_map_pages@[kernel.kallsyms]#[kernel.kallsyms][ffffffff815a23d1];"
	       "inner@/tmp/t#t.c:3;main@/tmp/t;__libc_start_call_main@/usr/lib/libc.so.6#libc-start.c:74\n");
}
END_TEST

/* Repeated frame lines come from a cache; a srcline after one still
 * makes a frame of its own. */
START_TEST(repeated_lines_with_and_without_srclines)
{
	expect("t 1 1.0: 1 c: \n\t1 f+0x1 (/x)\n  a.c:1\n\n"
	       "t 1 1.1: 1 c: \n\t1 f+0x1 (/x)\n\n"
	       "t 1 1.2: 1 c: \n\t1 f+0x1 (/x)\n  a.c:1\n\n"
	       "t 1 1.3: 1 c: \n\t1 f+0x1 (/x)\n\t2 f+0x1 (/x)\n  b.c:2\n",
	       "t|-|1|-|1000000000|1|c|f@/x#a.c:1\n"
	       "t|-|1|-|1100000000|1|c|f@/x\n"
	       "t|-|1|-|1200000000|1|c|f@/x#a.c:1\n"
	       "t|-|1|-|1300000000|1|c|f@/x;f@/x#b.c:2\n");
}
END_TEST

START_TEST(header_lines_and_clockid)
{
	struct parsed p;
	parse_text("# ========\n"
		   "# captured on    : Sun Nov 22 02:21:55 2026\n"
		   "# clockid frequency: 1000 MHz\n"
		   "# clockid: monotonic (1)\n"
		   "# ========\n"
		   "#\n"
		   "t 1 1.0: 1 cpu-clock: \n\t1 f (/x)\n", &p);
	ck_assert_int_eq(p.rc, 0);
	ck_assert_str_eq(p.text, "t|-|1|-|1000000000|1|cpu-clock|f@/x\n");
	ck_assert_int_eq(p.clock, DTR_CLOCK_MONOTONIC);

	parse_text("# clockid: realtime (0)\nt 1 1.0: 1 c: \n", &p);
	ck_assert_int_eq(p.clock, DTR_CLOCK_REALTIME);
	parse_text("t 1 1.0: 1 c: \n", &p);
	ck_assert_int_eq(p.clock, DTR_CLOCK_UNKNOWN);
}
END_TEST

START_TEST(last_sample_without_blank_line)
{
	expect("t 1 1.0: 1 c: \n\t1 f (/x)\n\t2 g (/x)", "t|-|1|-|1000000000|1|c|f@/x;g@/x\n");
	expect("t 1 1.0: 1 c: \r\n\t1 f (/x)\r\n", "t|-|1|-|1000000000|1|c|f@/x\n");
}
END_TEST

START_TEST(samples_without_callchains)
{
	/* perf record without -g; perf script -F comm,tid,time,ip,sym; -G */
	expect("tp 9   10.000001: 250000 cpu-clock:  55d1 sweep_alpha+0x2e (/tmp/tp)\n"
	       "tp 9   10.000251: 250000 cpu-clock:  55d2 sweep_beta+0x1 (/tmp/tp)\n"
	       "tp 9 10.000501:  55d3 sweep_gamma\n"
	       "12180  ffffffff815a23d1 filemap_map_pages+0x1d1 ([kernel.kallsyms])\n",
	       "tp|-|9|-|10000001000|250000|cpu-clock|sweep_alpha@/tmp/tp\n"
	       "tp|-|9|-|10000251000|250000|cpu-clock|sweep_beta@/tmp/tp\n"
	       "tp|-|9|-|10000501000|-|-|sweep_gamma@\n"
	       "|-|12180|-|-|-|-|filemap_map_pages@[kernel.kallsyms]\n");
}
END_TEST

START_TEST(frames_are_interned)
{
	const char *text = "t 1 1.0: 1 c: \n\t1 f+0x1 (/x)\n\t2 main+0x9 (/x)\n\n"
			   "t 1 1.1: 1 c: \n\t3 f+0x7 (/x)\n\t2 main+0x9 (/x)\n\n"
			   "t 1 1.2: 1 c: \n\t4 f (/y)\n\t5 main+0xa (/x)\n\n";
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	char err[256];
	uint32_t ids[3][2];
	ck_assert_int_eq(dt_perf_script_open_mem(&ps, text, strlen(text), "x", NULL, err,
						 sizeof(err)), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(dt_perf_script_next(ps, &s, err, sizeof(err)), 1);
		ck_assert_uint_eq(s.nr_frames, 2);
		ids[i][0] = s.frames[0];
		ids[i][1] = s.frames[1];
	}
	ck_assert_int_eq(dt_perf_script_next(ps, &s, err, sizeof(err)), 0);
	/* Ids in order of first appearance; one function is one frame. */
	ck_assert_uint_eq(ids[0][0], 0);
	ck_assert_uint_eq(ids[0][1], 1);
	ck_assert_uint_eq(ids[1][0], 0);
	ck_assert_uint_eq(ids[1][1], 1);
	ck_assert_uint_eq(ids[2][0], 2); /* same symbol, other dso */
	ck_assert_uint_eq(ids[2][1], 1);
	ck_assert_uint_eq(dt_perf_script_nr_frames(ps), 3);
	struct dtr_frame f;
	ck_assert_int_eq(dt_perf_script_frame(ps, 2, &f), 0);
	ck_assert_str_eq(f.symbol, "f");
	ck_assert_str_eq(f.dso, "/y");
	ck_assert_int_eq(dt_perf_script_frame(ps, 3, &f), -ENOENT);
	dt_perf_script_close(ps);
}
END_TEST

START_TEST(threads_are_interned)
{
	const char *text = "a 1/1 1.0: c: \n\nb 1/2 1.1: c: \n\na 1/1 1.2: c: \n\n"
			   "renamed 1/1 1.3: c: \n\n";
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	char err[256];
	int want_new[4] = { 1, 1, 0, 1 };
	uint32_t want_id[4] = { 0, 1, 0, 0 };
	ck_assert_int_eq(dt_perf_script_open_mem(&ps, text, strlen(text), "x", NULL, err,
						 sizeof(err)), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(dt_perf_script_next(ps, &s, err, sizeof(err)), 1);
		ck_assert_int_eq(s.thread_new, want_new[i]);
		ck_assert_uint_eq(s.thread_id, want_id[i]);
	}
	struct dtr_thread t;
	ck_assert_uint_eq(dt_perf_script_nr_threads(ps), 2);
	ck_assert_int_eq(dt_perf_script_thread(ps, 0, &t), 0);
	ck_assert_str_eq(t.comm, "renamed");
	ck_assert_int_eq(t.pid, 1);
	ck_assert_int_eq(t.tid, 1);
	dt_perf_script_close(ps);
}
END_TEST

START_TEST(garbage_is_an_error_with_its_line)
{
	struct parsed p;
	parse_text("t 1 1.0: 1 c: \n\t1 f (/x)\n\nhello world\n", &p);
	ck_assert_int_eq(p.rc, -EINVAL);
	ck_assert_msg(strstr(p.err, "snippet: line 4:") != NULL, "%s", p.err);
	ck_assert_str_eq(p.text, "t|-|1|-|1000000000|1|c|f@/x\n");

	parse_text("t 1 1.0: 1 c: \n\t1 f (/x)\nnot a frame at all\n", &p);
	ck_assert_int_eq(p.rc, -EINVAL);
	ck_assert_msg(strstr(p.err, "line 3") != NULL, "%s", p.err);

	parse_text("t 1 1.0: 1 c: \n\t1 f\0 (/x)\n", &p);
	/* strlen stops at the NUL: the text ends cleanly after "f". */
	ck_assert_int_eq(p.rc, 0);

	static const char bin[] = "t 1 1.0: 1 c: \n\t1 f\0zz\n";
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	char err[256];
	ck_assert_int_eq(dt_perf_script_open_mem(&ps, bin, sizeof(bin) - 1, "bin", NULL, err,
						 sizeof(err)), 0);
	ck_assert_int_eq(dt_perf_script_next(ps, &s, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "bin: line 2: binary data") != NULL, "%s", err);
	dt_perf_script_close(ps);
}
END_TEST

START_TEST(oddities_are_skipped_and_counted)
{
	struct parsed p;
	parse_text("\t1 stray_frame (/x)\n\n"
		   "perf 77/77 [000] 0.5: PERF_RECORD_MMAP2 77/77: [0x1000(0x2000) @ 0 fd:01 5 0]: r-xp /bin/perf\n"
		   "t 1 1.0: 1 c: \n\t1 f (/x)\n", &p);
	ck_assert_int_eq(p.rc, 0);
	ck_assert_str_eq(p.text, "t|-|1|-|1000000000|1|c|f@/x\n");
	ck_assert_uint_eq(p.stats.skipped_lines, 2);
	ck_assert_uint_eq(p.stats.first_skipped_line, 1);
	ck_assert_uint_eq(p.stats.samples, 1);
}
END_TEST

START_TEST(frames_indented_by_spaces_or_nothing)
{
	/* Text that went through an editor or mail: the tab became spaces or
	 * went away.  A header after frames (no blank line) still starts a
	 * sample, even with a comm that reads as an address. */
	expect("p 1 1.0: 1 c: \n"
	       "    7f00 f+0x1 (/x)\n"
	       "  7f01 g (/x)\n"
	       "7f02 main (/x)\n"
	       "cafe 2 1.1: 1 c: \n"
	       "7f03 h (/x)\n"
	       "        beef 3 [000] 1.2: 1 c: \n"
	       " 7f04 (anonymous namespace)::k (/x)\n"
	       "\t7f05 main (/x)\n",
	       "p|-|1|-|1000000000|1|c|f@/x;g@/x;main@/x\n"
	       "cafe|-|2|-|1100000000|1|c|h@/x\n"
	       "beef|-|3|0|1200000000|1|c|(anonymous namespace)::k@/x;main@/x\n");
	/* A space-indented line whose first word is no address is the
	 * source line of the frame above it. */
	expect("p 1 1.0: 1 c: \n    7f00 f (/x)\n  f.c:12\n\t7f01 g (/x)\n\tg.c:3\n",
	       "p|-|1|-|1000000000|1|c|f@/x#f.c:12;g@/x#g.c:3\n");
}
END_TEST

START_TEST(each_sample_keeps_its_own_comm)
{
	/* One thread before and after exec: the sample's own comm, while the
	 * thread (for records) takes the latest name. */
	expect("exec_first 5 1.0: 1 c: \n\t1 f (/x)\n\n"
	       "exec_second 5 1.1: 1 c: \n\t1 f (/x)\n\n",
	       "exec_first|-|5|-|1000000000|1|c|f@/x\n"
	       "exec_second|-|5|-|1100000000|1|c|f@/x\n");
}
END_TEST

START_TEST(unknown_frames_keep_their_address_on_request)
{
	const char *text = "p 1 1.0: 1 c: \n\t11e1 [unknown] (/lib/h.so)\n\t7f00 f (/x)\n"
			   "\t1187 [unknown] ([unknown])\n\n";
	struct dt_perf_script_opts o = { .unknown_addrs = 1 };
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	struct dtr_frame f;
	char err[256];
	ck_assert_int_eq(dt_perf_script_open_mem(&ps, text, strlen(text), "x", &o, err,
						 sizeof(err)), 0);
	ck_assert_int_eq(dt_perf_script_next(ps, &s, err, sizeof(err)), 1);
	ck_assert_uint_eq(s.nr_frames, 3);
	dt_perf_script_frame(ps, s.frames[0], &f);
	ck_assert_str_eq(f.symbol, "[unknown <11e1>]");
	ck_assert_str_eq(f.dso, "/lib/h.so");
	dt_perf_script_frame(ps, s.frames[1], &f);
	ck_assert_str_eq(f.symbol, "f");
	dt_perf_script_frame(ps, s.frames[2], &f);
	ck_assert_str_eq(f.symbol, "[unknown <1187>]");
	dt_perf_script_close(ps);
}
END_TEST

START_TEST(event_choice_takes_one_event)
{
	struct dt_perf_event_choice c;
	char notice[256];
	ck_assert_int_eq(dt_perf_event_choice_init(&c, NULL), 0);
	ck_assert_int_eq(dt_perf_event_choice_notice(&c, "t", notice, sizeof(notice)), 0);
	ck_assert_int_eq(dt_perf_event_choice_take(&c, "cpu-clock"), 1);
	ck_assert_int_eq(dt_perf_event_choice_take(&c, "task-clock"), 0);
	ck_assert_int_eq(dt_perf_event_choice_take(&c, "cpu-clock"), 1);
	ck_assert_int_eq(dt_perf_event_choice_take(&c, ""), 1); /* no event printed */
	ck_assert_int_eq(dt_perf_event_choice_take(&c, "task-clock"), 0);
	ck_assert_int_eq(dt_perf_event_choice_take(&c, "cycles:u"), 0);
	ck_assert_int_eq(dt_perf_event_choice_notice(&c, "t.txt", notice, sizeof(notice)), 1);
	ck_assert_str_eq(notice, "t.txt: samples of cpu-clock only, the first event; left out "
				 "3 samples of task-clock, cycles:u (--event NAME chooses)");
	dt_perf_event_choice_free(&c);

	ck_assert_int_eq(dt_perf_event_choice_init(&c, "task-clock"), 0);
	ck_assert_int_eq(dt_perf_event_choice_take(&c, "cpu-clock"), 0);
	ck_assert_int_eq(dt_perf_event_choice_take(&c, "task-clock"), 1);
	ck_assert_uint_eq(c.left, 1);
	ck_assert_str_eq(c.others, "cpu-clock");
	/* Named: nothing to tell. */
	ck_assert_int_eq(dt_perf_event_choice_notice(&c, "t.txt", notice, sizeof(notice)), 0);
	dt_perf_event_choice_free(&c);
}
END_TEST

/* The same text through a descriptor and a 4 KiB buffer (many refills,
 * lines split across reads) gives the same samples as from memory. */
START_TEST(small_buffer_refills)
{
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	ck_assert_ptr_nonnull(text);
	for (int i = 0; len + 512 < cap; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"worker %d/%d [%03d] %d.%06d: %d cpu-clock: \n"
					"\t%x fn_%d+0x%x (/usr/lib/libx%d.so)\n"
					"\t%x main+0x1 (/bin/app)\n\n",
					100 + i % 3, 200 + i % 5, i % 4, i / 1000, i % 1000000, 250000,
					0x1000 + i, i % 97, i % 13, i % 5, 0x2000 + i);
	char path[] = "/tmp/dt-perf-script-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	unlink(path);

	struct dt_perf_script *a, *b;
	struct dt_perf_sample sa, sb;
	struct dt_perf_script_opts small = { .buffer_bytes = 4096, .max_line_bytes = 4096 };
	char err[256];
	ck_assert_int_eq(dt_perf_script_open_mem(&a, text, len, "mem", NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(dt_perf_script_open_fd(&b, fd, "fd", "", 0, &small, err, sizeof(err)), 0);
	uint64_t n = 0;
	for (;;) {
		int ra = dt_perf_script_next(a, &sa, err, sizeof(err));
		int rb = dt_perf_script_next(b, &sb, err, sizeof(err));
		ck_assert_msg(ra == rb, "sample %" PRIu64 ": %d vs %d (%s)", n, ra, rb, err);
		if (ra <= 0)
			break;
		ck_assert_uint_eq(sa.time_ns, sb.time_ns);
		ck_assert_int_eq(sa.tid, sb.tid);
		ck_assert_uint_eq(sa.nr_frames, sb.nr_frames);
		ck_assert_mem_eq(sa.frames, sb.frames, sa.nr_frames * sizeof(uint32_t));
		ck_assert_str_eq(sa.comm, sb.comm);
		n++;
	}
	ck_assert_uint_gt(n, 5000);
	struct dt_perf_script_stats st;
	dt_perf_script_stats(b, &st);
	ck_assert_uint_eq(st.samples, n);
	ck_assert_uint_eq(st.bytes, len);
	dt_perf_script_close(a);
	dt_perf_script_close(b);
	close(fd);
	free(text);
}
END_TEST

START_TEST(overlong_line_is_an_error)
{
	size_t len = 10000;
	char *text = malloc(len + 1);
	ck_assert_ptr_nonnull(text);
	memcpy(text, "t 1 1.0: 1 c: \n\t1 ", 18);
	memset(text + 18, 'x', len - 18);
	text[len] = '\0';
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	ck_assert_int_eq(write(fds[1], text, 8000), 8000);
	close(fds[1]);
	struct dt_perf_script *ps;
	struct dt_perf_sample s;
	struct dt_perf_script_opts o = { .buffer_bytes = 4096, .max_line_bytes = 4096 };
	char err[256];
	ck_assert_int_eq(dt_perf_script_open_fd(&ps, fds[0], "long", NULL, 0, &o, err,
						sizeof(err)), 0);
	ck_assert_int_eq(dt_perf_script_next(ps, &s, err, sizeof(err)), -E2BIG);
	ck_assert_msg(strstr(err, "long: line 2") != NULL, "%s", err);
	dt_perf_script_close(ps);
	close(fds[0]);
	free(text);
}
END_TEST

START_TEST(probe_recognizes_samples)
{
	static const char yes[] = "# comment\n\n t 1 1.0: 1 cpu-clock: \n\t1 f (/x)\n";
	static const char damon[] = " kdamond.0 143 [001] 3.428551: damon:damon_aggregated: target_id=0 nr_regions=10 4194304-105574400: 0 1\n";
	static const char json[] = "[{\"kdamond_idx\": 0}]";
	ck_assert_int_eq(dt_perf_script_probe(yes, sizeof(yes) - 1), 1);
	ck_assert_int_eq(dt_perf_script_probe(damon, sizeof(damon) - 1), 1);
	ck_assert_int_eq(dt_perf_script_probe(json, sizeof(json) - 1), 0);
	ck_assert_int_eq(dt_perf_script_probe("", 0), 0);
}
END_TEST

Suite *perf_script_suite(void)
{
	Suite *s = suite_create("perf_script");
	TCase *tc = tcase_create("variants");
	tcase_add_test(tc, default_callchain_output);
	tcase_add_test(tc, comm_with_spaces_and_padding);
	tcase_add_test(tc, pid_tid_cpu_and_time_precision);
	tcase_add_test(tc, missing_time_period_or_event);
	tcase_add_test(tc, several_events_and_modifiers);
	tcase_add_test(tc, frame_shapes);
	tcase_add_test(tc, language_symbols);
	tcase_add_test(tc, srclines_follow_frames);
	tcase_add_test(tc, repeated_lines_with_and_without_srclines);
	tcase_add_test(tc, header_lines_and_clockid);
	tcase_add_test(tc, last_sample_without_blank_line);
	tcase_add_test(tc, samples_without_callchains);
	tcase_add_test(tc, frames_are_interned);
	tcase_add_test(tc, threads_are_interned);
	tcase_add_test(tc, garbage_is_an_error_with_its_line);
	tcase_add_test(tc, oddities_are_skipped_and_counted);
	tcase_add_test(tc, small_buffer_refills);
	tcase_add_test(tc, overlong_line_is_an_error);
	tcase_add_test(tc, probe_recognizes_samples);
	tcase_add_test(tc, frames_indented_by_spaces_or_nothing);
	tcase_add_test(tc, each_sample_keeps_its_own_comm);
	tcase_add_test(tc, unknown_frames_keep_their_address_on_request);
	tcase_add_test(tc, event_choice_takes_one_event);
	suite_add_tcase(s, tc);
	return s;
}
