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
- elementwise ops whose forward is a NumPy ufunc call it with `out=`, a
  Python number among their inputs passed as a 0-d array of the loop's dtype
  (NumPy resolves it faster, with the same bits: the trial checks);
- relu's forward is `np.maximum(x, 0)` (in place, where the plan's buffer
  sharing allows); its VJP reproduces the sweep's `_select` into a buffer,
  its mask read off relu's output;
- softmax_cross_entropy's saving forward picks the targets through flat
  indices, its VJP scales the saved direction by a scale worked out once
  when the adjoint is the loss's own seed;
- transpose of a constant is a view made once, when the plan is built.

The kernels that update state (sums, in-place writes, SGD, zero_grad) are in
updates.py; the plan shares the buffers by liveness (buffers.py).
"""

from __future__ import annotations

from math import isfinite

import numpy as np

from ..core.registry import OPS
from ..ops import elementwise
from ..ops._util import read_only_zero as _zero
from .code import Code, _arrays_of, _blas_laid_out, _buffer

_ndarray = np.ndarray


# ---- forward ---------------------------------------------------------------------------------
def _matmul(inputs, params, value):
    x, y = inputs
    if params or not (_arrays_of(value.dtype, x, y) and x.ndim == 2 and y.ndim == 2) or value.dtype.kind != "f":
        return None
    if not _blas_laid_out(x, y):
        return None
    return Code("forward", "np.dot({0}, {1}, out={out})", _buffer(value))


def _linear(inputs, params, value):
    if params or len(inputs) != 3 or value.dtype.kind != "f":
        return None
    x, w, b = inputs
    if not (_arrays_of(value.dtype, x, w, b) and x.ndim == 2 and w.ndim == 2 and b.ndim == 1 and _blas_laid_out(x, w)):
        return None
    return Code("forward", "np.dot({0}, {1}.T, out={out}); np.add({out}, {2}, out={out})", _buffer(value))


def _typed_numbers(ufunc, inputs, value, buf):
    """{input number: 0-d array} for the Python numbers among a ufunc's inputs, where the trial agrees.

    NumPy converts a Python number to the loop's dtype on every call (NEP 50); a 0-d array of that
    dtype skips the conversion and takes the faster loop for a scalar operand, with the same bits
    (the trial checks them, and the result dtype, on the traced values).
    """
    numbers = [i for i, a in enumerate(inputs) if type(a) in (int, float, complex)]
    if not numbers or not any(isinstance(a, _ndarray) for a in inputs):
        return {}
    try:
        dtype = np.result_type(*inputs)
        typed = {i: np.asarray(inputs[i], dtype) for i in numbers}
        trial = ufunc(*(typed.get(i, a) for i, a in enumerate(inputs)), out=buf)
    except (TypeError, ValueError, OverflowError):
        return {}
    if trial.dtype != value.dtype or trial.tobytes() != value.tobytes():
        return {}
    for a in typed.values():
        a.flags.writeable = False
    return typed


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
        code = Code("forward", f"{{f}}({names}, out={{out}})", buf, f"np.{ufunc.__name__}({names}, out={{out}})",
                    in_place=True, f=ufunc)
        code.constants = _typed_numbers(ufunc, inputs, value, buf)
        return code

    return build


def _relu(inputs, params, value):
    (x,) = inputs
    if params or not isinstance(x, _ndarray) or x.dtype != value.dtype or x.shape != value.shape:
        return None
    # maximum(x, 0): the 0 as a 0-d array of x's dtype (+0.0 either way), for the scalar loop
    return Code("forward", "np.maximum({0}, {zero}, out={out})", _buffer(value), "np.maximum({0}, 0, out={out})",
                in_place=True, zero=_zero(x.dtype))


def _transpose(inputs, params, value):
    (x,) = inputs
    if params.get("axes") is not None or not isinstance(x, _ndarray):
        return None
    return Code("forward", "{out} = {0}.T", view=True)  # a view, as np.transpose(x): no buffer, no copy


FORWARD = {"matmul": _matmul, "linear": _linear, "relu": _relu, "transpose": _transpose}
FORWARD.update({name: _ufunc(op.forward) for name, op in OPS.items()
                if isinstance(op.forward, np.ufunc) and name not in FORWARD and op.forward.nout == 1})


def _xent_saving(inputs, params, value, saved):
    """softmax_cross_entropy's saving forward (loss and direction) for (rows, classes) logits, into buffers.

    The same floating point passes as nn_ops._softmax_xent_saving, in the same order; the picks
    at the targets go through flat indices (row · classes + target) into the buffers, one cheap
    fancy index where `z[rows, target]` costs two; np.ravel_multi_index checks the range both ways.
    Anything unusual (a target out of range, or a total that is not finite, which a non-finite row
    maximum makes nan) is handed to the op's own function, which gives the result or the error.
    """
    x, target = inputs
    reduction = params.get("reduction", "none")
    if reduction not in ("mean", "sum") or not isinstance(x, _ndarray) or x.ndim != 2 or not x.size:
        return None
    if not (isinstance(target, _ndarray) and target.dtype.kind in "iu" and target.shape == x.shape[:1]):
        return None
    op = OPS["softmax_cross_entropy"]
    n, classes = x.shape
    m, z, e, s = np.empty((n, 1), x.dtype), _buffer(x), _buffer(x), np.empty((n, 1), x.dtype)
    losses, s0, zf, ef = np.empty(n, x.dtype), s[:, 0], z.reshape(-1), e.reshape(-1)
    rows, shape, total = np.arange(n), (n, classes), np.empty((), x.dtype)
    # the mean's division by n, as NumPy does it for `total / n` (n converted to the loss dtype)
    count = np.asarray(n, x.dtype) if reduction == "mean" else None
    one = _one(x.dtype)  # the -1 at each target: a 0-d array of the dtype, as NumPy converts the 1 (same bits)
    add, maximum, subtract, divide, exp, log = np.add, np.maximum, np.subtract, np.divide, np.exp, np.log
    flat_index = np.ravel_multi_index

    def xent(x, target):
        # positional arguments to the reductions (axis, dtype, out, keepdims): NumPy parses them faster
        maximum.reduce(x, 1, None, m, True)
        try:  # row · classes + target, checked both ways (negative or >= classes: ValueError)
            flat = flat_index((rows, target), shape)
        except (ValueError, TypeError):
            return op.saving_forward(x, target, reduction=reduction)  # which raises the op's own error
        subtract(x, m, z)
        exp(z, e)
        add.reduce(e, 1, None, s, True)
        log(s0, losses)
        subtract(losses, zf[flat], losses)
        divide(e, s, e)
        picked = ef[flat]
        subtract(picked, one, picked)
        ef[flat] = picked
        add.reduce(losses, 0, None, total)
        if count is not None:
            divide(total, count, total)
        if not isfinite(total):  # a non-finite row maximum makes the total nan: the op's own path for it
            return op.saving_forward(x, target, reduction=reduction)
        return total, e

    return xent, "xent: np.maximum.reduce, np.subtract, np.exp, np.add.reduce, np.log, np.divide into buffers"


def _one(dtype):
    one = np.ones((), dtype)
    one.flags.writeable = False
    return one


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
        if not _blas_laid_out(g, x, y):
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
        if not _blas_laid_out(g, x, w):
            return None
        code = ("np.dot({g}, {1}, out={out})", "np.dot({g}.T, {0}, out={out})",
                "np.add.reduce({g}, axis=0, out={out})")[argnum]
        return Code("vjp", code, _buffer(gi))

    return build


def _relu_vjp(g, ans, inputs, params, gi):
    """The sweep's _select(x > 0, g) into a buffer; the mask read off relu's output (ans > 0 exactly where x > 0).

    Below _BRANCH_FREE_SIZE the sweep's np.where(mask, g, 0.0): here a zero fill and a putmask,
    the same bits in two cheaper calls. From there on the sweep's g · mask, kept when finite: one
    dot product of it with itself says so in the common case (finite sum: every entry finite);
    only when that overflows or is not finite does the sweep's own test decide.
    """
    (x,) = inputs
    if params or not (_arrays_of(gi.dtype, g, x, ans) and g.shape == x.shape == ans.shape) or gi.dtype.kind != "f":
        return None
    buf, mask, zero = _buffer(gi), np.empty(x.shape, bool), _zero(ans.dtype)
    if g.size < elementwise._BRANCH_FREE_SIZE:
        return Code("vjp", "np.greater({ans}, {zero}, out={mask}); {out}.fill(0); np.putmask({out}, {mask}, {g})",
                    buf, "np.greater({ans}, 0, out=mask); {out} = np.where(mask, {g}, 0.0)", mask=mask, zero=zero)
    return Code("vjp", "np.greater({ans}, {zero}, out={mask}); np.multiply({g}, {mask}, out={out})\n"
                "if not {isfinite}(np.vdot({out}, {out})) and not np.isfinite({out}).all(): "
                "{out}.fill(0); np.putmask({out}, {mask}, {g})", buf,
                "np.greater({ans}, 0, out=mask); np.multiply({g}, mask, out={out})  (np.where if not finite)",
                mask=mask, zero=zero, isfinite=isfinite)


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
    """softmax_cross_entropy, mean reduction: the saved direction times g / n, into a buffer.

    `fold_g` gives the kernel for a g the plan holds constant (loss.backward()'s seed): the
    scale g / n is then worked out once, as a 0-d array of its own dtype.
    """
    logits, target = inputs[:2]
    if params.get("reduction") != "mean" or not isinstance(gi, _ndarray) or gi.dtype.kind != "f":
        return None
    n, buf = max(np.size(target), 1), _buffer(gi)
    code = Code("vjp", "np.multiply({saved}, {g} / {n}, out={out})", buf, in_place=True, n=n)

    def fold_g(g):
        scale = np.asarray(g / n)
        scale.flags.writeable = False
        return Code("vjp", "np.multiply({saved}, {scale}, out={out})", buf, "np.multiply({saved}, {g} / n, out={out})",
                    in_place=True, scale=scale)

    code.fold_g = fold_g
    return code


def _transpose_vjp(g, ans, inputs, params, gi):
    if params.get("axes") is not None or not isinstance(g, _ndarray) or gi.shape != g.shape[::-1]:
        return None
    return Code("vjp", "{out} = {g}.T", view=True)


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


# the kernels that update state (adjoint sums, in-place writes, optimizers) live in updates.py
from .updates import in_place_kernel, sgd_kernel, sum_kernel, zero_grad_kernel  # noqa: E402

__all__ = ["Code", "FORWARD", "VJP", "SAVING", "forward_kernel", "vjp_kernel", "saving_kernel", "sum_kernel",
           "in_place_kernel", "sgd_kernel", "zero_grad_kernel"]
