"""The benchmark report: Markdown tables (printed and written to RESULTS.md) and a PNG chart."""

from __future__ import annotations

OTHERS = ("jit", "torch", "autograd", "jax jit", "torch.compile")  # jit: the chainrule step under cr.jit


def _table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _ratio(r):
    return f"{r:.1f}x" if r >= 0.1 else f"{r:.2g}x"


def _time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f} us"


class Report:
    """Sections in the order they ran, plus the MLP rows the chart draws."""

    def __init__(self, date, machine):
        self.parts = [f"# chainrule benchmarks\n\n{date} on {machine}.\n\n"
                      "Ratios are against the floor (hand-written NumPy unless said otherwise); "
                      "lower is faster. Medians of interleaved repetitions in one process. PyTorch runs with "
                      "one intra-op thread except on the MNIST-size step (all cores), idle threads sleeping "
                      "(OMP_WAIT_POLICY=PASSIVE), so its spinning threads do not slow the next contender."]
        self.mlp_rows = []

    def note(self, text):
        self.parts.append(text)

    def mlp(self, rows, targets):
        self.mlp_rows = rows
        others = [name for name in OTHERS if any(name in r for *_, r in rows)]
        headers = ["network", "dtype", "NumPy floor", "chainrule", *others, "target", "met"]
        body = []
        for size, dtype, floor, ratios in rows:
            ours = ratios["chainrule"]
            versus_torch = size != "mnist" and "torch" in ratios  # the target: faster than PyTorch, except MNIST
            met = ours <= targets[size] and (not versus_torch or ours < ratios["torch"])
            body.append([size, dtype, _time(floor), f"{ours:.2f}x",
                         *(f"{ratios[o]:.2f}x" if o in ratios else "-" for o in others),
                         f"<= {targets[size]}" + (", < torch" if versus_torch else ""),
                         "yes" if met else "NO"])
        self.parts.append("## MLP training step (forward, backward, SGD update)\n\n"
                          "tiny 2-4-2 batch 4; small 64-128-64-10 batch 64; mnist 784-512-256-10 batch 256; "
                          "deep 20 layers of 32 units batch 32. ReLU, mean cross-entropy.\n\n"
                          + _table(headers, body))

    def overhead(self, ours, floor):
        self.parts.append("## Per-op overhead (forward + backward, 1-element tensors, 201-op chain)\n\n"
                          + _table(["", "us per op"], [["chainrule", f"{ours:.2f}"], ["NumPy floor", f"{floor:.2f}"],
                                                       ["ratio", f"{ours / floor:.2f}x"]]))

    def timings(self, title, table, floor="numpy"):
        names = list(dict.fromkeys(name for medians in table.values() for name in medians))
        body = []
        for task, medians in table.items():
            base = medians[floor]
            body.append([task, *(f"{_time(medians[n])} ({_ratio(medians[n] / base)})" if n in medians else "-"
                                 for n in names)])
        self.parts.append(f"## {title}\n\n" + _table(["task", *names], body))

    def memory(self, peaks, early, late, steps):
        body = [[dtype, f"{p['numpy'] / 1e6:.2f} MB", f"{p['chainrule'] / 1e6:.2f} MB",
                 f"{p['chainrule'] / p['numpy']:.2f}x", "yes" if p["chainrule"] <= 1.3 * p["numpy"] else "NO"]
                for dtype, p in peaks.items()]
        grew = late - early
        self.parts.append(
            "## Memory\n\nPeak traced memory of one MNIST-size step, the model's weights included "
            "(tracemalloc; target <= 1.3x the floor):\n\n"
            + _table(["dtype", "NumPy floor", "chainrule", "ratio", "met"], body)
            + f"\n\nHeld after 100 steps of the small network: {early / 1e3:.1f} kB; after {steps:,} steps: "
            f"{late / 1e3:.1f} kB ({'+' if grew >= 0 else ''}{grew / 1e3:.1f} kB; target: no growth).")

    def text(self):
        return "\n\n".join(self.parts)

    def chart(self, path):
        """A bar chart of the MLP ratios; returns the path, or None without matplotlib or MLP rows."""
        if not self.mlp_rows:
            return None
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return None
        labels = [f"{size}\n{dtype}" for size, dtype, _, _ in self.mlp_rows]
        names = ["chainrule", *(o for o in OTHERS if any(o in r for *_, r in self.mlp_rows))]
        fig, ax = plt.subplots(figsize=(10, 4))
        width = 0.8 / len(names)
        for k, name in enumerate(names):
            values = [r.get(name, 0) for *_, r in self.mlp_rows]
            ax.bar([i + k * width for i in range(len(labels))], values, width, label=name)
        ax.axhline(1.0, color="black", linewidth=1, label="NumPy floor")
        ax.axhline(2.0, color="grey", linestyle="--", linewidth=1, label="target (tiny, small, deep)")
        ax.set_xticks([i + width * (len(names) - 1) / 2 for i in range(len(labels))], labels)
        ax.set_ylabel("time / hand-written NumPy")
        ax.set_title("One MLP training step")
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path
