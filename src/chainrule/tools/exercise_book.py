"""The notes' exercises (seeds 000-003) as data: task, numbers, and chainrule's solution of each.

Every `solve` computes the answer with chainrule from the definition in the
task, never from a hand-written formula (tests/test_exercises.py compares
these with the notes' printed numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np


@dataclass
class Exercise:
    """One exercise: its task, data, and how chainrule solves it (`solve(data) -> {entry: value}`)."""

    key: str
    source: str
    title: str
    task: str
    data: dict
    solve: object
    tol: float = 1e-3
    function: str | None = None  # a Python-file answer defines this function of the data
    open_part: str = ""  # what the notes ask that no number can check
    layouts: dict = field(default_factory=dict)  # entry -> which layout it is asked in

    def expected(self):
        """The entries and their values, computed by chainrule."""
        return {k: np.asarray(v, dtype=np.float64) for k, v in _solved(self.key).items()}


@cache
def _solved(key):
    ex = EXERCISES[key]
    return ex.solve({k: np.asarray(v, dtype=np.float64) for k, v in ex.data.items()})



def _cr():
    import chainrule as cr

    return cr


def _grads(f, data, names):
    """chainrule's gradient of f(**data) with respect to `names`, in that order."""
    cr = _cr()
    ts = {k: cr.tensor(v, dtype=np.float64, requires_grad=k in names) for k, v in data.items()}
    out = f(**ts)
    out.sum().backward()
    return [ts[k].grad.numpy() for k in names]


# ---- seed 000 ------------------------------------------------------------------------------
F_Y = "f(y) = (y1 y2, sin y3)"
G_X = "g(x) = (x1 + x2, x1 x2, x2^2)"


def _f(y):
    cr = _cr()
    return cr.stack([y[0] * y[1], cr.sin(y[2])])


def _g(x):
    cr = _cr()
    return cr.stack([x[0] + x[1], x[0] * x[1], x[1] ** 2])


def _solve_1a(d):
    cr = _cr()
    x = d["x"]
    Jg = cr.jacobian(_g)(cr.tensor(x)).numpy()
    Jf = cr.jacobian(_f)(_g(cr.tensor(x))).numpy()
    Jfg = cr.jacobian(lambda x: _f(_g(x)))(cr.tensor(x)).numpy()
    return {"df/dy at g(x)": Jf, "dg/dx": Jg, "d(f o g)/dx": Jfg}


def _solve_1b(d):
    cr = _cr()
    J = cr.jacobian(lambda W: W @ cr.tensor(d["v"]))(cr.tensor(d["W"])).numpy()
    return {"shape of dg/dW": np.array(J.shape), "dg/dvec(W)": J.reshape(J.shape[0], -1)}


NET = {"x": [1.0, -1.0], "W0": [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6], [0.7, 0.8]], "b0": [0.0, 0.1, -0.1, 0.2],
       "W1": [[1.0, -1.0, 0.5, -0.5]], "b1": [0.1]}
ZERO = {"x": [1.0, -1.0], "W0": [[0.0, 0.0]] * 4, "b0": [0.0] * 4, "W1": [[0.0] * 4], "b1": [0.0]}
NET_TASK = ("Seed 000, 3.1: a 1-hidden-layer network with sigmoid hidden layer z and linear output y:\n"
            "z = σ(W0 x + b0), y = W1 z + b1, with d = 2 inputs and h = 4 hidden units (W1 is 1×4).")


def _net(x, W0, b0, W1, b1):
    cr = _cr()
    return W1 @ cr.sigmoid(W0 @ x + b0) + b1


def _forward(d):
    cr = _cr()
    z = cr.sigmoid(cr.tensor(d["W0"]) @ d["x"] + d["b0"])
    return {"z": z.numpy(), "y": _net(**{k: cr.tensor(v) for k, v in d.items()}).numpy()}


def _solve_31b(d):
    g = _grads(_net, d, ["W1", "b1"])
    return {"dy/dW1": g[0], "dy/db1": g[1]}


def _solve_31c(d):
    cr = _cr()
    z = cr.sigmoid(cr.tensor(d["W0"]) @ d["x"] + d["b0"]).numpy()
    dz = cr.grad(lambda z: (cr.tensor(d["W1"]) @ z + d["b1"]).sum())(cr.tensor(z)).numpy()
    return {"dy/dz": dz}


def _solve_31d(d):
    g = _grads(_net, d, ["W0", "b0"])
    return {"dy/dW0": g[0], "dy/db0": g[1]}


def _solve_32b(d):
    g = _grads(_net, d, ["W1", "b1", "W0", "b0"])
    return {"dy/dW1": g[0], "dy/db1": g[1], "dy/dW0": g[2], "dy/db0": g[3]}


def _solve_32c(d):
    cr = _cr()
    ps = {k: cr.tensor(np.full(np.shape(v), d["c"]), requires_grad=True) for k, v in NET.items() if k != "x"}
    opt = cr.optim.SGD(list(ps.values()), lr=0.1)
    for _ in range(int(d["steps"])):
        opt.zero_grad()
        (0.5 * (_net(cr.tensor(d["x"]), **ps) - 1.0) ** 2).sum().backward()
        opt.step()
    rows = np.unique(np.round(ps["W0"].numpy(), 12), axis=0)
    return {"distinct rows of W0": len(rows)}


def _sum_sin(x):
    return _cr().sin(x).sum()


def _solve_33a(d):
    cr, x, eps = _cr(), d["x"], float(d["eps"])
    f0 = _sum_sin(cr.tensor(x)).item()
    fd = [(_sum_sin(cr.tensor(x + eps * e)).item() - f0) / eps for e in np.eye(len(x))]
    exact = cr.grad(_sum_sin)(cr.tensor(x)).numpy()
    fd = np.array(fd)
    return {"forward evaluations": len(x) + 1, "estimate": fd, "max error": np.abs(fd - exact).max()}


def _f33b(x):
    cr = _cr()
    return x[0] * x[1] + cr.exp(x[1] * x[2])


def _solve_33c(d):
    n = int(np.prod(np.shape(d["W0"])))
    return {"forward-mode passes": n, "reverse-mode passes": 1}


# ---- seed 001 ------------------------------------------------------------------------------
def _solve_001(d):
    cr = _cr()
    W0, W1 = (cr.tensor(d[k], requires_grad=True) for k in ("W0", "W1"))
    x1 = W0 @ d["x0"]
    x3 = W1 @ cr.tanh(x1)
    loss = 0.5 * (x3 - d["y"]) ** 2
    loss.backward()
    lr = float(d["lr"])
    return {"x1": x1.numpy(), "x3": x3.numpy(), "dL/dx3": x3.numpy() - d["y"],
            "dL/dW0 (numerator layout)": W0.grad.numpy().T,
            "W0 after the step": W0.numpy() - lr * W0.grad.numpy(),
            "W1 after the step": W1.numpy() - lr * W1.grad.numpy()}


# ---- seed 002 ------------------------------------------------------------------------------
def _solve_neuron(d):
    cr = _cr()
    w, b = cr.tensor(d["w"], requires_grad=True), cr.tensor(d["b"], requires_grad=True)
    z = w * d["x"] + b
    z.retain_grad()
    y = cr.sigmoid(z)
    y.retain_grad()
    L = 0.5 * (y - d["c"]) ** 2
    L.backward()
    return {"y": y.numpy(), "L": L.numpy(), "dL/dy": y.grad.numpy(), "dL/dz": z.grad.numpy(),
            "dL/dw": w.grad.numpy(), "dL/db": b.grad.numpy()}


def _gates(x, y, z, w):
    return 2 * (x * y + _cr().maximum(z, w))


def _solve_gates(d):
    g = _grads(_gates, {k: d[k] for k in "xyzw"}, list("xyzw"))
    (copy,) = _grads(lambda x: x * x, {"x": d["x"]}, ["x"])
    return {"df/dx": g[0], "df/dy": g[1], "df/dz": g[2], "df/dw": g[3], "d(x x)/dx": copy}


def _solve_f(d):
    t = _cr().trace("ln(x1) + x1*x2 - sin(x2)", x1=d["x1"], x2=d["x2"])
    return {"y": t.value, "dy/dx1": t.gradient["x1"], "dy/dx2": t.gradient["x2"]}


# ---- seed 003 ------------------------------------------------------------------------------
XOR = {"X": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], "y": [[0.0], [1.0], [1.0], [0.0]],
       "w1": [[3.1, 1.5, -1.9], [-0.4, -0.6, 4.7]], "w2": [[-1.9], [2.8], [0.2]]}
XOR_TASK = ("Seed 003: XOR with a 2-3-1 network without biases, sigmoid activations, "
            "L = 1/(2N) Σ (ŷ - y)², ŷ = σ(σ(X w1) w2).")


def _xor_loss(X, y, w1, w2):
    cr = _cr()
    return 0.5 * ((cr.sigmoid(cr.sigmoid(X @ w1) @ w2) - y) ** 2).mean()


def _solve_xor_grad(d):
    g = _grads(_xor_loss, d, ["w1", "w2"])
    return {"dL/dw1": g[0], "dL/dw2": g[1]}


@cache
def _xor_trained(epochs, lr):
    cr = _cr()
    X, y = cr.tensor(XOR["X"], dtype=np.float64), cr.tensor(XOR["y"], dtype=np.float64)
    w1, w2 = (cr.tensor(XOR[k], dtype=np.float64, requires_grad=True) for k in ("w1", "w2"))
    opt = cr.optim.SGD([w1, w2], lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        loss = _xor_loss(X, y, w1, w2)
        loss.backward()
        opt.step()
    with cr.no_grad():
        out = cr.sigmoid(cr.sigmoid(X @ w1) @ w2).numpy()
    return _xor_loss(X, y, w1, w2).item(), out


def _solve_linear(d):
    cr = _cr()
    w = cr.tensor(np.zeros((2, 1)), requires_grad=True)
    opt = cr.optim.SGD([w], lr=1.0)
    for _ in range(500):  # a convex problem: gradient descent finds the least-squares fit
        opt.zero_grad()
        loss = 0.5 * ((cr.tensor(d["X"]) @ w - d["y"]) ** 2).mean()
        loss.backward()
        opt.step()
    return {"smallest loss": loss.item()}


def _solve_q4(d):
    cr = _cr()
    ts = {k: cr.tensor(v, requires_grad=True) for k, v in d.items()}
    h = cr.sigmoid(ts["X"] @ ts["w1"] + ts["b1"])
    loss = 0.5 * ((cr.sigmoid(h @ ts["w2"] + ts["b2"]) - ts["y"]) ** 2).mean()
    loss.backward()
    return {"dL/db1": ts["b1"].grad.numpy(), "dL/db2": ts["b2"].grad.numpy()}


def _solve_q7(d):
    cr = _cr()
    x = cr.tensor(d["x"])
    y_of_x = lambda x: cr.stack([x[0] * x[1], x[0] + x[1], cr.sin(x[0])])  # noqa: E731
    z_of_y = lambda y: y[0] * y[1] + y[2]  # noqa: E731
    y = y_of_x(x)
    return {"grad_y z": cr.grad(z_of_y)(y).numpy(), "J_x(y)": cr.jacobian(y_of_x)(x).numpy(),
            "dz/dx": cr.grad(lambda x: z_of_y(y_of_x(x)))(x).numpy()}


def _param_count(sizes):
    return {"parameters": sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))}


_LIST = [
    Exercise("000-1a", "000", "Chain rule for Jacobians (1a)",
             f"Write the Jacobian of f∘g with the Jacobians ∂f/∂y of f and ∂g/∂x of g. Here {F_Y} (R³ → R²) and "
             f"{G_X} (R² → R³). Give ∂f/∂y at g(x) (2×3), ∂g/∂x (3×2) and ∂(f∘g)/∂x = ∂f/∂y · ∂g/∂x (2×2).",
             {"x": [1.0, 2.0]}, _solve_1a,
             open_part="what conditions must hold for the formula to make sense?"),
    Exercise("000-1b", "000", "A matrix input (1b)",
             "g(W) = W v with W ∈ R^{2×3}. The derivative ∂g/∂W is a 2×2×3 tensor, not a matrix; flatten W "
             "(vec(W): NumPy's row-major reshape) to write it as the 2×6 Jacobian ∂g/∂vec(W).",
             {"W": [[1.0, 2.0, 0.0], [0.5, -1.0, 3.0]], "v": [1.0, 2.0, 3.0]}, _solve_1b),
    Exercise("000-3.1a", "000", "Forward pass (3.1a)", NET_TASK + "\nGive z and y.", NET, _forward,
             function="forward"),
    Exercise("000-3.1b", "000", "Output-layer derivatives (3.1b)", NET_TASK + "\nGive ∂y/∂W1 and ∂y/∂b1.", NET,
             _solve_31b, function="derivatives", layouts={"dy/dW1": "the shape of W1"}),
    Exercise("000-3.1c", "000", "Derivative by the hidden layer (3.1c)", NET_TASK + "\nGive ∂y/∂z.", NET,
             _solve_31c, function="derivatives"),
    Exercise("000-3.1d", "000", "Hidden-layer derivatives (3.1d)", NET_TASK + "\nGive ∂y/∂W0 and ∂y/∂b0.", NET,
             _solve_31d, function="derivatives", layouts={"dy/dW0": "the shape of W0"}),
    Exercise("000-3.2a", "000", "Zero initialisation: forward (3.2a)",
             NET_TASK + "\nEvery weight and bias is 0. Give z and y.", ZERO, _forward, function="forward"),
    Exercise("000-3.2b", "000", "Zero initialisation: gradients (3.2b)",
             NET_TASK + "\nEvery weight and bias is 0. Give ∂y/∂W1, ∂y/∂b1, ∂y/∂W0 and ∂y/∂b0.", ZERO, _solve_32b,
             function="derivatives"),
    Exercise("000-3.2c", "000", "Constant initialisation keeps units identical (3.2c)",
             NET_TASK + "\nStart every weight and bias at the constant c and take `steps` gradient-descent steps "
             "(lr 0.1) on ½(y - 1)². How many distinct rows (hidden units) does W0 have?",
             {"x": NET["x"], "c": 0.3, "steps": 5}, _solve_32c,
             open_part="what does this imply for the expressiveness of the network?"),
    Exercise("000-3.3a", "000", "Finite differencing (3.3a)",
             "f(x) = Σ sin x_i. Estimate ∇f by one-sided differences (f(x + ε e_i) - f(x)) / ε. How many "
             "evaluations of f does it take, what is the estimate, and how far is it from the exact gradient "
             "(largest absolute error)?", {"x": [0.5, 1.0, 1.5], "eps": 1e-3}, _solve_33a, tol=2e-5,
             open_part="why does backprop win over this for n = 10⁶ parameters?"),
    Exercise("000-3.3b", "000", "Analytic differentiation (3.3b)",
             "f(x) = x1 x2 + exp(x2 x3). Derive ∇f by hand and code it: give ∇f at x, or a file defining grad_f(x).",
             {"x": [1.0, 2.0, 0.5]}, lambda d: {"grad f": _cr().grad(_f33b)(_cr().tensor(d["x"])).numpy()},
             function="grad_f", open_part="what makes hand-derived gradients error-prone or wasteful?"),
    Exercise("000-3.3c", "000", "Forward mode versus reverse mode (3.3c)",
             NET_TASK + "\nHow many forward-mode passes (JVPs, one per input direction) and how many reverse-mode "
             "passes (VJPs) give the whole of ∂y/∂W0?", {"W0": NET["W0"]}, _solve_33c),
    Exercise("001-worked", "001", "One step of backprop on the 2-2-1 tanh network (worked example)",
             "x1 = W0 x0, x2 = tanh(x1), x3 = W1 x2, L = ½(x3 - y)²; one gradient-descent step with learning "
             "rate 0.2. Give x1, x3, ∂L/∂x3, ∂L/∂W0 as the notes print it (numerator layout: the transpose of "
             "W0.grad) and the weights after the step (the notes round them to two digits).",
             {"W0": [[1.0, -3.0], [0.2, 1.0]], "W1": [1.0, -1.0], "x0": [1.0, 0.1], "y": 0.5, "lr": 0.2},
             _solve_001, tol=6e-3, layouts={"dL/dW0 (numerator layout)": "numerator layout = W0.grad.T"}),
    Exercise("002-neuron", "002", "One neuron", "z = w x + b, y = σ(z), L = ½(y - c)². Give y, L, dL/dy, dL/dz, "
             "∂L/∂w and ∂L/∂b.", {"x": 1.0, "c": 1.0, "w": 0.0, "b": 0.0}, _solve_neuron),
    Exercise("002-gates", "002", "Gates: add distributes, max routes, mul switches, copy adds",
             "f = 2 (x y + max(z, w)). Give ∂f/∂x, ∂f/∂y, ∂f/∂z, ∂f/∂w, and for the copy gate d(x·x)/dx.",
             {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}, _solve_gates),
    Exercise("002-f", "002", "f(x1, x2) = ln x1 + x1 x2 - sin x2 at (2, 5)",
             "Give y and both partial derivatives (the primal, tangent and adjoint traces: chainrule trace).",
             {"x1": 2.0, "x2": 5.0}, _solve_f, function="f_and_gradient"),
    Exercise("003-xor", "003", "XOR: the backward pass", XOR_TASK + "\nGive ∂L/∂w1 and ∂L/∂w2 at these weights "
             "(or a file defining backward_pass(X, y, w1, w2) returning them).", XOR, _solve_xor_grad,
             function="backward_pass"),
    Exercise("003-q1", "003", "Question 1: no activation",
             "Without the sigmoids the network is linear: ŷ = X w1 w2 = X w. What is the smallest loss "
             "L = 1/(2N) Σ (ŷ - y)² any weights reach on XOR?", {"X": XOR["X"], "y": XOR["y"]}, _solve_linear,
             open_part="implement ReLU or tanh instead and compare training."),
    Exercise("003-q2", "003", "Question 2: number of parameters",
             XOR_TASK + "\nHow many trainable parameters does it have?", {"sizes": [2, 3, 1]},
             lambda d: _param_count([int(s) for s in d["sizes"]])),
    Exercise("003-q3", "003", "Question 3: hyper-parameters",
             XOR_TASK + "\nTrain from the given weights for 10,000 epochs of full-batch gradient descent with "
             "learning rate 0.1. What is the training error L at the end?", XOR,
             lambda d: {"L": _xor_trained(10000, 0.1)[0]}, tol=1e-3,
             open_part="try other learning rates, widths and epoch counts."),
    Exercise("003-q4", "003", "Question 4: dense layers with bias",
             "Add biases: h = σ(X w1 + b1), ŷ = σ(h w2 + b2). Give ∂L/∂b1 and ∂L/∂b2 (the sum over the examples "
             "of the upstream gradients).", {**XOR, "b1": [0.0, 0.0, 0.0], "b2": [0.0]}, _solve_q4),
    Exercise("003-q5", "003", "Question 5: decision boundary",
             XOR_TASK + "\nAfter training as in question 3, which class (output > 0.5) does each of the four "
             "points get?", XOR, lambda d: {"classes": (_xor_trained(10000, 0.1)[1] > 0.5).astype(float)},
             open_part="what is a good decision boundary, and how do hyper-parameters change it?"),
    Exercise("003-q6", "003", "Question 6: an additional layer",
             "Add a hidden layer of 3 units: 2-3-3-1 without biases. How many trainable parameters now?",
             {"sizes": [2, 3, 3, 1]}, lambda d: _param_count([int(s) for s in d["sizes"]])),
    Exercise("003-q7", "003", "Question 7: the chain rule",
             "y = (x1 x2, x1 + x2, sin x1), z = y1 y2 + y3. Check ∂z/∂x_i = Σ_j ∂z/∂y_j ∂y_j/∂x_i = "
             "((∇_y z)ᵀ J_x(y))_i: give ∇_y z, J_x(y) and ∂z/∂x.", {"x": [1.0, 2.0]}, _solve_q7),
]
EXERCISES = {ex.key: ex for ex in _LIST}
