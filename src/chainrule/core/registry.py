"""The op table: one record per primitive with its forward and derivative rules.

`defop` is how every primitive is declared, built-in or user-made::

    defop("tanh", np.tanh,
          vjp=lambda g, ans, x: g * (1 - ans * ans),
          jvp=lambda t, ans, x: t * (1 - ans * ans))

A VJP rule maps the adjoint `g` of the output to the adjoint contribution of
one input; a JVP rule maps the tangent `t` of one input to its contribution
to the output's tangent. Rules see the output `ans`, the inputs and the
op's keyword parameters. They are written with chainrule's ops, so when the
engine hands them Tensors the rule is itself recorded (higher derivatives),
and when it hands them ndarrays they run at NumPy speed.

Calling an Op is recording: it runs the forward function on the inputs'
arrays and, when an input requires grad, links the result to a Node.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from . import forward
from .errors import OpError
from .modes import state
from .node import Node, clock
from .tensor import Tensor

OPS: dict[str, Op] = {}
_new = object.__new__
_tick = clock.__next__


class Op:
    """A primitive: forward function plus VJP and JVP rules (see `defop`)."""

    __slots__ = ("name", "forward", "vjp", "jvp", "nondiff", "variadic", "saves", "exact", "doc",
                 "derivative", "convention", "domain", "__weakref__")

    def __call__(self, *args, **params):
        # Unrolled for one, two and three inputs: this is the hot path of every op.
        # `if params` skips unpacking an empty **params, which costs as much as a small ufunc's dispatch.
        if len(args) == 1:
            x = args[0]
            if not isinstance(x, Tensor):  # plain arrays in, plain arrays out (rules at NumPy speed)
                value = self.forward(x, **params) if params else self.forward(x)
                return value[0] if self.saves else value  # no graph: no residual to keep
            needs_grad, has_tangent = x._rg, state.open_levels and x._tangents is not None
            arrays = (x._data,)
            try:
                value = self.forward(arrays[0], **params) if params else self.forward(arrays[0])
            except (ValueError, TypeError, IndexError) as exc:
                raise OpError(f"{self.name}: {exc} (input shape: {_shapes(args)})") from None
        elif len(args) == 2:
            x, y = args
            x_is, y_is = isinstance(x, Tensor), isinstance(y, Tensor)
            if not (x_is or y_is):
                value = self.forward(x, y, **params) if params else self.forward(x, y)
                return value[0] if self.saves else value  # no graph: no residual to keep
            needs_grad = (x_is and x._rg) or (y_is and y._rg)
            has_tangent = state.open_levels and (
                (x_is and x._tangents is not None) or (y_is and y._tangents is not None))
            arrays = (x._data if x_is else x, y._data if y_is else y)
            try:
                value = self.forward(*arrays, **params) if params else self.forward(*arrays)
            except (ValueError, TypeError, IndexError) as exc:
                raise OpError(f"{self.name}: {exc} (input shapes: {_shapes(args)})") from None
        elif len(args) == 3:  # linear(x, w, b), where(c, x, y), clip(x, lo, hi)
            x, y, z = args
            x_is, y_is, z_is = isinstance(x, Tensor), isinstance(y, Tensor), isinstance(z, Tensor)
            arrays = (x._data if x_is else x, y._data if y_is else y, z._data if z_is else z)
            if not (x_is or y_is or z_is):
                value = self.forward(*arrays, **params) if params else self.forward(*arrays)
                return value[0] if self.saves else value  # no graph: no residual to keep
            needs_grad = (x_is and x._rg) or (y_is and y._rg) or (z_is and z._rg)
            has_tangent = state.open_levels and (
                (x_is and x._tangents is not None) or (y_is and y._tangents is not None)
                or (z_is and z._tangents is not None))
            try:
                value = self.forward(*arrays, **params) if params else self.forward(*arrays)
            except (ValueError, TypeError, IndexError) as exc:
                raise OpError(f"{self.name}: {exc} (input shapes: {_shapes(args)})") from None
        else:
            tensors = [a for a in args if isinstance(a, Tensor)]
            arrays = [a._data if isinstance(a, Tensor) else a for a in args]
            if not tensors:
                value = self.forward(*arrays, **params) if params else self.forward(*arrays)
                return value[0] if self.saves else value  # no graph: no residual to keep
            needs_grad = any(t._rg for t in tensors)
            has_tangent = state.open_levels and any(t._tangents is not None for t in tensors)
            try:
                value = self.forward(*arrays, **params) if params else self.forward(*arrays)
            except (ValueError, TypeError, IndexError) as exc:
                raise OpError(f"{self.name}: {exc} (input shapes: {_shapes(args)})") from None
        saves = self.saves
        if saves:
            value, saved = value
        # Tensor._wrap, inlined: this runs once per op
        out = _new(Tensor)
        out._data = value if type(value) is np.ndarray else np.asarray(value)
        out.grad = out._tangents = None
        out._retains_grad = False
        out._version = 0
        if needs_grad and state.grad_enabled and not self.nondiff:
            # Node(...) without __init__ (once per recorded op): edges back to the inputs, numbered in creation order
            out._node = node = _new(Node)
            node.op, node.inputs, node.arrays, node.params, node.index = self, args, arrays, params, _tick()
            if saves:
                node.saved = saved
            out._rg = True
        else:
            out._node, out._rg = None, False
            if self.nondiff:  # comparisons and argmax carry no tangent either
                return out
        if has_tangent:
            forward.push_tangents(self, out, args, params)
        if state.anomaly:
            from .anomaly import check_forward

            check_forward(self, out, args)
        return out

    def jvp_rule(self, argnum):
        """The JVP rule for input `argnum`, "linear", or None."""
        if self.jvp == "linear":
            return "linear"
        if self.jvp is None:
            return None
        if self.variadic:
            return lambda t, ans, *xs, **p: self.jvp(argnum, t, ans, *xs, **p)
        rules = self.jvp
        return rules[argnum] if rules is not None and argnum < len(rules) else None

    def __repr__(self):
        return f"<op {self.name}>"


def defop(name, forward, vjp=None, jvp=None, *, nondiff=False, variadic=False, saves=False, exact=False,
          derivative="", convention="", domain="real", doc=""):
    """Declare a primitive and add it to the op table; returns the callable Op.

    - `vjp`: one rule per positional input (a single rule for a unary op),
      `None` for an input with no derivative. For `variadic=True` ops, one
      rule `vjp(i, g, ans, *xs, **params)` serves every input.
    - `jvp`: the same shape as `vjp`, or "linear" when the op is linear in
      its inputs, so applying the op to the tangents is the JVP.
    - `nondiff=True`: the result never requires grad (comparisons, argmax).
    - `saves=True`: `forward` returns `(value, residual)`, an array the
      backward pass can reuse (cross-entropy's softmax). The node keeps it
      and VJP rules run on arrays get it as the keyword `saved`; rules run
      on Tensors (higher order) get `saved=None` and work from the inputs.
    - `exact=True`: given ndarrays, every VJP rule returns an ndarray of
      exactly its input's shape and dtype (nothing to unbroadcast or cast),
      so the sweep skips checking (unary elementwise ops; tests/test_ops.py
      holds every op declared so to it).
    - `derivative`, `convention`, `domain`: documentation for docs/ops.md
      and the input domain the tests sample ("real", "positive", "unit").

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cube = cr.defop("cube_example", lambda x: x ** 3,
        ...                 vjp=lambda g, ans, x: g * 3 * x ** 2,
        ...                 jvp=lambda t, ans, x: t * 3 * x ** 2)
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> cube(x).backward(); x.grad
        tensor(12.)
    """
    op = Op()
    op.name, op.forward, op.nondiff, op.variadic, op.saves = name, forward, nondiff, variadic, saves
    op.exact = exact
    if variadic:
        op.vjp = None if vjp is None else _EveryInput(vjp)
    else:
        op.vjp = vjp if (vjp is None or isinstance(vjp, tuple)) else (vjp,)
    op.jvp = jvp if (variadic or jvp in (None, "linear") or isinstance(jvp, tuple)) else (jvp,)
    op.derivative, op.convention, op.domain = derivative, convention, domain
    op.doc = doc
    if not nondiff and vjp is None:
        raise OpError(f"defop({name!r}): give a vjp rule, or nondiff=True for an op with no derivative")
    OPS[name] = op
    return op


class _EveryInput:
    """A variadic op's VJP rules: `rules[i]` is its one rule, told it serves input i.

    Indexable like the tuple of rules other ops have, so the sweep looks up
    every op's rule the same way.
    """

    __slots__ = ("rule",)

    def __init__(self, rule):
        self.rule = rule

    def __getitem__(self, argnum):
        return partial(self.rule, argnum)


def builtin_ops() -> dict[str, Op]:
    """The ops chainrule itself declares (not those added with defop / custom_vjp)."""
    return {name: OPS[name] for name in _BUILTIN}


_BUILTIN: set[str] = set()


def seal_builtins():
    """Called once chainrule.ops is imported: what is in the table now is built in."""
    _BUILTIN.update(OPS)


def _shapes(args):
    return ", ".join(str(tuple(a.shape)) if hasattr(a, "shape") else repr(a) for a in args)
