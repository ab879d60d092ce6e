# SPDX-License-Identifier: GPL-2.0-only
"""convert/util/pyfloat.c's fast search decides every double on its own.

It scales each bound x of a double's rounding interval to t = x 2^q / 10^k
with a 126-bit power of ten that is off by less than 2^-67 in t, and
decides t's floor from the product unless t lies within 2^-66 of an
integer without being one.  This counts, for every binade, the bounds
(every integer between the lowest and the highest, a superset) whose t is
that close, exactly: #{x in [A, B] : x P mod Q < T} is a difference of two
floor sums, computed by the Euclid-like reduction.  Prints the closest
non-integer t found, exits 1 if any bound is too close.
"""
import math
import random
import sys


def floor_sum(n, m, a, b):
    """sum of floor((a i + b) / m) for i in [0, n), n >= 0, m >= 1."""
    total = 0
    while True:
        if a < 0 or a >= m:
            total += n * (n - 1) // 2 * (a // m)
            a %= m
        if b < 0 or b >= m:
            total += n * (b // m)
            b %= m
        y = a * n + b
        if y < m:
            return total
        n, b = y // m, y % m
        m, a = a, m


def count_below(p, q, lo, hi, t):
    """#{x in [lo, hi] : x p mod q < t} for 0 < t <= q."""
    n = hi - lo + 1
    return floor_sum(n, q, p, p * lo) - floor_sum(n, q, p, p * lo - t)


def pow10_at_most(k, num, den):
    """10^k <= num / den."""
    return den * 10**k <= num if k >= 0 else den <= num * 10**-k


def floor_log10(num, den):
    """floor(log10(num / den)), exactly (what the unit tests check the C
    integer logarithms against)."""
    k = (num.bit_length() - den.bit_length()) * 30103 // 100000
    while not pow10_at_most(k, num, den):
        k -= 1
    while pow10_at_most(k + 1, num, den):
        k += 1
    return k


def ratio(q, k):
    """2^q / 10^k in lowest terms."""
    p, d = (1 << q, 1) if q >= 0 else (1, 1 << -q)
    p, d = (p, d * 10**k) if k >= 0 else (p * 10**-k, d)
    g = math.gcd(p, d)
    return p // g, d // g


def too_close(q, k, lo, hi, bits=66):
    """How many x in [lo, hi] have x 2^q / 10^k within 2^-bits of an
    integer without being one."""
    p, d = ratio(q, k)
    if d <= 1 << bits:  # every non-integer is at least 1/d away
        return 0
    above = -(-d // (1 << bits))  # residues below this: too close above
    below = d - d // (1 << bits)  # residues from this on: too close below
    n = hi - lo + 1
    close = (count_below(p, d, lo, hi, above) - count_below(p, d, lo, hi, 1) +
             n - count_below(p, d, lo, hi, below))
    return close


def self_check():
    rng = random.Random(7)
    for _ in range(3000):
        d = rng.randint(1, 400)
        p = rng.randint(0, 3 * d)
        lo = rng.randint(0, 60)
        hi = lo + rng.randint(0, 90)
        t = rng.randint(1, d)
        want = sum(1 for x in range(lo, hi + 1) if x * p % d < t)
        if count_below(p, d, lo, hi, t) != want:
            sys.exit("floor sums disagree with counting")


def main():
    self_check()
    top = 4 * ((1 << 53) - 1) + 2
    close = 0
    closest_bits = 0
    for biased in range(0, 2047):
        if biased == 1:
            continue  # same q as the subnormals, checked with them
        q = -1074 if biased == 0 else biased - 1075
        # bounds 4c - 2, 4c, 4c + 2 of every c in the binade (subnormals:
        # c from 1), symmetric interval: 10^k <= 2^q
        lo = 2 if biased == 0 else 4 * (1 << 52) - 2
        k = floor_log10(*((1 << q, 1) if q >= 0 else (1, 1 << -q)))
        close += too_close(q, k, lo, top)
        for bits in range(closest_bits + 1, 67):
            if too_close(q, k, lo, top, bits) == 0:
                break
            closest_bits = bits
        if biased >= 2:
            # a power of two: 4c - 1, 4c, 4c + 2, 10^k <= 3 2^(q-2)
            c = 1 << 52
            k = floor_log10(*((3 << q, 4) if q >= 0 else (3, 4 << -q)))
            for x in (4 * c - 1, 4 * c, 4 * c + 2):
                close += too_close(q, k, x, x)
    print(f"closest non-integer scaled bound: within 2^-{closest_bits} of an integer, "
          f"not within 2^-66")
    if close:
        sys.exit(f"{close} bounds within 2^-66 of an integer")


main()
