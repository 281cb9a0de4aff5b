"""`chainrule train`: train an MLP, print what happened inside, write a report."""

from __future__ import annotations

import os
import time

import numpy as np

from ..core.errors import ChainruleError
from ..nn.init import INITIALIZERS

OPTIMIZERS = ("sgd", "momentum", "adam")
DATASETS = ("spirals", "moons", "circles", "xor", "xor4", "blobs", "digits")
# What a flag means when neither the command line nor a preset sets it.
DEFAULTS = {"dataset": "spirals", "hidden": "32,32", "activation": "relu", "optimizer": "adam", "lr": None,
            "epochs": 100, "batch_size": 32, "init": "default", "loss": "cross_entropy", "bias": True}
# Set-ups of the notes, exactly: seed 003's XOR network is 2-3-1 with a sigmoid hidden layer and a linear
# output, no biases, L = 1/(2N) Σ (ŷ - y)², plain gradient descent with lr 0.1 on all four points, 10,000 epochs.
PRESETS = {"notes-xor": {"dataset": "xor4", "hidden": "3", "activation": "sigmoid", "optimizer": "sgd", "lr": 0.1,
                         "epochs": 10000, "batch_size": 4, "init": "normal", "loss": "mse", "bias": False}}


def add_parser(commands):
    p = commands.add_parser("train", help="train an MLP and report what happened inside it")
    p.add_argument("--preset", choices=sorted(PRESETS),
                   help="a set-up of the lecture notes (notes-xor: seed 003's XOR network); other flags override it")
    p.add_argument("--dataset", choices=DATASETS, help="default spirals; xor4 is the four XOR points of the notes")
    p.add_argument("--hidden", help="hidden layer sizes, comma separated (default 32,32)")
    p.add_argument("--activation",
                   choices=["relu", "tanh", "sigmoid", "leaky_relu", "elu", "softplus", "identity", "step"])
    p.add_argument("--optimizer", choices=OPTIMIZERS, help="default adam")
    p.add_argument("--lr", type=float, help="learning rate (default 0.01 adam, 0.1 otherwise)")
    p.add_argument("--epochs", type=int, help="default 100")
    p.add_argument("--batch-size", type=int, help="default 32")
    p.add_argument("--init", choices=sorted(INITIALIZERS),
                   help="weight initialisation, a scheme of chainrule.nn.init (normal is N(0, 1)); default: PyTorch's")
    p.add_argument("--loss", choices=["cross_entropy", "mse"],
                   help="cross_entropy (default), or mse: the notes' 1/(2N) Σ (ŷ - y)² (one-hot labels for 3+ classes)")
    p.add_argument("--no-bias", dest="bias", action="store_const", const=False, help="Linear layers without bias")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="chainrule-out", help="output folder (default ./chainrule-out)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_device_argument(p)
    p.add_argument("--jit", action="store_true",
                   help="trace the forward and backward passes once and replay them (cr.jit); prints the speed-up")
    return p


def add_device_argument(parser):
    """The --device flag train, attack and visualize share."""
    parser.add_argument("--device", default="cpu",
                        help="where to compute: cpu (default), cuda or cuda:<n> (needs CuPy: pip install "
                             "'chainrule[gpu]')")


def checked_device(text):
    """The --device value, checked before any work: a one-line error when CuPy or a GPU is missing."""
    from ..core import backend

    kind, index = backend.parse_device(text)
    if kind != "cpu":
        backend.backend_for(kind)  # raises DeviceError (a ChainruleError): what to install, or no GPU seen
    return text


def resolve_settings(args):
    """The command line's flags, filled in from the preset, then from DEFAULTS."""
    preset = PRESETS.get(getattr(args, "preset", None) or "", {})
    for key, default in DEFAULTS.items():
        if getattr(args, key, None) is None:
            setattr(args, key, preset.get(key, default))
    return args


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


def _physical_memory():
    """The machine's memory, or a container's limit (cgroup v2 or v1) where that is smaller; None if unknown."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            with open(limit_file) as f:
                text = f.read().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def check_memory(sizes, optimizer, bias=True, itemsize=8, available=None):
    """Refuse, in one line, a network whose parameters this machine cannot hold.

    Counts the weights, their gradients, the optimizer's state (Adam: two
    moments), and the two copies training keeps (fit's last finite step and
    the gradient monitor's update ratio).

    Example:
        >>> from chainrule.cli.train import check_memory
        >>> check_memory([2, 100000, 100000, 3], "adam", available=16e9)
        Traceback (most recent call last):
        ...
        chainrule.core.errors.ChainruleError: a 2-100000-100000-3 network has 10,000,700,003 parameters: ...
    """
    count = sum(a * b + (b if bias else 0) for a, b in zip(sizes[:-1], sizes[1:]))
    copies = 4 + {"adam": 2, "momentum": 1}.get(optimizer, 0)
    needed = count * itemsize * copies
    available = _physical_memory() if available is None else available
    if available is not None and needed > available:
        raise ChainruleError(f"a {'-'.join(map(str, sizes))} network has {count:,} parameters: training it needs "
                             f"about {needed / 1e9:,.1f} GB (weights, gradients, {optimizer} state), and this "
                             f"machine has {available / 1e9:,.1f} GB; use smaller --hidden layers")
    return needed


def _load_dataset(name, seed):
    from .. import data

    if name == "xor4":  # the notes train and test on the same four points
        X, y = data.xor()
        return X, y, X, y
    if name == "digits":
        X, y = data.digits()
    elif name == "xor":
        X, y = data.xor(200, noise=0.1, seed=seed)
    elif name == "spirals":
        X, y = data.spirals(600, classes=3, noise=0.2, seed=seed)
    else:
        X, y = data.GENERATORS[name](400, seed=seed)
    return data.train_test_split(X, y, test_fraction=0.25, seed=seed)


def _loss_setup(name, classes):
    """(loss_fn, number of outputs, encode(labels) -> targets, metrics) for `--loss`."""
    import chainrule.nn.functional as F

    if name == "cross_entropy":
        return F.cross_entropy, classes, (lambda y: y), {"accuracy": F.accuracy}
    outputs = 1 if classes == 2 else classes

    def encode(y):
        return y.astype(np.float64)[:, None] if outputs == 1 else np.eye(classes)[y]

    def half_mse(out, target):  # the notes' L = 1/(2N) Σ ||ŷ - y||²
        return F.mse_loss(out, target, reduction="sum") / (2 * len(target))

    def accuracy(out, target):  # labels: the one column thresholded at 0.5, or the largest of several
        labels = target[:, 0] if outputs == 1 else target.argmax(axis=1)
        return F.accuracy(out, labels)

    return half_mse, outputs, encode, {"accuracy": accuracy}


def run_train(args) -> int:
    import chainrule as cr

    from ..tools.diagnostics import standard_monitors

    args = resolve_settings(args)
    for flag, value in (("--epochs", args.epochs), ("--batch-size", args.batch_size)):
        if value < 1:
            raise ChainruleError(f"{flag} must be at least 1, got {value}")
    if args.lr is not None and not args.lr > 0:
        raise ChainruleError(f"--lr must be positive, got {args.lr}")
    hidden = _hidden_sizes(args.hidden)
    device = checked_device(getattr(args, "device", "cpu"))
    if args.jit and device != "cpu":
        raise ChainruleError("--jit replays NumPy kernels on the CPU; leave it out with --device " + device)
    prepare_out(args.out)  # fail before training, not after it
    X_train, y_train, X_test, y_test = _load_dataset(args.dataset, args.seed)
    classes = int(max(y_train.max(), y_test.max())) + 1
    loss_fn, outputs, encode, metrics = _loss_setup(args.loss, classes)
    sizes = [X_train.shape[1], *hidden, outputs]
    check_memory(sizes, args.optimizer, args.bias)
    rng = np.random.default_rng(args.seed)
    try:
        model = cr.nn.MLP(sizes, activation=args.activation, bias=args.bias, init_scheme=args.init, rng=rng)
    except MemoryError:
        raise ChainruleError(f"not enough memory for a {'-'.join(map(str, sizes))} network") from None
    model.to(device)  # fit then moves each batch to the model's device
    lr = args.lr if args.lr is not None else (0.01 if args.optimizer == "adam" else 0.1)
    if args.optimizer == "adam":
        optimizer = cr.optim.Adam(model.parameters(), lr=lr)
    else:
        optimizer = cr.optim.SGD(model.parameters(), lr=lr, momentum=0.9 if args.optimizer == "momentum" else 0.0)
    monitors = standard_monitors()
    print(f"dataset {args.dataset}: {len(X_train)} train / {len(X_test)} test examples, {classes} classes"
          + (f" (preset {args.preset})" if args.preset else ""))
    print(model)
    if args.jit:
        _print_jit_speedup(model, loss_fn, optimizer, X_train[:args.batch_size], encode(y_train[:args.batch_size]))
    start = time.perf_counter()
    same = X_test is X_train  # the notes' XOR: nothing held out, so evaluate once at the end
    try:
        history = cr.train.fit(model, loss_fn, optimizer, (X_train, encode(y_train)), epochs=args.epochs,
                               batch_size=args.batch_size, val_data=None if same else (X_test, encode(y_test)),
                               callbacks=monitors, progress=not args.no_progress, seed=args.seed, metrics=metrics,
                               shuffle=args.batch_size < len(X_train),  # full batch: the notes' order, exactly
                               jit=args.jit)
    except cr.train.NonFiniteLossError as exc:
        _print_diagnostics(monitors)
        raise ChainruleError(f"training stopped: {exc}") from None
    except MemoryError:
        raise ChainruleError(f"ran out of memory training a {'-'.join(map(str, sizes))} network") from None
    seconds = time.perf_counter() - start
    model.cpu()  # the report (pictures, saved weights) reads host arrays
    train_acc = history["accuracy"][-1]
    if same:
        test_acc = cr.train.evaluate(model, loss_fn, (X_test, encode(y_test)), metrics=metrics)["accuracy"]
    else:
        test_acc = history["val_accuracy"][-1]
    print(f"trained {args.epochs} epochs in {seconds:.1f} s: train accuracy {train_acc:.3f}, "
          f"test accuracy {test_acc:.3f}, final loss {history['loss'][-1]:.4f}")
    if args.dataset == "xor4":
        with cr.no_grad():
            outs = model(cr.tensor(X_test)).numpy().reshape(len(X_test), -1)[:, 0]
        print("predictions: " + ", ".join(f"XOR({int(a)}, {int(b)}) = {o:.3f}" for (a, b), o in zip(X_test, outs)))
    findings = _print_diagnostics(monitors)
    _write_outputs(args, model, history, monitors[0], findings, X_test, y_test, train_acc, test_acc, seconds)
    return 0


def _print_jit_speedup(model, loss_fn, optimizer, xb, yb):
    from ..jit import speedup
    from ..train import forward_backward

    eager, jitted = speedup(forward_backward(model, loss_fn, optimizer), xb, yb)
    optimizer.zero_grad()
    print(f"cr.jit: forward + backward {jitted * 1e3:.3f} ms a batch, eager {eager * 1e3:.3f} ms: "
          f"{eager / jitted:.1f}x faster")


def _print_diagnostics(monitors):
    grad_monitor = monitors[0]
    print("diagnostics:")
    for name, norms in grad_monitor.grad_norms.items():
        ratio = grad_monitor.update_ratios[name][-1]
        print(f"  layer {name}: gradient norm {norms[-1]:.3e}, update/weight {ratio:.2e}")
    findings = [f for m in monitors for f in m.findings()]
    for line in findings or ["no warnings"]:
        print(f"  {line}")
    return findings


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
               "optimizer": args.optimizer, "loss": args.loss, "bias": args.bias, "epochs": args.epochs,
               "batch size": args.batch_size, "init": args.init, "seed": args.seed,
               "train accuracy": f"{train_acc:.4f}", "test accuracy": f"{test_acc:.4f}", "seconds": f"{seconds:.1f}"}
    if args.preset:
        summary = {"preset": args.preset, **summary}
    page = os.path.join(args.out, "report.html")
    report.write_html_report(page, "chainrule train", summary, findings, images)
    print(f"wrote {page}, {weights}" + "".join(f", {p}" for _, p in images))
