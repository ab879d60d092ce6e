// SPDX-License-Identifier: GPL-2.0-only
// perf fixture workload: C++ names for folded-stack rules (overloads, templates, anonymous namespaces, operator->, a lambda in std::function).
/*
 * Each part spins for argument 1 milliseconds (default 60) in a function
 * whose demangled name perf prints with an argument list:
 *   (anonymous namespace)::Matrix<double>::transpose()   (and Matrix<float>)
 *   outer::(anonymous namespace)::helper(double)
 *   scale(double, int) and scale(double, double)          (overloads)
 *   double dot<double>(std::vector<double...> const&, ...) (function template)
 *   Checked::operator->()                                  (an operator with "->")
 *   main::{lambda(double)#1}::operator()(double) const     (through std::function)
 * Build: c++ -O1 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-inline.
 */
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

static double ms_arg = 60;

static bool time_left(std::chrono::steady_clock::time_point end)
{
	return std::chrono::steady_clock::now() < end;
}

static std::chrono::steady_clock::time_point deadline()
{
	return std::chrono::steady_clock::now() +
	       std::chrono::microseconds(static_cast<long>(ms_arg * 1000));
}

namespace {
template <typename T> class Matrix {
public:
	explicit Matrix(size_t n) : n_(n), a_(n * n)
	{
		for (size_t i = 0; i < n * n; i++)
			a_[i] = static_cast<T>(i % 7);
	}
	void transpose()
	{
		for (size_t i = 0; i < n_; i++)
			for (size_t j = i + 1; j < n_; j++) {
				T t = a_[i * n_ + j];
				a_[i * n_ + j] = a_[j * n_ + i];
				a_[j * n_ + i] = t;
			}
	}
	T trace() const
	{
		T s = 0;
		for (size_t i = 0; i < n_; i++)
			s += a_[i * n_ + i];
		return s;
	}

private:
	size_t n_;
	std::vector<T> a_;
};
} // namespace

namespace outer {
namespace {
double helper(double x)
{
	auto end = deadline();
	while (time_left(end))
		for (int i = 0; i < 10000; i++)
			x = x * 0.999999 + 1e-9;
	return x;
}
} // namespace
double run_helper(double x)
{
	return helper(x);
}
} // namespace outer

double scale(double x, int k)
{
	auto end = deadline();
	while (time_left(end))
		for (int i = 0; i < 10000; i++)
			x = x * k / (k + 1e-12);
	return x;
}

double scale(double x, double f)
{
	auto end = deadline();
	while (time_left(end))
		for (int i = 0; i < 10000; i++)
			x = x * f + 1e-9;
	return x;
}

template <typename T> T dot(const std::vector<T> &a, const std::vector<T> &b)
{
	T s = 0;
	auto end = deadline();
	while (time_left(end))
		for (size_t i = 0; i < a.size(); i++)
			s += a[i] * b[i];
	return s;
}

// A pointer that checks its matrix (sums its diagonal) on every ->.
struct Checked {
	Matrix<double> *m;
	double seen = 0;
	Matrix<double> *operator->()
	{
		for (int k = 0; k < 200; k++)
			seen += m->trace();
		return m;
	}
};

template <typename T> static double transpose_for(size_t n)
{
	Matrix<T> m(n);
	auto end = deadline();
	while (time_left(end))
		m.transpose();
	return m.trace();
}

static double checked_transposes(size_t n)
{
	Matrix<double> m(n);
	Checked c{&m};
	auto end = deadline();
	while (time_left(end))
		c->transpose();
	return c.seen;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		ms_arg = atof(argv[1]);
	double r = 0;
	r += transpose_for<double>(300);
	r += transpose_for<float>(300);
	r += outer::run_helper(1.0);
	r += scale(2.0, 3);
	r += scale(2.0, 1.0000001);
	std::vector<double> a(4096, 1.5), b(4096, 2.5);
	r += dot(a, b);
	r += checked_transposes(200);
	std::function<double(double)> f = [](double x) {
		auto end = deadline();
		while (time_left(end))
			for (int i = 0; i < 10000; i++)
				x = x * 0.5 + 1.0;
		return x;
	};
	r += f(3.0);
	std::printf("%g\n", r);
	return 0;
}
