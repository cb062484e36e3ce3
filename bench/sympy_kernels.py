#!/usr/bin/env python3
"""SymPy's times for the inputs of PolynomialBenchmarks.cs (optional: needs python3-sympy).
Run: python3 bench/sympy_kernels.py — prints the median of 5 runs of each, in milliseconds."""
import statistics, time
from sympy import symbols, expand, gcd, factor_list, sympify

x, y, z = symbols("x y z")

def median_ms(f, runs=5):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)

for k, m in [(5, 5), (5, 8), (10, 10)]:
    g = (1 + x + y + z)**k + 1
    a = expand(g * ((x + 2*y - z + 3)**m + 1))
    b = expand(g * ((2*x - y + z - 1)**m - x))
    print(f"gcd {k}+{m}: {median_ms(lambda: gcd(a, b)):.1f} ms")

for text in ["x**30 - 1", "x**60 - 1", "x**120 - 1", "x**8 - 40*x**6 + 352*x**4 - 960*x**2 + 576",
             "(x**4 + 3*x + 1)*(x**4 - 2*x**3 + 5)*(3*x**4 + x**2 - 7)*(x**4 + x**3 + x**2 + x - 11)"]:
    p = expand(sympify(text))
    print(f"factor {text}: {median_ms(lambda: factor_list(p)):.1f} ms")
