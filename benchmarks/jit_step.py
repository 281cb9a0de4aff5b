"""cr.jit against the naive hand-written NumPy step (mlp_step.make_numpy), BLAS pinned to one thread.

    OPENBLAS_NUM_THREADS=1 python benchmarks/jit_step.py [--quick] [--sizes tiny,deep] [--no-compile]

For each network (tiny 2-4-2 b4, small 64-128-64-10 b64, deep 20x32 b32,
MNIST-size 784-512-256-10 b256) and dtype it times, as interleaved medians
(timing.py): the NumPy floor, the exact floor (exact_step.py: the least time a
bit-exact replay can take), eager chainrule (nn.Linear and user-style
`h @ W + b`, W stored (in, out) as a user writes it), and the same two steps under `cr.jit`; it reports each
ratio to the floor, the tracing cost (first call), and checks that the
jitted parameters equal the eager ones after the timed steps. JAX jit and
torch.compile (CPU) run the same step where installed, with their first
call (compilation) timed too.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import sys
import time

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before NumPy loads BLAS: small steps swing wildly on 2 threads
# JAX (XLA) and PyTorch on one thread too, before they load: the columns compare one core's work
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")

import numpy as np  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import exact_step  # noqa: E402
import memory  # noqa: E402
import mlp_step  # noqa: E402
from timing import interleaved_medians  # noqa: E402  (wall clock)

import chainrule as cr  # noqa: E402

TARGETS = {"tiny": 0.6, "small": 0.8, "deep": 0.6, "mnist": 1.0}
CLOCK = {"cpu": True}  # process CPU time (--wall: the wall clock)


def _linear_net(weights):
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = cr.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        lin.weight.data, lin.bias.data = w.copy(), b.copy()
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(cr.nn.ReLU())
    return cr.nn.Sequential(*layers)


def make_module_step(weights):
    """The nn.Linear step: zero_grad, cross-entropy, backward, SGD.step."""
    net = _linear_net(weights)
    opt = cr.optim.SGD(net.parameters(), lr=mlp_step.LR)

    def step(x, y):
        opt.zero_grad()
        loss = cr.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, lambda: [p.data for p in net.parameters()]


def make_user_step(weights):
    """The user-style step, as issue 15 writes it: h @ W + b, relu, cross-entropy, a manual update under no_grad.

    W is stored (in, out), the layout of a hand-written network (nn.Linear stores (out, in) and computes
    x @ Wᵀ); the values are nn.Linear's, transposed once here."""
    params = [(cr.nn.Parameter(w.T.copy()), cr.nn.Parameter(b.copy())) for w, b in weights]
    last = len(params) - 1

    def step(x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < last:
                h = cr.relu(h)
        loss = cr.nn.functional.cross_entropy(h, y)
        for w, b in params:
            w.grad = b.grad = None
        loss.backward()
        with cr.no_grad():
            for w, b in params:
                w -= mlp_step.LR * w.grad
                b -= mlp_step.LR * b.grad
        return loss

    return step, lambda: [a.data for wb in params for a in wb]


def cpu_medians(fns, rounds, warmup=3, min_time=0.002):
    """interleaved_medians on this process's CPU time (time.process_time): with BLAS on one thread that is
    the step's own work, and a machine shared with other jobs inflates it far less than the wall clock."""
    counts = {}
    for name, fn in fns.items():
        start = time.process_time()
        for _ in range(warmup):
            fn()
        per_call = max(time.process_time() - start, 1e-7) / warmup
        counts[name] = max(1, int(min_time / per_call))
    times = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            n = counts[name]
            start = time.process_time()
            for _ in range(n):
                fn()
            times[name].append((time.process_time() - start) / n)
    return {name: statistics.median(ts) for name, ts in times.items()}


def _compiled_others(weights, x, y, compile_torch):
    """JAX jit and torch.compile steps where installed: {name: step}, {name: first-call ms}."""
    fns, first_ms = {}, {}
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    for name in ("jax jit", "torch.compile") if compile_torch else ("jax jit",):
        start = time.perf_counter()
        made = mlp_step.FRAMEWORKS[name](weights, x, y)
        if made is None:
            continue
        made[0]()  # JAX compiles on the first call (torch.compile's maker has made its first call)
        fns[name], first_ms[name] = made[0], (time.perf_counter() - start) * 1e3
    return fns, first_ms


def run(size, dtype, rounds, compile_torch=True):
    weights, x, y = mlp_step.problem(size, dtype)
    numpy_step, _ = mlp_step.make_numpy(weights, x, y)
    fns, trace_ms = {"numpy": numpy_step}, {}
    for style, make in (("linear", make_module_step), ("user", make_user_step)):
        eager, eager_params = make(weights)
        fns[f"eager {style}"] = lambda s=eager: s(x, y)
        step, jit_params = make(weights)
        jitted = cr.jit(step)
        start = time.perf_counter()
        jitted(x, y)
        trace_ms[style] = (time.perf_counter() - start) * 1e3
        for _ in range(3):  # the same steps, the same updates: the jitted parameters equal the eager ones
            eager(x, y)
            jitted(x, y)
        eager(x, y)
        for a, b in zip(jit_params(), eager_params()):
            np.testing.assert_allclose(a, b, rtol=0 if dtype == np.float64 else 1e-6, atol=0)
        fns[f"jit {style}"] = lambda s=jitted: s(x, y)
    exact, exact_params = exact_step.make_exact(weights, x, y, mlp_step.LR)
    eager, eager_params = make_module_step(weights)
    for _ in range(4):  # the exact floor's updates are eager's, bit for bit (in float32 too: the same operations)
        exact(), eager(x, y)
    for a, b in zip(exact_params(), eager_params()):
        np.testing.assert_array_equal(a, b)
    fns["exact"] = exact
    others, first_ms = _compiled_others(weights, x, y, compile_torch)
    fns.update(others)
    medians = (cpu_medians if CLOCK["cpu"] else interleaved_medians)(fns, rounds, min_time=0.002)
    floor = medians["numpy"]
    return {name: t / floor for name, t in medians.items()}, floor, trace_ms, first_ms


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds, tiny and small only")
    parser.add_argument("--sizes", default=None, help="comma-separated networks (default: all four)")
    parser.add_argument("--no-compile", action="store_true",
                        help="leave out torch.compile (its first call compiles for ~40 s per network and dtype)")
    parser.add_argument("--wall", action="store_true", help="time by the wall clock, not this process's CPU time")
    args = parser.parse_args(argv)
    CLOCK["cpu"] = not args.wall
    sizes = ["tiny", "small"] if args.quick else ["tiny", "small", "deep", "mnist"]
    sizes = args.sizes.split(",") if args.sizes else sizes
    rounds = 5 if args.quick else 31
    print(f"BLAS threads pinned: OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
          f"interleaved medians of {'CPU' if CLOCK['cpu'] else 'wall'} time; ratios to the naive NumPy step "
          "(lower is faster); "
          "JAX jit and torch.compile where installed")
    print(f"{'network':8} {'dtype':8} {'numpy ms':>9} {'eager lin':>9} {'eager usr':>9} {'jit lin':>8} "
          f"{'jit usr':>8} {'exact':>6} {'target':>6} {'trace ms':>9} {'jax jit':>8} {'torch.compile':>13}  "
          "first calls ms")
    for size in sizes:
        for dtype in (np.float32, np.float64):
            ratios, floor, trace_ms, first_ms = run(size, dtype, rounds, compile_torch=not args.no_compile)
            other = [f"{ratios[n]:.2f}" if n in ratios else "-" for n in ("jax jit", "torch.compile")]
            print(f"{size:8} {np.dtype(dtype).name:8} {floor * 1e3:9.3f} {ratios['eager linear']:9.2f} "
                  f"{ratios['eager user']:9.2f} {ratios['jit linear']:8.2f} {ratios['jit user']:8.2f} "
                  f"{ratios['exact']:6.2f} {TARGETS[size]:6.2f} {max(trace_ms.values()):9.1f} {other[0]:>8} "
                  f"{other[1]:>13}  "
                  + ", ".join(f"{n} {t:.0f}" for n, t in first_ms.items()), flush=True)

    print("peak traced memory of one MNIST-size step (tracemalloc; jit includes its preallocated buffers):")
    for dtype in (np.float32, np.float64):
        peaks = {name: memory.peak_step_bytes(name, dtype=dtype) for name in ("numpy", "chainrule", "jit")}
        print(f"  {np.dtype(dtype).name}: " + ", ".join(f"{name} {b / 2**20:.1f} MiB ({b / peaks['numpy']:.2f}x)"
                                                     for name, b in peaks.items()))


if __name__ == "__main__":
    main()
