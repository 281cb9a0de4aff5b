"""Kernels: the NumPy forms a plan replays in place of an op's forward or VJP rule.

A column beside the op table, keyed by op name (FORWARD) or by op name and
input number (VJP): each entry is a builder that, shown the arrays of the
traced call, returns `(func, text)`, a function writing into a buffer it
allocated once (`out=`), or None when the call is not one it covers (then
the plan calls the op's own forward or rule). Kernels do the same floating
point operations in the same order as the rules they stand for, so results
stay bit for bit equal; tests/test_jit_kernels.py checks every entry
against the op's forward / the sweep's rule on the registry's test cases.

- matmul and linear use np.dot into a preallocated buffer; their VJPs
  multiply by `y.T` (a NumPy view), never through chainrule's transpose op;
- elementwise ops whose forward is a NumPy ufunc call it with `out=`;
- relu's VJP reproduces the sweep's `_select` without a fresh array;
- an adjoint sum and an in-place update (`w -= lr * g`) write into place;
- SGD without momentum or weight decay is, per parameter, the scaled
  gradient `g · (-lr)` into a buffer and one in-place add.
"""

from __future__ import annotations

from math import isfinite

import numpy as np

from ..core.registry import OPS
from ..ops import elementwise

_ndarray = np.ndarray


class Code:
    """A kernel written as NumPy source: the plan pastes it in as a line of its own (no Python call).

    `template` names the inputs {0}, {1}, ..., the adjoint {g}, the saved residual {saved} and the
    buffer written {out}; other names ({mask}, {f}, ...) are the helpers in `names`. `text` is what
    the plan prints. Calling a Code runs it on arrays, with the signature of the rule or forward it
    stands for (`(*inputs)`, or `(g, ans, *inputs[, saved])` for a VJP): the tests use that.
    """

    def __init__(self, kind, template, out=None, text=None, **names):
        self.kind, self.template, self.out, self.names = kind, template, out, names
        self.text = text or template

    def render(self, inputs, g=None, saved=None, out=None, prefix=""):
        """(source, {name: object}) with the plan's names for the inputs and buffer and `prefix` for helpers."""
        helpers = {k: prefix + k for k in self.names}
        source = self.template.format(*inputs, g=g, saved=saved, out=out, **helpers)
        return source, {prefix + k: v for k, v in self.names.items()}

    def describe(self, inputs, g=None, out=None):
        """The line the plan prints, with its names for the inputs and buffer."""
        return self.text.format(*inputs, g=g, saved="saved", out=out, **{k: k for k in self.names})

    def __call__(self, *args):
        if self.kind in ("forward", "update"):
            g, saved, inputs = None, None, list(args)
        else:
            g, _, *inputs = args
            saved = inputs.pop() if "{saved}" in self.template else None
        names = {f"a{i}": x for i, x in enumerate(inputs)}
        source, helpers = self.render(list(names), g="ag", saved="asaved", out="aout", prefix="h_")
        scope = {"np": np, "ag": g, "asaved": saved, "aout": self.out, **names, **helpers}
        exec(source, scope)  # noqa: S102
        return scope["aout"]  # the buffer, or what a template assigning {out} bound to it


def _arrays_of(dtype, *xs):
    return all(isinstance(x, _ndarray) and x.dtype == dtype for x in xs)


def _buffer(like):
    return np.empty(np.shape(like), np.asarray(like).dtype)


# ---- forward ---------------------------------------------------------------------------------
def _matmul(inputs, params, value):
    x, y = inputs
    if params or not (_arrays_of(value.dtype, x, y) and x.ndim == 2 and y.ndim == 2) or value.dtype.kind != "f":
        return None
    return Code("forward", "np.dot({0}, {1}, out={out})", _buffer(value))


def _linear(inputs, params, value):
    if params or len(inputs) != 3 or value.dtype.kind != "f":
        return None
    x, w, b = inputs
    if not (_arrays_of(value.dtype, x, w, b) and x.ndim == 2 and w.ndim == 2 and b.ndim == 1):
        return None
    return Code("forward", "np.dot({0}, {1}.T, out={out}); np.add({out}, {2}, out={out})", _buffer(value))


def _ufunc(ufunc):
    def build(inputs, params, value):
        if params or len(inputs) != ufunc.nin or not isinstance(value, _ndarray):
            return None
        if np.broadcast_shapes(*map(np.shape, inputs)) != value.shape:
            return None
        buf = _buffer(value)
        try:  # the same loop as the forward's (same dtypes): the trial gives the forward's bits
            if ufunc(*inputs, out=buf).tobytes() != value.tobytes():
                return None
        except TypeError:
            return None
        names = ", ".join(f"{{{i}}}" for i in range(ufunc.nin))
        return Code("forward", f"{{f}}({names}, out={{out}})", buf, f"np.{ufunc.__name__}({names}, out={{out}})",
                    f=ufunc)

    return build


def _relu(inputs, params, value):
    (x,) = inputs
    if params or not isinstance(x, _ndarray) or x.dtype != value.dtype:
        return None
    return Code("forward", "np.maximum({0}, 0, out={out})", _buffer(value))


def _transpose(inputs, params, value):
    (x,) = inputs
    if params.get("axes") is not None or not isinstance(x, _ndarray):
        return None
    return Code("forward", "{out} = {0}.T")  # a view, as np.transpose(x): no buffer, no copy


FORWARD = {"matmul": _matmul, "linear": _linear, "relu": _relu, "transpose": _transpose}
FORWARD.update({name: _ufunc(op.forward) for name, op in OPS.items()
                if isinstance(op.forward, np.ufunc) and name not in FORWARD and op.forward.nout == 1})


def _xent_saving(inputs, params, value, saved):
    """softmax_cross_entropy's saving forward (loss and direction) for (rows, classes) logits, into buffers.

    The same passes as nn_ops._softmax_xent_saving; anything unusual (a non-finite row maximum,
    a target out of range) is handed to that function itself, which gives the result or the error.
    """
    x, target = inputs
    reduction = params.get("reduction", "none")
    if reduction not in ("mean", "sum") or not isinstance(x, _ndarray) or x.ndim != 2 or not x.size:
        return None
    if not (isinstance(target, _ndarray) and target.dtype.kind == "i" and target.shape == x.shape[:1]):
        return None
    op = OPS["softmax_cross_entropy"]
    n = x.shape[0]
    m, z, e, s, rows = np.empty((n, 1), x.dtype), _buffer(x), _buffer(x), np.empty((n, 1), x.dtype), np.arange(n)

    def xent(x, target):
        np.maximum.reduce(x, axis=1, keepdims=True, out=m)
        if np.minimum.reduce(target, axis=None) < 0 or not isfinite(np.vdot(m, m)):
            return op.saving_forward(x, target, reduction=reduction)  # the op's own path (or its error)
        np.subtract(x, m, out=z)
        np.exp(z, out=e)
        np.add.reduce(e, axis=1, keepdims=True, out=s)
        try:
            picked = z[rows, target]
        except IndexError:  # a class >= classes
            return op.saving_forward(x, target, reduction=reduction)
        losses = np.log(s[:, 0]) - picked
        np.divide(e, s, out=e)
        e[rows, target] -= 1
        total = np.add.reduce(losses, axis=None)
        return np.asarray(total / losses.size if reduction == "mean" else total), e

    return xent, "xent: np.maximum.reduce, np.subtract, np.exp, np.add.reduce, np.log into buffers"


SAVING = {"softmax_cross_entropy": _xent_saving}


def saving_kernel(op, inputs, params, value, saved):
    """(func, text) for a forward that also saves a residual (func returns both), or None."""
    build = SAVING.get(op.name)
    return None if build is None else build(inputs, params, value, saved)


def forward_kernel(op, inputs, params, value):
    """(func, text) for a traced forward call, or None (then the op's forward is called)."""
    build = FORWARD.get(op.name)
    return None if build is None else build(inputs, params, value)


# ---- VJP: (g, ans, *inputs) -> the adjoint contribution, after the engine's fix-ups -------------
def _matmul_vjp(argnum):
    def build(g, ans, inputs, params, gi):
        x, y = inputs
        if params or not (_arrays_of(gi.dtype, g, x, y) and g.ndim == x.ndim == y.ndim == 2) or gi.dtype.kind != "f":
            return None
        if argnum == 0:
            return Code("vjp", "np.dot({g}, {1}.T, out={out})", _buffer(gi))
        return Code("vjp", "np.dot({0}.T, {g}, out={out})", _buffer(gi))

    return build


def _linear_vjp(argnum):
    def build(g, ans, inputs, params, gi):
        if params or len(inputs) != 3:
            return None
        x, w, b = inputs
        if not (_arrays_of(gi.dtype, g, x, w, b) and g.ndim == x.ndim == w.ndim == 2 and b.ndim == 1):
            return None
        code = ("np.dot({g}, {1}, out={out})", "np.dot({g}.T, {0}, out={out})",
                "np.add.reduce({g}, axis=0, out={out})")[argnum]
        return Code("vjp", code, _buffer(gi))

    return build


def _relu_vjp(g, ans, inputs, params, gi):
    (x,) = inputs
    if params or not (_arrays_of(gi.dtype, g, x) and g.shape == x.shape) or gi.dtype.kind != "f":
        return None
    buf, mask = _buffer(gi), np.empty(x.shape, bool)
    small = g.size < elementwise._BRANCH_FREE_SIZE
    if small:  # the sweep's np.where(x > 0, g, 0.0) itself (a masked copyto into a buffer is slower)
        return Code("vjp", "np.greater({0}, 0, out={mask}); {out} = np.where({mask}, {g}, 0.0)", mask=mask)

    def relu_vjp(g, ans, x):  # the sweep's _select(x > 0, g), into buffers
        np.greater(x, 0, out=mask)
        if not small:
            np.multiply(g, mask, out=buf)
            if np.isfinite(buf).all():
                return buf
        np.copyto(buf, 0.0)
        np.copyto(buf, g, where=mask)
        return buf

    return relu_vjp, "np.greater({0}, 0, out=mask); np.copyto({out}, {g}, where=mask)"


def _passes_adjoint_on(g, ans, inputs, params, gi):
    """add's VJP for an input of the output's shape: the adjoint itself, no call at all."""
    if gi is not g:
        return None
    return Code("vjp", "{out} = {g}")


def _summed_to_row(g, ans, inputs, params, gi):
    """add's VJP for a bias broadcast over rows: the sweep's sum_to, as one reduce into a buffer."""
    if not (isinstance(g, _ndarray) and isinstance(gi, _ndarray) and g.ndim == 2 and gi.shape == g.shape[1:]
            and g.dtype == gi.dtype and gi.dtype.kind == "f"):
        return None
    return Code("vjp", "np.add.reduce({g}, axis=0, out={out})", _buffer(gi))


def _add_vjp(g, ans, inputs, params, gi):
    return _passes_adjoint_on(g, ans, inputs, params, gi) or _summed_to_row(g, ans, inputs, params, gi)


def _xent_vjp(g, ans, inputs, params, gi):
    """softmax_cross_entropy, mean reduction: the saved direction times g / n, into a buffer."""
    logits, target = inputs[:2]
    if params.get("reduction") != "mean" or not isinstance(gi, _ndarray) or gi.dtype.kind != "f":
        return None
    return Code("vjp", "np.multiply({saved}, {g} / {n}, out={out})", _buffer(gi), n=max(np.size(target), 1))


def _transpose_vjp(g, ans, inputs, params, gi):
    if params.get("axes") is not None or not isinstance(g, _ndarray) or gi.shape != g.shape[::-1]:
        return None
    return Code("vjp", "{out} = {g}.T")


VJP = {("transpose", 0): _transpose_vjp, ("matmul", 0): _matmul_vjp(0), ("matmul", 1): _matmul_vjp(1),
       ("linear", 0): _linear_vjp(0), ("linear", 1): _linear_vjp(1), ("linear", 2): _linear_vjp(2),
       ("relu", 0): _relu_vjp, ("add", 0): _add_vjp, ("add", 1): _add_vjp,
       ("softmax_cross_entropy", 0): _xent_vjp}


def vjp_kernel(op, argnum, g, ans, inputs, params, gi):
    """(func, text) standing for the sweep's contribution to input `argnum`, or None."""
    build = VJP.get((op.name, argnum))
    if build is None or not isinstance(gi, _ndarray):
        return None
    return build(g, ans, inputs, params, gi)


# ---- sums, in-place updates, optimizers -------------------------------------------------------
def sum_kernel(prev, gi, total):
    """`prev + gi` into a buffer, when no broadcasting or casting is involved."""
    if not (isinstance(total, _ndarray) and _arrays_of(total.dtype, prev, gi)):
        return None
    if not prev.shape == gi.shape == total.shape:
        return None
    return Code("forward", "np.add({0}, {1}, out={out})", _buffer(total))


def in_place_kernel(op, a, b):
    """`a op= b` as one ufunc call writing into a (the plain-array path of Tensor's in-place ops)."""
    ufunc = getattr(op, "forward", None)
    if not isinstance(ufunc, np.ufunc) or ufunc.nin != 2 or not isinstance(a, _ndarray):
        return None
    if np.result_type(a, b) != a.dtype or np.broadcast_shapes(a.shape, np.shape(b)) != a.shape:
        return None
    return Code("update", "{f}({0}, {1}, out={0})", None, f"np.{ufunc.__name__}({{0}}, {{1}}, out={{0}})", f=ufunc)


def sgd_kernel(opt):
    """SGD without momentum or weight decay: per parameter g · (-lr) into a buffer, then p += it."""
    from ..optim.sgd import SGD

    if type(opt) is not SGD:
        return None
    if any(g["momentum"] or g["weight_decay"] for g in opt.param_groups):
        return None
    params = [p for g in opt.param_groups for p in g["params"]]
    if not all(p._data.flags.writeable for p in params):
        return None
    from ..core.node import clock, last_change

    lines, names = [], {"clock": clock, "last_change": last_change}
    # one scratch buffer for every parameter's scaled gradient (used one parameter at a time)
    largest = max(params, key=lambda p: p._data.size)._data
    scratch = {dtype: np.empty(max(p._data.size for p in params if p._data.dtype == dtype), dtype)
               for dtype in {p._data.dtype for p in params}} if largest.size else {}
    for k, group in enumerate(opt.param_groups):
        names[f"group{k}"] = group
        lines.append(f'_step = -{{group{k}}}["lr"]')  # read each call: a scheduler may change it
        for i, p in enumerate(group["params"]):
            flat = scratch[p._data.dtype][:p._data.size] if p._data.size else _buffer(p._data)
            names[f"p{k}_{i}"], names[f"s{k}_{i}"] = p, flat.reshape(p._data.shape)
            p_, s_ = f"{{p{k}_{i}}}", f"{{s{k}_{i}}}"
            lines.append(f"_g = {p_}.grad")  # = p - lr · g exactly: -(lr · g) into s, then p + s
            # Tensor._bump_version written out for a parameter that is no view (its own version counter)
            bump = (f"{p_}._version = {{last_change}}.reading = next({{clock}})" if p._base is None
                    else f"{p_}._bump_version()")
            lines.append(f"if _g is not None: np.multiply(_g._data, _step, out={s_}); "
                         f"np.add({p_}._data, {s_}, out={p_}._data); {bump}")
    return Code("update", "\n".join(lines), None, "for each p: np.multiply(p.grad, -lr, out=s); np.add(p, s, out=p)",
                **names)


def zero_grad_kernel(obj, params, set_to_none=True):
    """`optimizer.zero_grad()` / `module.zero_grad()` with set_to_none: one `p.grad = None` per parameter."""
    if not set_to_none:
        return None
    names = {f"p{i}": p for i, p in enumerate(params)}
    lines = "\n".join(f"{{p{i}}}.grad = None" for i in range(len(params))) or "pass"
    return Code("update", lines, None, f"{type(obj).__name__}.zero_grad(): p.grad = None for {len(params)} parameters",
                **names)
