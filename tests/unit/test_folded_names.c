// SPDX-License-Identifier: GPL-2.0-only
/*
 * Folded frame and process names: stackcollapse-perf.pl's rules (the names
 * on the right are what the script writes at FlameGraph 41fee1f, but where
 * a comment says damotrace keeps the name whole on purpose).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "folded_names.h"

static const struct dt_folded_naming plain;

/* The folded name of (symbol, dso), "<dropped>" when the frame goes. */
static void expect_named(const char *symbol, const char *dso, int java,
			 const struct dt_folded_naming *n, const char *want)
{
	struct dt_fbuf b = { NULL, 0, 0 };
	int rc = dt_folded_frame(&b, symbol, dso, java, n);
	ck_assert_int_ge(rc, 0);
	ck_assert_msg(!strcmp(rc == 1 ? "<dropped>" : b.p ? b.p : "", want),
		      "%s (%s): got '%s', want '%s'", symbol, dso, rc == 1 ? "<dropped>" : b.p,
		      want);
	free(b.p);
}

START_TEST(argument_lists_are_cut)
{
	expect_named("scale(double, int)", "/x", 0, &plain, "scale");
	expect_named("double dot<double>(std::vector<double> const&)", "/x", 0, &plain,
		     "double dot<double>");
	expect_named("JavaCalls::call_helper(JavaValue*, methodHandle const&)", "/x", 0, &plain,
		     "JavaCalls::call_helper");
	expect_named("outer::(anonymous namespace)::helper(double)", "/x", 0, &plain,
		     "outer::(anonymous namespace)::helper");
	/* Go methods keep their parentheses. */
	expect_named("net/http.(*conn).serve", "/x", 0, &plain, "net/http.(*conn).serve");
	/* --keep-args */
	struct dt_folded_naming keep = { .keep_args = 1 };
	expect_named("scale(double, int)", "/x", 0, &keep, "scale(double, int)");
}
END_TEST

START_TEST(templates_and_namespaces_stay_whole)
{
	/* The script writes "std::function<double ", "main::{lambda" and drops
	 * the frame of "(anonymous namespace)::Matrix<double>::transpose":
	 * damotrace keeps these names whole (damo-stacks(1)). */
	expect_named("std::function<double (double)>::operator()", "/x", 0, &plain,
		     "std::function<double (double)>::operator()");
	expect_named("main::{lambda(double)#1}::operator()(double) const", "/x", 0, &plain,
		     "main::{lambda(double)#1}::operator()");
	expect_named("(anonymous namespace)::Matrix<double>::transpose() const", "/x", 0, &plain,
		     "(anonymous namespace)::Matrix<double>::transpose");
	expect_named("std::operator<< <std::char_traits<char> >(std::ostream&, char const*)", "/x",
		     0, &plain, "std::operator<< <std::char_traits<char> >");
	expect_named("bool operator< <int>(A<int> const&, A<int> const&)", "/x", 0, &plain,
		     "bool operator< <int>");
	/* "operator->" is a name, not an inline chain. */
	expect_named("Checked::operator->", "/x", 0, &plain, "Checked::operator->");
	expect_named("Checked::operator->()", "/x", 0, &plain, "Checked::operator->");
	/* Brackets that do not balance: the script's cut. */
	expect_named("RegExp:a<b(c)", "/x", 0, &plain, "RegExp:a<b");
	/* Other names starting with '(' are dropped, as by the script. */
	expect_named("(deleted)", "/x", 0, &plain, "<dropped>");
}
END_TEST

START_TEST(unknown_symbols_name_their_dso)
{
	expect_named("[unknown]", "/tmp/w/libperfhidden.so", 0, &plain, "[libperfhidden.so]");
	expect_named("[unknown]", "[vdso]", 0, &plain, "[[vdso]]");
	expect_named("[unknown]", "[unknown]", 0, &plain, "[unknown]");
	expect_named("[unknown]", "", 0, &plain, "[unknown]");
	struct dt_folded_naming addrs = { .addrs = 1 };
	expect_named("[unknown <11e1>]", "/tmp/w/libperfhidden.so", 0, &addrs,
		     "[libperfhidden.so <11e1>]");
	expect_named("[unknown <7f00>]", "[unknown]", 0, &addrs, "[unknown <7f00>]");
	expect_named("[unknown <11e1>]", "/tmp/w/libperfhidden.so", 0, &plain,
		     "[libperfhidden.so]");
}
END_TEST

START_TEST(java_and_jit_names)
{
	expect_named("Lcom/example/Server;::handle", "/tmp/perf-4242.map", 1, &plain,
		     "com/example/Server:::handle");
	expect_named("Lcom/example/Server;::handle", "/tmp/perf-4242.map", 0, &plain,
		     "Lcom/example/Server:::handle");
	expect_named("Lorg/mozilla/javascript/ContextFactory;.call(Lorg/x;)Ljava/lang/Object;",
		     "/tmp/perf-4242.map", 1, &plain, "org/mozilla/javascript/ContextFactory:.call");
	expect_named("LazyCompile:~\"escapeHtml\" /srv/app/html.js:7", "/tmp/perf-9.map", 0,
		     &plain, "LazyCompile:~escapeHtml /srv/app/html.js:7");
	expect_named("RegExp:[&<>\\\"\\']", "/tmp/perf-9.map", 0, &plain, "RegExp:[&<>\\\\]");
	struct dt_folded_naming all = { .kernel = 1, .jit = 1 };
	expect_named("f", "/tmp/perf-9.map", 0, &all, "f_[j]");
	expect_named("do_syscall_64", "[kernel.kallsyms]", 0, &all, "do_syscall_64_[k]");
	expect_named("tcp_sendmsg", "/lib/modules/4.3/build/vmlinux", 0, &all, "tcp_sendmsg_[k]");
	expect_named("[unknown]", "[unknown]", 0, &all, "[unknown]");
	expect_named("[unknown]", "[vdso]", 0, &all, "[[vdso]]_[k]");
	expect_named("f", "/usr/lib/libc.so.6", 0, &all, "f");
}
END_TEST

START_TEST(inline_chains_split)
{
	expect_named("outer->inner->leaf", "/x", 0, &plain, "outer;inner_[i];leaf_[i]");
	expect_named("outer->", "/x", 0, &plain, "outer");
	expect_named("a;b", "/x", 0, &plain, "a:b");
}
END_TEST

START_TEST(process_names)
{
	struct {
		const char *comm;
		int32_t pid, tid;
		int with_pid, with_tid;
		const char *want;
	} cases[] = {
		{ "V8 WorkerThread", 1, 2, 0, 0, "V8_WorkerThread" },
		{ "app", -1, 7, 1, 0, "app-?" },
		{ "app", 5, 7, 1, 0, "app-5" },
		{ "app", -1, 7, 0, 1, "app-?/7" },
		{ "Pool 2 worker", 5, 8, 1, 1, "Pool_2_worker-5/8" },
		{ "", 5, 8, 0, 0, "[unknown]" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dt_fbuf b = { NULL, 0, 0 };
		ck_assert_int_eq(dt_folded_process(&b, cases[i].comm, cases[i].pid, cases[i].tid,
						   cases[i].with_pid, cases[i].with_tid), 0);
		ck_assert_str_eq(b.p, cases[i].want);
		free(b.p);
	}
}
END_TEST

Suite *folded_names_suite(void)
{
	Suite *s = suite_create("folded_names");
	TCase *tc = tcase_create("rules");
	tcase_add_test(tc, argument_lists_are_cut);
	tcase_add_test(tc, templates_and_namespaces_stay_whole);
	tcase_add_test(tc, unknown_symbols_name_their_dso);
	tcase_add_test(tc, java_and_jit_names);
	tcase_add_test(tc, inline_chains_split);
	tcase_add_test(tc, process_names);
	suite_add_tcase(s, tc);
	return s;
}
