#!/usr/bin/env python3
"""SymPy's side of the size target of issue 13 (optional: needs python3-sympy).
For each public corpus pair, the tree size of simplify(diff(F)) counted as Hybrid's Expr.TreeSize
counts (one per node: Add, Mul, Pow, function, symbol, number), or null when SymPy took more than the
time limit. Writes bench/sympy_sizes.json, which `dotnet run -c Release --project bench -- simplify`
reads to print the ratio. Run: python3 bench/sympy_sizes.py [seconds per pair, default 10]"""
import json, multiprocessing, os, signal, sys
from sympy import Symbol, diff, simplify, sympify

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "tests", "Hybrid.Symbolic.Tests", "data", "public.jsonl")
LIMIT = int(sys.argv[1]) if len(sys.argv) > 1 else 10

def size(e):
    return 1 + sum(size(a) for a in e.args)

def alarm(signum, frame):
    raise TimeoutError()

def measure(line):
    entry = json.loads(line)
    signal.signal(signal.SIGALRM, alarm)
    signal.alarm(LIMIT)
    try:
        F = sympify(entry["F"], locals={v: Symbol(v) for v in entry["vars"]})
        return entry["id"], size(simplify(diff(F, Symbol(entry["x"]))))
    except Exception:
        return entry["id"], None
    finally:
        signal.alarm(0)

if __name__ == "__main__":
    with open(CORPUS) as f:
        lines = [l for l in f if l.strip()]
    with multiprocessing.Pool(2, maxtasksperchild=20) as pool:
        sizes = dict(pool.imap(measure, lines, chunksize=4))
    with open(os.path.join(HERE, "sympy_sizes.json"), "w") as f:
        json.dump(sizes, f, indent=0, sort_keys=True)
    print(f"{sum(v is not None for v in sizes.values())} of {len(sizes)} measured (limit {LIMIT} s)")
