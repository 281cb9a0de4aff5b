"""chainrule's benchmark suite: one table of medians and ratios against the NumPy floor.

    python benchmarks/run.py                 # everything; writes benchmarks/RESULTS.md and results.png
    python benchmarks/run.py --quick         # a smoke run: few repetitions, nothing written
    python benchmarks/run.py --only mlp      # one section: mlp, overhead, graph, jacobians, micrograd, memory

Each timing is the median of interleaved repetitions in one process (every
contender runs once per round), so all of them see the same machine load.
PyTorch (CPU), HIPS autograd and micrograd are compared when installed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import pathlib
import platform
import sys

# Thread pools that spin while idle (OpenMP in PyTorch) would steal the CPU
# from whichever contender runs next in an interleaved round: idle threads sleep.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import graphs  # noqa: E402
import memory  # noqa: E402
import micrograd_demo  # noqa: E402
import mlp_step  # noqa: E402
import overhead  # noqa: E402
import per_example  # noqa: E402
from report import Report  # noqa: E402
from timing import interleaved_medians  # noqa: E402

TARGETS = {"tiny": 2.0, "small": 2.0, "deep": 2.0, "mnist": 1.15}
SECTIONS = ("mlp", "overhead", "graph", "jacobians", "micrograd", "memory")


def check_agree(fns, convert=graphs.as_array, rtol=1e-6):
    """Run each function once and insist they all give the floor's answer (timing wrong code is pointless)."""
    results = {name: convert(fn()) for name, fn in fns.items()}
    reference = next(iter(results.values()))
    for name, value in results.items():
        if not np.allclose(value, reference, rtol=rtol, atol=1e-8):
            raise SystemExit(f"benchmark error: {name} disagrees with the floor")


def torch_threads(n):
    """PyTorch's intra-op threads: 1 where each op is too small to split (and idle threads only wake slowly)."""
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(n)


def mlp_section(report, quick):
    rows = []
    for size in (["tiny"] if quick else list(mlp_step.SIZES)):
        torch_threads(os.cpu_count() if size == "mnist" else 1)
        for dtype in (np.float32, np.float64):
            weights, x, y = mlp_step.problem(size, dtype)
            steps = {name: made[0] for name, make in mlp_step.FRAMEWORKS.items()
                     if (made := make(weights, x, y)) is not None}
            check_agree(steps, convert=float, rtol=1e-4)  # the same loss from the same weights
            rounds = 3 if quick else (21 if size == "mnist" else 61)
            medians = interleaved_medians(steps, rounds, min_time=0.002 if quick else 0.02)
            floor = medians["numpy"]
            ratios = {name: t / floor for name, t in medians.items()}
            rows.append((size, np.dtype(dtype).name, floor, ratios))
    report.mlp(rows, TARGETS)


def overhead_section(report, quick):
    ours, floor = overhead.measure(repeats=20 if quick else 300)
    report.overhead(ours, floor)


def graph_section(report, quick):
    table = {}
    for label, steps, rounds in (("10k nodes", graphs.STEPS, 9), ("100k nodes", 10 * graphs.STEPS, 7)):
        fns = graphs.make_graph(steps)
        check_agree(fns)
        table[label] = interleaved_medians(fns, 2 if quick else rounds)
    report.timings("Scalar graphs of 10,000 and 100,000 nodes (forward + backward; issue 15's target: chainrule "
                   "<= 2.5x NumPy at 100,000)", table)


def one_blas_thread():
    """NumPy's BLAS on one thread, as PyTorch runs here (a sleeping second BLAS thread would be timed waking)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


def jacobian_section(report, quick):
    with one_blas_thread():
        table = {}
        for n, kind, label in ((50, "vector", "R^50 -> R^50"), (500, "scalar", "R^500 -> R")):
            for task, fns in graphs.make_jacobians(n, kind).items():
                check_agree(fns)
                table[f"{task} {label}"] = interleaved_medians(fns, 2 if quick else 7, warmup=1)
        report.timings("Jacobians and Hessians (f = tanh(Ax), or its sum)", table)
        table = {}
        for tasks in (per_example.make_per_example(), per_example.make_vmap_rows()):
            for task, fns in tasks.items():
                check_agree(fns, convert=per_example.flat)  # flattened outside the timed calls
                table[task] = interleaved_medians(fns, 2 if quick else 7, warmup=1)
        report.timings("vmap and per-example gradients (MLP 64-128-64-10, batch 64: chainrule and torch.func by "
                       "vmap(grad); the loop is one grad call per example)", table)


def micrograd_section(report, quick):
    fns = micrograd_demo.make_demo()
    if fns is None:
        report.note("micrograd is not installed: `pip install micrograd` to compare with its two-moons demo.")
        return
    check_agree(fns, convert=float, rtol=1e-9)
    report.timings("micrograd's two-moons demo, one training step (MLP 2-16-16-1, 100 points; ratios to micrograd)",
                   {"step": interleaved_medians(fns, 2 if quick else 7, warmup=1)}, floor="micrograd")


def memory_section(report, quick):
    peaks = {dtype: {fw: memory.peak_step_bytes(fw, dtype=dtype) for fw in ("numpy", "chainrule")}
             for dtype in ("float32", "float64")}
    steps = 300 if quick else 10_000
    early, late = memory.growth(steps=steps)
    report.memory(peaks, early, late, steps)


RUNNERS = {"mlp": mlp_section, "overhead": overhead_section, "graph": graph_section,
           "jacobians": jacobian_section, "micrograd": micrograd_section, "memory": memory_section}


def machine():
    import chainrule

    versions = [f"Python {platform.python_version()}", f"NumPy {np.__version__}", f"chainrule {chainrule.__version__}"]
    for name in ("torch", "jax", "autograd", "micrograd"):
        try:
            module = __import__(name)
            versions.append(f"{name} {getattr(module, '__version__', '(installed)')}")
        except ImportError:
            versions.append(f"{name} not installed")
    cpu = platform.processor() or platform.machine()
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs; " + ", ".join(versions)


def main(argv=None):
    parser = argparse.ArgumentParser(description="chainrule's benchmark suite")
    parser.add_argument("--quick", action="store_true", help="few repetitions, tiny MLP only; writes nothing")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only this section (repeatable)")
    parser.add_argument("--out", default=str(HERE), help="folder for RESULTS.md and results.png")
    args = parser.parse_args(argv)
    torch_threads(1)
    report = Report(date=datetime.date.today().isoformat(), machine=machine())
    for name in args.only or SECTIONS:
        RUNNERS[name](report, args.quick)
    print(report.text())
    if not args.quick:
        out = pathlib.Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "RESULTS.md").write_text(report.text() + "\n", encoding="utf-8")
        chart = report.chart(out / "results.png")
        print(f"wrote {out / 'RESULTS.md'}" + (f" and {chart}" if chart else " (install matplotlib for the chart)"))


if __name__ == "__main__":
    main()
