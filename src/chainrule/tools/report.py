"""Pictures and a self-contained HTML report of a training run.

Plots need matplotlib (`pip install "chainrule[plot]"`); without it the
report still carries the numbers and says which pictures are missing.
"""

from __future__ import annotations

import base64
import html
import os

import numpy as np

from ..core.modes import no_grad
from ..core.tensor import Tensor
from ..nn.functional import predictions


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only, no window
    import matplotlib.pyplot as plt

    return plt


def plot_curves(history, path):
    """Loss and (where recorded) accuracy per epoch, train and, if present, validation, to a PNG."""
    plt = _pyplot()
    keys = [key for key in ("loss", "accuracy") if key in history]
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.5), squeeze=False)
    for ax, key in zip(axes[0], keys):
        ax.plot(range(1, history.epochs + 1), history[key], label="train")
        if f"val_{key}" in history:
            ax.plot(range(1, history.epochs + 1), history[f"val_{key}"], label="test")
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_grad_norms(grad_norms, path):
    """Per-layer weight-gradient norms over training (log scale) to a PNG."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in grad_norms.items():
        ax.semilogy(range(1, len(values) + 1), np.maximum(values, 1e-30), label=f"layer {name}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("‖∂L/∂W‖")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_decision_boundary(model, X, y, path, resolution=200):
    """The predicted class over the plane, with the data on top, to a PNG (2-D inputs only)."""
    plt = _pyplot()
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], 1)
    with no_grad():
        labels = predictions(model(Tensor(grid)))
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.contourf(gx, gy, labels.reshape(gx.shape), alpha=0.3, cmap="viridis")
    ax.scatter(X[:, 0], X[:, 1], c=y, s=12, cmap="viridis", edgecolors="k", linewidths=0.3)
    ax.set_title("decision boundary")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_html_report(path, title, summary, findings, images):
    """One HTML file with the summary table, diagnostics and the PNGs embedded (base64)."""
    rows = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in summary.items())
    notes = "".join(f"<li>{html.escape(f)}</li>" for f in findings) or "<li>no warnings</li>"
    pictures = []
    for caption, image_path in images:
        if image_path and os.path.exists(image_path):
            with open(image_path, "rb") as f:
                data = base64.b64encode(f.read()).decode("ascii")
            pictures.append(f"<figure><img src='data:image/png;base64,{data}' alt='{html.escape(caption)}'>"
                            f"<figcaption>{html.escape(caption)}</figcaption></figure>")
    if not pictures:
        pictures.append("<p>No pictures: install matplotlib (pip install \"chainrule[plot]\").</p>")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}"
            "th{text-align:left;padding-right:1em}img{max-width:100%}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><table>{rows}</table><h2>Diagnostics</h2><ul>{notes}</ul>"
            f"<h2>Pictures</h2>{''.join(pictures)}</body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write(page)
