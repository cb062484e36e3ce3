#!/usr/bin/env python3
"""Records PyTorch's outputs, gradients and second derivatives for the cases of PyTorchCaseTests.cs.

Run where PyTorch is installed (Debian: apt-get install python3-torch; recorded with 1.13):
    /usr/bin/python3 tests/Hybrid.Tensors.Tests/data/pytorch_cases.py > tests/Hybrid.Tensors.Tests/data/pytorch_cases.json
The tests read the JSON and need no Python. Each case's function is written twice, here and in the C#
test, with the same name; inputs are exact binary fractions so both sides start from the same bits.
For each case: the output y; the gradients of (y * w).sum() with w_i = 1 + (i mod 5)/4; and the
gradients of sum_k (g_k * w_k).sum() over those gradients g_k (second derivatives; zeros where unused).
"""
import json
import sys

import torch

torch.set_default_dtype(torch.float64)


def values(shape, k):
    n = 1
    for s in shape:
        n *= s
    return torch.tensor([((i * 37 + k * 11) % 17 - 8) / 4.0 for i in range(n)]).reshape(shape)


def weights(t):
    return torch.tensor([1 + (i % 5) / 4.0 for i in range(t.numel())]).reshape(t.shape)


def control_flow(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    return b if b.sum() > 0 else 100 * b


IDX = torch.tensor([[0, 2], [1, 1], [3, 0]])

CASES = {
    "seed": ([[4]], lambda x: 2 * torch.dot(x, x)),
    "broadcast_arithmetic": ([[2, 1, 3], [2, 1]], lambda a, b: a * b + a / (b * b + 1) - b),
    "broadcast_where_maximum": ([[3, 1], [1, 4]], lambda a, b: torch.where(a > b, a * b, a - b) + torch.maximum(a, b)),
    "broadcast_pow_exp": ([[2, 3], [3]], lambda a, b: torch.pow(a * a + 1, b) * torch.exp(b / 4)),
    "sum_mean_dims": ([[2, 3, 4]], lambda x: x.sum(1, keepdim=True) * x.mean(dim=(0, 1))),
    "prod_norm_dims": ([[3, 4]], lambda x: torch.cat([x.prod(1), x.norm(dim=0), x.prod(0, keepdim=True).flatten()])),
    "max_min": ([[3, 4]], lambda x: torch.cat([x.max(1).values, x.min(0).values, x.max().reshape(1), x.min().reshape(1)])),
    "max_ties": ([[8]], lambda x: (x[1:] ** 2).max() * 2 + (x[1:] ** 2).min()),
    "matmul_batch": ([[2, 1, 3, 4], [5, 4, 2]], lambda a, b: a @ b),
    "matmul_vectors": ([[2, 3, 4], [4], [3]], lambda a, v, u: torch.cat([(a @ v).flatten(), (u @ a).flatten(), (v @ a.transpose(-1, -2)).flatten()])),
    "views": ([[2, 3, 4]], lambda x: torch.cat([x.permute(2, 0, 1).flatten() * torch.arange(24.0),
                                                 (x.unsqueeze(0).expand(3, 2, 3, 4).sum(0) * x).flatten(),
                                                 x.transpose(0, 2).reshape(4, 6)[1:3].flatten() ** 2,
                                                 x.squeeze().view(6, 4)[:, 1]])),
    "indexing": ([[3, 4, 5]], lambda x: torch.cat([x[:, 1:3].flatten(), x[..., 0].flatten() * 3, (x[::2, None, -1] ** 2).flatten(),
                                                   x[-1, 2:, ::3].flatten(), x[1].flatten() * x[2].flatten()])),
    "cat_stack_split": ([[2, 3], [2, 2]], lambda a, b: torch.cat([torch.cat([a, b], 1).flatten(), torch.stack([a, a * 2], 1).flatten(),
                                                                  a.split(2, dim=1)[1].flatten() * 3, torch.cat(b.chunk(2, 0), 1).flatten() ** 2])),
    "gather_scatter_select": ([[3, 4], [3, 2]], lambda x, y: torch.cat([x.gather(1, IDX).flatten() * y.flatten(),
                                                                         torch.zeros(3, 4).scatter_add(1, IDX, y).flatten() * x.flatten(),
                                                                         x.index_select(0, torch.tensor([2, 0])).flatten(),
                                                                         x.masked_select(x > 0) ** 2,
                                                                         x.scatter(1, torch.tensor([[1], [3], [0]]), y[:, :1]).flatten() * x.flatten()])),
    "log_softmax": ([[2, 3]], lambda x: x - torch.log(torch.exp(x).sum(1, keepdim=True))),
    "mlp_batch": ([[4, 3], [3, 2], [2]], lambda x, w, b: torch.tanh(x @ w + b)),
    "chapter_control_flow_vector": ([[3]], control_flow),
    "chapter_control_flow_matrix": ([[2, 3]], control_flow),
    "detach": ([[4]], lambda x: (x * x).detach() * x),
}


def record(name, shapes, function):
    inputs = [values(shape, k).requires_grad_() for k, shape in enumerate(shapes)]
    y = function(*inputs)
    grads = torch.autograd.grad((y * weights(y)).sum(), inputs, create_graph=True, allow_unused=True)
    grads = [torch.zeros_like(x) if g is None else g for x, g in zip(inputs, grads)]
    s = sum((g * weights(g)).sum() for g in grads)
    if s.requires_grad:
        second = torch.autograd.grad(s, inputs, allow_unused=True)
        second = [torch.zeros_like(x) if g is None else g for x, g in zip(inputs, second)]
    else:
        second = [torch.zeros_like(x) for x in inputs]

    def out(t):
        return {"shape": list(t.shape), "values": t.detach().flatten().tolist()}

    return {"name": name, "inputs": [out(x) for x in inputs], "output": out(y),
            "gradients": [out(g) for g in grads], "second": [out(g) for g in second]}


json.dump({"torch": torch.__version__, "cases": [record(n, s, f) for n, (s, f) in CASES.items()]}, sys.stdout, indent=1)
print()
