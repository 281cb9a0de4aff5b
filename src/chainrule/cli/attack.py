"""`chainrule attack` and `chainrule visualize`: differentiable programming on the digits."""

from __future__ import annotations

import os

import numpy as np

from ..core.errors import ChainruleError
from .train import add_device_argument, checked_device, prepare_out


def add_parsers(commands):
    a = commands.add_parser("attack", help="adversarial examples (FGSM / PGD) against a digits classifier")
    a.add_argument("--eps", default="0.05,0.1,0.2", help="L-infinity radii, comma separated")
    a.add_argument("--method", default="fgsm", choices=["fgsm", "pgd"])
    a.add_argument("--steps", type=int, default=10, help="PGD steps (default 10)")
    a.add_argument("--model", default=None, help="a model saved by a previous run (default: train one)")
    a.add_argument("--out", default="chainrule-out", help="output folder")
    a.add_argument("--seed", type=int, default=0)
    add_device_argument(a)
    v = commands.add_parser("visualize", help="activation maximisation and saliency maps on the digits")
    v.add_argument("--model", default=None, help="a model saved by a previous run (default: train one)")
    v.add_argument("--out", default="chainrule-out", help="output folder")
    v.add_argument("--steps", type=int, default=200, help="gradient-ascent steps (default 200)")
    v.add_argument("--seed", type=int, default=0)
    add_device_argument(v)


def _eps_list(text):
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ChainruleError(f"--eps needs numbers like 0.05,0.1; got {text!r}") from None
    if not values or any(not 0 <= v <= 1 for v in values):
        raise ChainruleError(f"--eps values must lie in [0, 1], got {text!r}")
    return values


def run_attack(args) -> int:
    import chainrule as cr

    from ..tools import report
    from .digits_model import save_model, train_or_load

    eps_values = _eps_list(args.eps)
    if args.steps < 1:
        raise ChainruleError(f"--steps must be at least 1, got {args.steps}")
    prepare_out(args.out)
    model, X, y = train_or_load(args.model, seed=args.seed, device=checked_device(args.device))
    if args.model is None:
        saved = os.path.join(args.out, "digits_model.npz")
        save_model(model, saved)
        print(f"trained a digits classifier (saved to {saved}; reuse it with --model)")
    loss = cr.nn.functional.cross_entropy
    with cr.no_grad():
        clean = cr.nn.functional.accuracy(model(cr.tensor(X)), y)
    print(f"clean test accuracy: {clean:.3f} on {len(X)} images")
    print(f"{'eps':>6}  {'adversarial accuracy (' + args.method + ')':>30}")
    pictures = []
    for eps in eps_values:
        if args.method == "fgsm":
            adv = cr.inputs.fgsm(model, loss, X, y, eps)
        else:
            adv = cr.inputs.pgd(model, loss, X, y, eps, steps=args.steps)
        with cr.no_grad():
            acc = cr.nn.functional.accuracy(model(cr.tensor(adv)), y)
        print(f"{eps:>6.3f}  {acc:>30.3f}")
        if report.have_matplotlib():
            path = os.path.join(args.out, f"attack_{args.method}_eps{eps:g}.png")
            _attack_grid(model, X[:6], adv[:6], y[:6], eps, path)
            pictures.append(path)
    if pictures:
        print("wrote " + ", ".join(pictures))
    else:
        print('(no PNG pictures: install matplotlib, pip install "chainrule[plot]")')
    return 0


def _predict(model, x):
    import chainrule as cr

    with cr.no_grad():
        return cr.nn.functional.predictions(model(cr.tensor(x)))


def _attack_grid(model, originals, adversarial, labels, eps, path):
    from ..tools.report import _pyplot

    plt = _pyplot()
    before, after = _predict(model, originals), _predict(model, adversarial)
    fig, axes = plt.subplots(len(originals), 3, figsize=(5, 1.7 * len(originals)))
    for row, (x, a) in enumerate(zip(originals, adversarial)):
        panels = [(x, f"label {labels[row]}, predicted {before[row]}", "gray_r", (0, 1)),
                  (a - x, f"perturbation (eps {eps:g})", "RdBu", (-eps or -1, eps or 1)),
                  (a, f"adversarial: predicted {after[row]}", "gray_r", (0, 1))]
        for col, (img, title, cmap, (lo, hi)) in enumerate(panels):
            ax = axes[row, col]
            ax.imshow(img.reshape(8, 8), cmap=cmap, vmin=lo, vmax=hi)
            ax.set_title(title, fontsize=7)
            ax.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def run_visualize(args) -> int:
    import chainrule as cr

    from ..tools import report
    from .digits_model import train_or_load

    if args.steps < 1:
        raise ChainruleError(f"--steps must be at least 1, got {args.steps}")
    prepare_out(args.out)
    model, X, y = train_or_load(args.model, seed=args.seed, device=checked_device(args.device))
    images, gains = [], []
    for digit in range(10):
        x, scores = cr.inputs.maximize_activation(lambda x, d=digit: model(x)[d], np.full(64, 0.5), steps=args.steps,
                                                  lr=0.05, reg="tv", weight=0.05, clip=(0.0, 1.0), shape=(8, 8))
        images.append(x)
        gains.append((scores[0], scores[-1]))
        print(f"class {digit}: score {scores[0]:.2f} -> {scores[-1]:.2f} after {args.steps} ascent steps")
    sample = X[:6]
    sal = cr.inputs.saliency(model, sample, _predict(model, sample))
    if not report.have_matplotlib():
        print('(no PNG pictures: install matplotlib, pip install "chainrule[plot]")')
        return 0
    plt = report._pyplot()
    fig, axes = plt.subplots(2, 5, figsize=(8, 3.6))
    for digit, ax in enumerate(axes.ravel()):
        ax.imshow(images[digit].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax.set_title(f"class {digit}", fontsize=8)
        ax.axis("off")
    fig.suptitle("inputs that maximise each class score (total-variation penalty)", fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    maxed = os.path.join(args.out, "activation_maximization.png")
    fig.savefig(maxed, dpi=100)
    plt.close(fig)
    fig, axes = plt.subplots(2, len(sample), figsize=(1.5 * len(sample), 3.4))
    for i in range(len(sample)):
        axes[0, i].imshow(sample[i].reshape(8, 8), cmap="gray_r")
        axes[0, i].set_title(f"label {y[i]}", fontsize=8)
        axes[1, i].imshow(sal[i].reshape(8, 8), cmap="hot")
        axes[1, i].set_title("saliency", fontsize=8)
        for ax in axes[:, i]:
            ax.axis("off")
    fig.tight_layout()
    saliency_path = os.path.join(args.out, "saliency.png")
    fig.savefig(saliency_path, dpi=100)
    plt.close(fig)
    print(f"wrote {maxed}, {saliency_path}")
    return 0
