"""Optimizers and schedulers: the same update sequences as PyTorch's, and PyTorch's hyper-parameter errors."""

import math

import numpy as np
import pytest

import chainrule as cr

rng = np.random.default_rng(5)
W0, B0 = rng.normal(size=(3, 4)), rng.normal(size=3)
X, Y = rng.normal(size=(8, 4)), rng.normal(size=(8, 3))

OPTIMIZERS = [
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.99))),
    ("RMSprop", dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("Adadelta", dict(lr=1.0, rho=0.8, weight_decay=0.1)),
    ("Adamax", dict(lr=0.05, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
]


def _loss(w, b, x, y, lib):
    diff = x @ w.T + b - y
    return (diff * diff).mean() + (lib.tanh(w) ** 2).sum()


def _train(make, lib, steps=6, closure_style=False):
    """Steps of one optimizer on a small regression, returning the weights after each step."""
    w, b = (cr.nn.Parameter(W0.copy()), cr.nn.Parameter(B0.copy())) if lib is cr else (
        lib.tensor(W0.copy(), requires_grad=True), lib.tensor(B0.copy(), requires_grad=True))
    x, y = (cr.tensor(X), cr.tensor(Y)) if lib is cr else (lib.tensor(X), lib.tensor(Y))
    opt = make([w, b])
    history = []
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            loss = _loss(w, b, x, y, lib)
            loss.backward()
            return loss
        if closure_style:
            opt.step(closure)
        else:
            closure()
            opt.step()
        history.append(np.array(w.detach().numpy()))
    return np.array(history)


@pytest.mark.parametrize("name,kw", OPTIMIZERS)
def test_update_sequence_matches_torch(name, kw):
    torch = pytest.importorskip("torch")
    ours = _train(lambda ps: getattr(cr.optim, name)(ps, **kw), cr)
    theirs = _train(lambda ps: getattr(torch.optim, name)(ps, **kw), torch)
    # PyTorch keeps NAdam's momentum product μ_1···μ_t as a float32 scalar: agreement to float32 there
    np.testing.assert_allclose(ours, theirs, rtol=1e-7 if name == "NAdam" else 1e-9, atol=1e-12)


def test_lbfgs_matches_torch():
    torch = pytest.importorskip("torch")
    kw = dict(lr=0.5, max_iter=7, history_size=4)
    ours = _train(lambda ps: cr.optim.LBFGS(ps, **kw), cr, steps=3, closure_style=True)
    theirs = _train(lambda ps: torch.optim.LBFGS(ps, **kw), torch, steps=3, closure_style=True)
    np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)


def test_lbfgs_solves_a_quadratic():
    a = np.array([[3.0, 1.0], [1.0, 2.0]])
    w = cr.nn.Parameter([0.0, 0.0])
    opt = cr.optim.LBFGS([w], max_iter=50)

    def closure():
        opt.zero_grad()
        loss = 0.5 * (w @ cr.tensor(a) @ w) - w.sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(w.numpy(), np.linalg.solve(a, [1.0, 1.0]), atol=1e-6)


def test_parameter_groups_with_their_own_options_match_torch():
    torch = pytest.importorskip("torch")

    def make(lib):
        def build(ps):
            return lib.optim.Adam([{"params": [ps[0]], "lr": 0.1}, {"params": [ps[1]], "weight_decay": 0.5}], lr=0.01)
        return build

    np.testing.assert_allclose(_train(make(cr), cr), _train(make(torch), torch), rtol=1e-9, atol=1e-12)


SCHEDULERS = [
    ("StepLR", dict(step_size=2, gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
    ("LambdaLR", dict(lr_lambda=lambda e: 1 / (1 + e))),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=12)),
    ("OneCycleLR", dict(max_lr=0.5, epochs=3, steps_per_epoch=4, anneal_strategy="linear", three_phase=True)),
]


@pytest.mark.parametrize("name,kw", SCHEDULERS)
@pytest.mark.parametrize("opt_name", ["SGD", "Adam"])
def test_schedules_match_torch(name, kw, opt_name):
    torch = pytest.importorskip("torch")
    results = []
    for lib in (cr, torch):
        p = cr.nn.Parameter([1.0]) if lib is cr else torch.tensor([1.0], requires_grad=True)
        opt = getattr(lib.optim, opt_name)([p], lr=0.1, **({"momentum": 0.9} if opt_name == "SGD" else {}))
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
        seen = []
        for _ in range(11):
            group = opt.param_groups[0]
            seen.append([group["lr"], group.get("momentum", group.get("betas", (0,))[0])])
            opt.step()
            sched.step()
        results.append(np.array(seen))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-15)


def test_reduce_on_plateau_matches_torch():
    torch = pytest.importorskip("torch")
    metrics = [5.0, 4.0, 4.0, 4.0, 4.0, 3.99999, 3.0, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0]
    lrs = []
    for lib in (cr, torch):
        p = cr.nn.Parameter([1.0]) if lib is cr else torch.tensor([1.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=1.0)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5, cooldown=1, min_lr=0.2)
        seen = []
        for m in metrics:
            sched.step(m)
            seen.append(opt.param_groups[0]["lr"])
        lrs.append(seen)
    assert lrs[0] == lrs[1]


def test_one_cycle_by_hand():
    opt = cr.optim.SGD([cr.nn.Parameter([1.0])], lr=0.1)
    sched = cr.optim.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.5, cycle_momentum=False)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(9):
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    # up from 1/25 to 1 over steps 0..4 by a half cosine: 1 + (0.04 - 1)/2·(cos(π·k/4) + 1)
    np.testing.assert_allclose(lrs[:5], [1 + (0.04 - 1) / 2 * (math.cos(math.pi * k / 4) + 1) for k in range(5)])
    assert lrs[-1] == pytest.approx(0.04 / 1e4)
    with pytest.raises(ValueError, match="Tried to step 11 times"):
        sched.step(), sched.step()


BAD = [
    ("SGD", dict(lr=-1), "Invalid learning rate: -1"),
    ("SGD", dict(lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    ("Adam", dict(lr=-1), "Invalid learning rate: -1"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("Adam", dict(betas=(1.0, 0.999)), "Invalid beta parameter at index 0: 1.0"),
    ("AdamW", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    ("RMSprop", dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    ("Adagrad", dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adamax", dict(lr=-0.1), "Invalid learning rate: -0.1"),
    ("NAdam", dict(momentum_decay=-1), "Invalid momentum_decay value: -1"),
    ("LBFGS", dict(lr=-1), "Invalid learning rate: -1"),
]


@pytest.mark.parametrize("name,kw,message", BAD)
def test_invalid_hyperparameters_are_refused_as_torch_does(name, kw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        getattr(cr.optim, name)([cr.nn.Parameter([1.0])], **kw)
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        getattr(torch.optim, name)([torch.tensor([1.0], requires_grad=True)], **kw)


def _rosenbrock_lbfgs(lib, start, **kw):
    w = lib.tensor(np.array(start), requires_grad=True)
    opt = lib.optim.LBFGS([w], **kw)

    def closure():
        opt.zero_grad()
        loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    return closure().item(), w.detach().numpy().copy()


def test_lbfgs_with_strong_wolfe_line_search_reaches_the_rosenbrock_minimum():
    kw = dict(lr=1.0, max_iter=20, history_size=10, line_search_fn="strong_wolfe")
    loss, w = _rosenbrock_lbfgs(cr, [-1.5, 2.0], **kw)
    np.testing.assert_allclose(w, [1.0, 1.0], atol=1e-4)  # the minimum of (1 - a)² + 100 (b - a²)²
    assert loss < 1e-8
    fixed_loss, _ = _rosenbrock_lbfgs(cr, [-1.5, 2.0], lr=1e-3, max_iter=20)  # the fixed step gets nowhere near
    assert fixed_loss > 1e-3
    torch = pytest.importorskip("torch")
    theirs_loss, theirs_w = _rosenbrock_lbfgs(torch, [-1.5, 2.0], **kw)
    np.testing.assert_allclose(w, theirs_w, atol=1e-8)  # the same search: the same steps
    assert loss == pytest.approx(theirs_loss, rel=1e-5)


def test_lbfgs_refuses_an_unknown_line_search():
    with pytest.raises(ValueError, match="strong_wolfe"):
        cr.optim.LBFGS([cr.nn.Parameter([1.0])], line_search_fn="backtracking")
