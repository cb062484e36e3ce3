# Reference values of every primitive at fixed points, computed with mpmath at 50 digits: the facet
# test's value oracle, independent of the rows' own formulas. Regenerate (only when a row is added):
#   python3 tests/Hybrid.Tapes.Tests/data/primitive_references.py > tests/Hybrid.Tapes.Tests/data/primitive_references.json
# The tests need only the JSON.
import json
import mpmath as m

m.mp.dps = 50
sgn = lambda x: m.mpf(0) if x == 0 else m.sign(x)
rows = {
    "exp": (m.exp, [[-3.5], [0.25], [1e-17], [2.75], [700.0]]),
    "log": (m.log, [[0.1], [0.5], [1.0000001], [3.7], [1e300]]),
    "sin": (m.sin, [[-2.5], [0.3], [1e-9], [3.0], [100.0]]),
    "cos": (m.cos, [[-2.5], [0.3], [1.5], [3.0], [100.0]]),
    "tan": (m.tan, [[-1.2], [0.3], [1e-9], [1.5]]),
    "cot": (m.cot, [[0.2], [1.0], [2.5], [-0.7]]),
    "sec": (m.sec, [[-1.2], [0.3], [1.0]]),
    "csc": (m.csc, [[0.2], [1.0], [2.5]]),
    "asin": (m.asin, [[-0.9], [0.3], [1e-12], [0.99]]),
    "acos": (m.acos, [[-0.9], [0.3], [0.99]]),
    "atan": (m.atan, [[-3.0], [0.3], [1e-12], [50.0]]),
    "acot": (lambda x: m.atan(1 / x), [[-3.0], [0.3], [50.0]]),
    "asec": (lambda x: m.acos(1 / x), [[-3.0], [1.1], [50.0]]),
    "acsc": (lambda x: m.asin(1 / x), [[-3.0], [1.1], [50.0]]),
    "atan2": (m.atan2, [[1.0, 2.0], [-0.5, -1.5], [2.0, -0.3], [-1e-3, 4.0]]),
    "hypot": (lambda x, y: m.sqrt(x * x + y * y), [[3.0, 4.0], [-0.5, 1.25], [1e200, 1e200], [1e-200, -2e-200]]),
    "sinh": (m.sinh, [[-2.0], [1e-9], [0.7], [3.0]]),
    "cosh": (m.cosh, [[-2.0], [0.7], [3.0]]),
    "tanh": (m.tanh, [[-2.0], [1e-9], [0.7], [20.0]]),
    "coth": (m.coth, [[-2.0], [0.2], [3.0]]),
    "sech": (m.sech, [[-2.0], [0.7], [3.0]]),
    "csch": (m.csch, [[-2.0], [0.2], [3.0]]),
    "asinh": (m.asinh, [[-2.0], [0.7], [3.0], [1e-9]]),
    "acosh": (m.acosh, [[1.1], [2.0], [40.0]]),
    "atanh": (m.atanh, [[-0.9], [0.3], [1e-9], [0.99]]),
    "acoth": (lambda x: m.atanh(1 / x), [[-3.0], [1.1], [40.0]]),
    "abs": (abs, [[-2.5], [0.75]]),
    "sign": (sgn, [[-2.5], [0.75]]),
    "relu": (lambda x: max(x, 0), [[-2.5], [0.75]]),
    "sigmoid": (lambda x: 1 / (1 + m.exp(-x)), [[-800.0], [-3.0], [0.5], [4.0], [40.0]]),
    "softplus": (lambda x: m.log(1 + m.exp(x)), [[-800.0], [-3.0], [0.5], [4.0], [800.0]]),
    "log1p": (m.log1p, [[1e-17], [-0.5], [1e-5], [3.0], [-1e-10]]),
    "expm1": (m.expm1, [[1e-17], [-0.5], [1e-5], [3.0], [-1e-10], [-40.0]]),
    "erf": (m.erf, [[1e-10], [-0.5], [0.3], [1.7], [4.5]]),
    "erfc": (m.erfc, [[-0.5], [0.3], [1.7], [10.0], [26.0]]),
    "floor": (m.floor, [[-2.5], [0.75], [3.25]]),
    "ceil": (m.ceil, [[-2.5], [0.75], [3.25]]),
    "round": (lambda x: m.nint(x), [[-2.7], [0.25], [3.6]]),
    "lt": (lambda a, b: 1 if a < b else 0, [[1.0, 2.0], [2.0, 1.0]]),
    "le": (lambda a, b: 1 if a <= b else 0, [[1.0, 2.0], [2.0, 1.0]]),
    "gt": (lambda a, b: 1 if a > b else 0, [[1.0, 2.0], [2.0, 1.0]]),
    "ge": (lambda a, b: 1 if a >= b else 0, [[1.0, 2.0], [2.0, 1.0]]),
    "where": (lambda c, a, b: a if c != 0 else b, [[1.0, 2.5, -1.0], [0.0, 2.5, -1.0]]),
    "max": (max, [[1.0, 2.0], [-2.0, -3.0]]),
    "min": (min, [[1.0, 2.0], [-2.0, -3.0]]),
}
out = {}
for name, (f, points) in rows.items():
    out[name] = [{"at": p, "value": float(f(*[m.mpf(v) for v in p]))} for p in points]
print(json.dumps(out, indent=1))
