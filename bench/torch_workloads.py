#!/usr/bin/python3
"""PyTorch side of the Tensor workloads (WORKLOADS.md W1 vectorized, W2, W3, W4), for a side-by-side
look with `cd bench && dotnet run -c Release -- --filter '*W1RosenbrockVectorized*' '*W2*' '*W3*' '*W4*'`.

Optional: needs Debian's python3-torch (`apt-get install python3-torch`, then run with /usr/bin/python3).
Nothing in the product or its tests uses it. Each call is zero grad + forward (recording) + backward,
as in the C# benchmarks; the figure is the median of repeated timings, with the check values printed.
"""
import math
import statistics
import time

import torch

torch.set_num_threads(1)


def median_seconds(step, repeat, inner):
    step()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(inner):
            step()
        samples.append((time.perf_counter() - start) / inner)
    return statistics.median(samples)


def w1(n):
    x = torch.tensor([0.5 + 0.01 * (i % 7) for i in range(n)], dtype=torch.float64, requires_grad=True)

    def step():
        x.grad = None if x.grad is None else x.grad.zero_()
        head, tail = x[:-1], x[1:]
        y = 100 * ((tail - head * head) ** 2).sum() + ((1 - head) ** 2).sum()
        y.backward()
        return y

    t = median_seconds(step, 7, max(3, 20000 // n))
    print(f"W1 vectorized n={n}: {t * 1e6:.1f} us  (f = {step().item():.4f}, g0 = {x.grad[0].item():.2f})")


def w2(n):
    x = torch.arange(n, dtype=torch.float64, requires_grad=True)

    def step():
        if x.grad is not None:
            x.grad.zero_()
        y = 2 * torch.dot(x, x)
        y.backward()
        return y

    t = median_seconds(step, 7, max(3, 2000000 // n))
    print(f"W2 n={n}: {t * 1e6:.1f} us  (grad[3] = {x.grad[3].item():.0f})")


def w3():
    w1_ = torch.tensor([[0.05 * math.sin(7 * i + 3 * j) for j in range(784)] for i in range(256)], dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor([0.01 * math.cos(i) for i in range(256)], dtype=torch.float64, requires_grad=True)
    w2_ = torch.tensor([[0.05 * math.sin(7 * k + 3 * i) for i in range(256)] for k in range(10)], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor([0.01 * math.cos(k) for k in range(10)], dtype=torch.float64, requires_grad=True)
    x = torch.tensor([math.cos(0.1 * j) for j in range(784)], dtype=torch.float64)
    params = [w1_, b1, w2_, b2]

    def step():
        for p in params:
            if p.grad is not None:
                p.grad.zero_()
        loss = torch.tanh(w2_ @ torch.tanh(w1_ @ x + b1) + b2).sum()
        loss.backward()
        return loss

    t = median_seconds(step, 7, 50)
    print(f"W3 MLP: {t * 1e6:.1f} us  (loss = {step().item():.8f}, sum dW1 = {w1_.grad.sum().item():.7f})")


def w4():
    a = torch.tensor(0.37, dtype=torch.float64, requires_grad=True)

    def f(a):
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        return b if b.sum() > 0 else 100 * b

    def step():
        for _ in range(10000):
            if a.grad is not None:
                a.grad.zero_()
            c = f(a)
            c.backward()
        return c

    t = median_seconds(step, 3, 1)
    print(f"W4 (10 000 repetitions): {t * 1e3:.0f} ms  (c = {f(a).item():.2f}, dc/da = {a.grad.item():.0f})")


if __name__ == "__main__":
    print(f"PyTorch {torch.__version__}, 1 thread, float64")
    for n in (10, 1000, 100000):
        w1(n)
    for n in (4, 1000000):
        w2(n)
    w3()
    w4()
