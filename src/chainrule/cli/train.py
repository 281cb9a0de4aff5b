"""`chainrule train`: train an MLP, print what happened inside, write a report."""

from __future__ import annotations

import os
import time

import numpy as np

from ..core.errors import ChainruleError

OPTIMIZERS = ("sgd", "momentum", "adam")


def add_parser(commands):
    p = commands.add_parser("train", help="train an MLP and report what happened inside it")
    p.add_argument("--dataset", default="spirals", choices=["spirals", "moons", "circles", "xor", "blobs", "digits"])
    p.add_argument("--hidden", default="32,32", help="hidden layer sizes, comma separated (default 32,32)")
    p.add_argument("--activation", default="relu",
                   choices=["relu", "tanh", "sigmoid", "leaky_relu", "elu", "softplus", "identity", "step"])
    p.add_argument("--optimizer", default="adam", choices=OPTIMIZERS)
    p.add_argument("--lr", type=float, default=None, help="learning rate (default 0.01 adam, 0.1 otherwise)")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--init", default="default",
                   choices=["default", "zeros", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                            "kaiming_normal"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="chainrule-out", help="output folder (default ./chainrule-out)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def prepare_out(path):
    """Create the output folder, or fail in one line before any work is done."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise ChainruleError(f"cannot create the output folder {path}: {exc.strerror}") from None


def _hidden_sizes(text):
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()] if text.strip() else []
    except ValueError:
        raise ChainruleError(f"--hidden needs comma-separated integers like 32,32; got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise ChainruleError(f"--hidden sizes must be positive, got {text!r}")
    return sizes


def _load_dataset(name, seed):
    from .. import data

    if name == "digits":
        X, y = data.digits()
    elif name == "xor":
        X, y = data.xor(200, noise=0.1, seed=seed)
    elif name == "spirals":
        X, y = data.spirals(600, classes=3, noise=0.2, seed=seed)
    else:
        X, y = data.GENERATORS[name](400, seed=seed)
    return data.train_test_split(X, y, test_fraction=0.25, seed=seed)


def run_train(args) -> int:
    import chainrule as cr

    from ..tools.diagnostics import standard_monitors

    for flag, value in (("--epochs", args.epochs), ("--batch-size", args.batch_size)):
        if value < 1:
            raise ChainruleError(f"{flag} must be at least 1, got {value}")
    if args.lr is not None and not args.lr > 0:
        raise ChainruleError(f"--lr must be positive, got {args.lr}")
    hidden = _hidden_sizes(args.hidden)
    prepare_out(args.out)  # fail before training, not after it
    X_train, y_train, X_test, y_test = _load_dataset(args.dataset, args.seed)
    classes = int(max(y_train.max(), y_test.max())) + 1
    rng = np.random.default_rng(args.seed)
    model = cr.nn.MLP([X_train.shape[1], *hidden, classes], activation=args.activation,
                      init_scheme=args.init, rng=rng)
    lr = args.lr if args.lr is not None else (0.01 if args.optimizer == "adam" else 0.1)
    if args.optimizer == "adam":
        optimizer = cr.optim.Adam(model.parameters(), lr=lr)
    else:
        optimizer = cr.optim.SGD(model.parameters(), lr=lr, momentum=0.9 if args.optimizer == "momentum" else 0.0)
    monitors = standard_monitors()
    print(f"dataset {args.dataset}: {len(X_train)} train / {len(X_test)} test examples, {classes} classes")
    print(model)
    start = time.perf_counter()
    history = cr.train.fit(model, cr.nn.functional.cross_entropy, optimizer, (X_train, y_train), epochs=args.epochs,
                           batch_size=args.batch_size, val_data=(X_test, y_test), callbacks=monitors,
                           progress=not args.no_progress, seed=args.seed)
    seconds = time.perf_counter() - start
    train_acc, test_acc = history["accuracy"][-1], history["val_accuracy"][-1]
    print(f"trained {args.epochs} epochs in {seconds:.1f} s: train accuracy {train_acc:.3f}, "
          f"test accuracy {test_acc:.3f}, final loss {history['loss'][-1]:.4f}")
    findings = [f for m in monitors for f in m.findings()]
    grad_monitor = monitors[0]
    print("diagnostics:")
    for name, norms in grad_monitor.grad_norms.items():
        ratio = grad_monitor.update_ratios[name][-1]
        print(f"  layer {name}: gradient norm {norms[-1]:.3e}, update/weight {ratio:.2e}")
    for line in findings or ["no warnings"]:
        print(f"  {line}")
    _write_outputs(args, model, history, grad_monitor, findings, X_test, y_test, train_acc, test_acc, seconds)
    return 0


def _write_outputs(args, model, history, grad_monitor, findings, X_test, y_test, train_acc, test_acc, seconds):
    import chainrule as cr

    from ..tools import report

    weights = os.path.join(args.out, "weights.npz")
    cr.save(model.state_dict(), weights)
    images = []
    if report.have_matplotlib():
        curves = os.path.join(args.out, "curves.png")
        report.plot_curves(history, curves)
        norms = os.path.join(args.out, "grad_norms.png")
        report.plot_grad_norms(grad_monitor.grad_norms, norms)
        images = [("loss and accuracy per epoch", curves), ("gradient norm per layer", norms)]
        if X_test.shape[1] == 2:
            boundary = os.path.join(args.out, "decision_boundary.png")
            report.plot_decision_boundary(model, X_test, y_test, boundary)
            images.append(("decision boundary on the test set", boundary))
    else:
        print('  (no PNG pictures: install matplotlib, pip install "chainrule[plot]")')
    summary = {"dataset": args.dataset, "hidden": args.hidden, "activation": args.activation,
               "optimizer": args.optimizer, "epochs": args.epochs, "batch size": args.batch_size,
               "init": args.init, "seed": args.seed, "train accuracy": f"{train_acc:.4f}",
               "test accuracy": f"{test_acc:.4f}", "seconds": f"{seconds:.1f}"}
    page = os.path.join(args.out, "report.html")
    report.write_html_report(page, "chainrule train", summary, findings, images)
    print(f"wrote {page}, {weights}" + "".join(f", {p}" for _, p in images))
