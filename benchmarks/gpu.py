"""An MLP training step on a CUDA GPU: chainrule on CuPy against hand-written CuPy, PyTorch CUDA and the CPU.

The networks of mlp_step.py plus "wide" (4096-4096-4096-10, batch 2048), in
float32. For each: the hand-written CuPy step (the floor on a GPU: the same
forward and backward passes as mlp_step.numpy_step, written with cupy),
chainrule with the model and the batch on the GPU, PyTorch CUDA eager when
installed, and chainrule on the CPU (the speed-up the GPU buys). Every GPU
timing synchronizes the device before reading the clock. Targets:
chainrule/CuPy <= 1.2 on mnist and wide; chainrule GPU >= 50x chainrule CPU
on wide.

    python benchmarks/gpu.py            # prints the table
    python benchmarks/gpu.py --write    # and appends it to benchmarks/RESULTS.md

Without CuPy or a GPU it says so and exits 0 (nothing to measure).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import mlp_step
import numpy as np

SIZES = {**mlp_step.SIZES, "wide": ([4096, 4096, 4096, 10], 2048)}
LR = mlp_step.LR
TARGETS = {"mnist": 1.2, "wide": 1.2}


def problem(name, dtype=np.float32, seed=0):
    """mlp_step.problem for any network of SIZES (wide included): PyTorch-layout weights and one batch."""
    sizes, batch = SIZES[name]
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        k = 1 / np.sqrt(n_in)
        weights.append((rng.uniform(-k, k, (n_out, n_in)).astype(dtype), rng.uniform(-k, k, n_out).astype(dtype)))
    return weights, rng.standard_normal((batch, sizes[0])).astype(dtype), rng.integers(0, sizes[-1], batch)


def make_cupy(weights, x, y):
    """The floor: mlp_step.numpy_step with cupy for numpy (the arrays live on the GPU)."""
    import cupy as cp

    params = [(cp.asarray(w), cp.asarray(b)) for w, b in weights]
    x, y = cp.asarray(x), cp.asarray(y)
    n = len(y)
    rows = cp.arange(n)

    def step():
        acts, h = [x], x
        for i, (w, b) in enumerate(params):
            h = h @ w.T
            h += b
            if i < len(params) - 1:
                cp.maximum(h, 0, out=h)
            acts.append(h)
        z = h - h.max(axis=1, keepdims=True)
        e = cp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = cp.mean(cp.log(s[:, 0]) - z[rows, y])
        g = e / s
        g[rows, y] -= 1
        g /= n
        for i in range(len(params) - 1, -1, -1):
            w, b = params[i]
            dw, db = g.T @ acts[i], g.sum(axis=0)
            if i:
                g = g @ w
                g *= acts[i] > 0
            w -= LR * dw
            b -= LR * db
        return loss

    return step


def make_chainrule(weights, x, y, device):
    import chainrule as cr

    layers = []
    for i, (w, b) in enumerate(weights):
        lin = cr.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        lin.weight.data, lin.bias.data = w.copy(), b.copy()
        layers += [lin] + ([cr.nn.ReLU()] if i < len(weights) - 1 else [])
    model = cr.nn.Sequential(*layers).to(device)
    opt = cr.optim.SGD(model.parameters(), lr=LR)
    xt, yt = cr.tensor(x, device=device), cr.tensor(y, device=device)
    F = cr.nn.functional

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


def make_torch(weights, x, y):
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    dev = torch.device("cuda")
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers += [lin] + ([torch.nn.ReLU()] if i < len(weights) - 1 else [])
    model = torch.nn.Sequential(*layers).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    return step


def timed(step, sync, min_time=0.5, max_reps=200):
    """Median seconds per step, the device synchronized around every step (after 3 warm-up steps)."""
    for _ in range(3):
        step()
    sync()
    times, start = [], time.perf_counter()
    while len(times) < max_reps and (time.perf_counter() - start < min_time or len(times) < 5):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def measure(names, cpu_names):
    import cupy as cp

    sync = cp.cuda.get_current_stream().synchronize
    rows = []
    for name in names:
        weights, x, y = problem(name)
        row = {"network": name, "cupy": timed(make_cupy(weights, x, y), sync),
               "chainrule": timed(make_chainrule(weights, x, y, "cuda"), sync)}
        torch_step = make_torch(weights, x, y)
        if torch_step is not None:
            import torch

            row["torch"] = timed(torch_step, torch.cuda.synchronize)
        if name in cpu_names:
            row["cpu"] = timed(make_chainrule(weights, x, y, "cpu"), lambda: None, min_time=2.0, max_reps=5)
        rows.append(row)
    return rows


def _row(r):
    ratio = r["chainrule"] / r["cupy"]
    target = TARGETS.get(r["network"])
    speedup = r["cpu"] / r["chainrule"] if "cpu" in r else None
    met = "-"
    if target is not None:
        met = "yes" if ratio <= target and (r["network"] != "wide" or (speedup or 0) >= 50) else "no"
    cells = [r["network"], f"{r['cupy'] * 1e3:.3f} ms", f"{ratio:.2f}x",
             f"{r['torch'] / r['cupy']:.2f}x" if "torch" in r else "-",
             f"{r['cpu'] * 1e3:.1f} ms" if "cpu" in r else "-", f"{speedup:.0f}x" if speedup else "-",
             "-" if target is None else f"<= {target}" + (", >= 50x CPU" if r["network"] == "wide" else ""), met]
    return "| " + " | ".join(cells) + " |"


def table(rows, device_name):
    """The markdown table of RESULTS.md: ratios against the CuPy floor (lower is faster)."""
    head = ["## MLP training step on a GPU (" + device_name + ", float32)", "",
            "chainrule with the model and the batch on the GPU (CuPy) against hand-written CuPy (the floor), "
            "PyTorch CUDA eager, and chainrule on the CPU; `python benchmarks/gpu.py`.", "",
            "| network | CuPy floor | chainrule GPU | torch CUDA | chainrule CPU | GPU over CPU | target | met |",
            "|---|---|---|---|---|---|---|---|"]
    return "\n".join(head + [_row(r) for r in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="append the table to benchmarks/RESULTS.md")
    parser.add_argument("--only", nargs="*", default=list(SIZES), help="networks to run (default all)")
    parser.add_argument("--no-cpu", action="store_true", help="skip the chainrule-on-CPU column")
    args = parser.parse_args(argv)
    import chainrule as cr

    if not cr.cuda.is_available():
        print("benchmarks/gpu.py: no GPU to measure (needs CuPy, pip install 'chainrule[gpu]', and a CUDA "
              "device); skipped")
        return 0
    import cupy as cp

    props = cp.cuda.runtime.getDeviceProperties(0)
    device_name = props["name"].decode() if isinstance(props["name"], bytes) else str(props["name"])
    cpu_names = set() if args.no_cpu else {"mnist", "wide"}
    rows = measure(args.only, cpu_names)
    text = table(rows, f"{device_name}; host {platform.processor() or platform.machine()}")
    print(text)
    if args.write:
        with open(__file__.replace("gpu.py", "RESULTS.md"), "a", encoding="utf-8") as f:
            f.write("\n" + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
