"""The op table: one record per primitive with its forward and derivative rules.

`defop` is how every primitive is declared, built-in or user-made. An
elementwise op declares its partial derivative once; the table derives the
VJP (g · ∂), the JVP (t · ∂), the trace notation and the docs column::

    defop("sin", np.sin, partial=lambda ans, x: cos(x), notation=("sin {0}", "cos {0}"))

Other ops declare their rules: a VJP rule maps the adjoint `g` of the output
to the adjoint contribution of one input; a JVP rule maps the tangent `t` of
one input to its contribution to the output's tangent::

    defop("matmul", np.matmul,
          vjp=(lambda g, ans, x, y: ..., lambda g, ans, x, y: ...),
          jvp=(lambda t, ans, x, y: t @ y, lambda t, ans, x, y: x @ t))

Rules see the output `ans`, the inputs and the op's keyword parameters.
They are written with chainrule's ops, so when the engine hands them
Tensors the rule is itself recorded (higher derivatives), and when it hands
them ndarrays they run at NumPy speed. An op may also declare `array_vjp`:
NumPy-only rules the sweep uses when nothing is recorded (the textbook
matrix products of a fused layer); tests/test_ops.py checks that they agree
with `vjp` for every op that has them.

Calling an Op is recording: it runs the forward function on the inputs'
arrays and, when an input requires grad, links the result to a Node.
"""

from __future__ import annotations

from functools import partial as bind_argnum

import numpy as np

from . import backend, forward
from .errors import OpError
from .forward import levels
from .keywords import forward_failed as _forward_failed
from .keywords import keyword_params
from .keywords import with_keywords_read as _with_keywords_read
from .modes import switches, unusual
from .node import EDGES, Node
from .tensor import Tensor

OPS: dict[str, Op] = {}
_new = object.__new__
ndarray = np.ndarray


class Op:
    """A primitive: forward function plus VJP and JVP rules (see `defop`)."""

    __slots__ = ("name", "forward", "vjp", "jvp", "array_vjp", "saving_forward", "partial", "notation",
                 "nondiff", "variadic", "view", "derivative", "convention", "domain", "batch",
                 "rules_on_tensors", "rules_on_arrays", "__weakref__")

    def __call__(self, *args, **params):
        # Gather the inputs' arrays, whether any requires grad, and which (the
        # node's edges): unrolled for one, two and three inputs, the hot path of
        # nearly every op and of every layer; a plain loop for four or more.
        n = len(args)
        if n == 1:
            x = args[0]
            arrays = (x._data,) if isinstance(x, Tensor) else None
            needs_grad, edges = arrays is not None and x._rg, EDGES[1]
        elif n == 2:
            x, y = args
            x_is, y_is = isinstance(x, Tensor), isinstance(y, Tensor)
            if x_is or y_is:
                arrays = (x._data if x_is else x, y._data if y_is else y)
                x_rg, y_rg = x_is and x._rg, y_is and y._rg
                needs_grad, edges = x_rg or y_rg, EDGES[x_rg | y_rg << 1]
            else:
                arrays = None
        elif n == 3:  # linear(x, w, b), the layer of every network, where(c, x, y), clip(x, lo, hi)
            x, y, z = args
            x_is, y_is, z_is = isinstance(x, Tensor), isinstance(y, Tensor), isinstance(z, Tensor)
            arrays = ((x._data if x_is else x, y._data if y_is else y, z._data if z_is else z)
                      if x_is or y_is or z_is else None)
            x_rg, y_rg, z_rg = x_is and x._rg, y_is and y._rg, z_is and z._rg
            needs_grad, edges = x_rg or y_rg or z_rg, EDGES[x_rg | y_rg << 1 | z_rg << 2]
        else:
            arrays, edges = _gather(args)
            needs_grad = bool(edges)
        if arrays is None:  # no Tensor among the inputs: plain values in, plain values out (rules at NumPy speed)
            if n == 1 and type(x) in _SEQUENCES and _stack_sequence is not None and _stack_sequence.holds(x):
                return self(_stack_sequence(x), **params)  # cr.sum([x, 3 * x]): stacked, differentiably
            try:  # (free unless raised: a TypeError from the forward may be a PyTorch spelling, dim=)
                return self.forward(*args, **params) if params else self.forward(*args)
            except TypeError:
                return _with_keywords_read(self, args, params)
        # One forward call, one error wrapper, one recording tail for every arity.
        quiet = not unusual.count  # no thread has a switch set or a level open: the defaults hold
        if not quiet and unusual.watched and switches.intercept is not None:  # a transform reinterprets ops
            params = keyword_params(self, params)  # its rules read axis=, not dim=
            result = switches.intercept(self, args, params)
            if result is not NotImplemented:
                return result
        record = needs_grad and (quiet or switches.grad_enabled) and not self.nondiff
        saving = record and self.saving_forward  # a recorded op may keep a residual for its array rules
        try:
            if saving:
                value, saved = saving(*arrays, **params)
            else:
                value = self.forward(*arrays, **params) if params else self.forward(*arrays)
        except (ValueError, TypeError, IndexError) as exc:
            backend.check_one_device(arrays, self.name)  # two devices: say so, not the library's message
            return _forward_failed(self, args, params, exc)  # dim= read as axis=, or OpError
        out = _new(Tensor)  # tensor.fill(), inlined: once per op, so a call saved is 5% of an op
        value = value if type(value) is ndarray else backend.as_array(value)  # NumPy scalars become arrays
        out._data, out._rg = value, record
        out._node = node = Node(self, args, arrays, params, edges) if record else None
        if saving:
            node.saved = saved
        if self.view and (value is arrays[0] or value.base is not None):
            out._base = args[0]._owner()  # shares memory, so shares the version counter
        if quiet or self.nondiff or not unusual.watched:  # (no_grad alone: only the recording differs)
            return out
        return _off_the_quiet_path(self, out, args, params)

    def jvp_rule(self, argnum):
        """The JVP rule for input `argnum`, "linear", or None."""
        if self.jvp == "linear":
            return "linear"
        if self.jvp is None:
            return None
        if self.variadic:
            return lambda t, ans, *xs, **p: self.jvp(argnum, t, ans, *xs, **p)
        return self.jvp[argnum] if argnum < len(self.jvp) else None

    def __repr__(self):
        return f"<op {self.name}>"


_SEQUENCES = (list, tuple)
_stack_sequence = None  # how a list holding tensors becomes one tensor: ops/shape.py's, set from above


def install_sequence_stacking(stack):
    """Called by chainrule.ops with its differentiable stack of (nested) lists (`stack.holds(seq)` tells
    whether a list holds a tensor at all)."""
    global _stack_sequence
    _stack_sequence = stack


def _gather(args):
    """(arrays, edges) of three or more inputs: arrays is None when none is a Tensor, edges the
    positions of those that require grad."""
    arrays, edges, any_tensor = [], [], False
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            any_tensor = True
            if a._rg:
                edges.append(i)
            arrays.append(a._data)
        else:
            arrays.append(a)
    return (tuple(arrays) if any_tensor else None), tuple(edges)


def _off_the_quiet_path(op, out, args, params):
    """What an op does besides recording while a switch is set or a level open: tangents, anomaly checks."""
    if levels.open and any(isinstance(a, Tensor) and a._tangents is not None for a in args):
        forward.push_tangents(op, out, args, params)
    if switches.anomaly:
        from .anomaly import check_forward

        check_forward(op, out, args)
    return out


def defop(name, forward, vjp=None, jvp=None, *, partial=None, notation=None, array_vjp=None,
          saving_forward=None, nondiff=False, variadic=False, view=False, derivative="", convention="",
          domain="real"):
    """Declare a primitive and add it to the op table; returns the callable Op.

    - `partial`: for an elementwise op, ∂out/∂input as `partial(ans, *inputs,
      **params)` (a tuple of them, one per input, None for an input with no
      derivative). The VJP (g · ∂) and JVP (t · ∂) rules are derived from it
      (the sweeps multiply by the partial directly; `op.vjp` holds the
      derived rules for everyone else).
    - `vjp`: otherwise one rule per positional input (a single rule for a
      unary op), `None` for an input with no derivative. For `variadic=True`
      ops, one rule `vjp(i, g, ans, *xs, **params)` serves every input.
    - `jvp`: the same shape as `vjp`, or "linear" when the op is linear in
      its inputs, so applying the op to the tangents is the JVP.
    - `array_vjp`: rules of the same shape as `vjp` that take and return
      ndarrays only, used when nothing is recorded (faster NumPy forms).
      With `saving_forward` (a forward returning `(value, residual)`, run
      when the op is recorded), they also receive the residual as `saved=`.
    - `notation`: how trace tables write the op: `(primal, partial, ...)`
      templates with `partial=` (e.g. `("sin {0}", "cos {0}")`), else
      `(primal, adjoints, tangents)`; {0}, {1} name the inputs, {out} the
      output, {g} the output's adjoint and {t} an input's tangent.
    - `nondiff=True`: the result never requires grad (comparisons, argmax).
    - `view=True`: the result may be a view of the first input's memory
      (reshape, indexing): it then shares that input's version counter.
    - `derivative`, `convention`, `domain`: documentation for docs/ops.md
      (derived from `notation` for partial rows) and the inputs the op is
      defined on ("real", "positive", "nonzero", "unit"), which the tests read.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cube = cr.defop("cube_example", lambda x: x ** 3, partial=lambda ans, x: 3 * x ** 2,
        ...                 notation=("{0}³", "3 {0}²"))
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> cube(x).backward(); x.grad
        tensor(12.)
    """
    if name in _BUILTIN:
        raise OpError(f"defop({name!r}): a built-in op has that name; choose another name for your op")
    if partial is not None:
        if vjp is not None or jvp is not None:
            raise OpError(f"defop({name!r}): give either partial= or vjp=/jvp=, not both")
        partial = partial if isinstance(partial, tuple) else (partial,)
        vjp, jvp = _rules_from_partials(partial)
        derivative = derivative or _partial_text(notation)
    if not nondiff and vjp is None:
        raise OpError(f"defop({name!r}): give a vjp rule (or partial=), or nondiff=True for an op with no derivative")
    op = Op()
    op.name, op.forward, op.nondiff, op.variadic, op.view = name, forward, nondiff, variadic, view
    op.partial, op.notation, op.saving_forward = partial, notation, saving_forward
    op.vjp = _per_input(vjp, variadic)
    op.array_vjp = _per_input(array_vjp, variadic)
    op.jvp = jvp if (variadic or jvp in (None, "linear") or isinstance(jvp, tuple)) else (jvp,)
    op.derivative, op.convention, op.domain = derivative, convention, domain
    # What the reverse sweep calls, decided here once: (rules, whether they are partials to multiply by g).
    op.rules_on_tensors = (partial, True) if partial is not None else (op.vjp, False)
    op.rules_on_arrays = (op.array_vjp, False) if array_vjp is not None else op.rules_on_tensors
    op.batch = None  # its batching rule, declared with chainrule.batching.defbatch (vmap reads it)
    OPS[name] = op
    return op


def _per_input(rules, variadic):
    """Rules indexable by input number: a tuple, or one variadic rule told which input it serves."""
    if rules is None:
        return None
    if variadic:
        return _EveryInput(rules)
    return rules if isinstance(rules, tuple) else (rules,)


def _rules_from_partials(partials):
    """The VJP rules g · ∂ and JVP rules t · ∂ of an elementwise op."""
    vjp = tuple(None if p is None else _scaled_by_partial(p) for p in partials)
    jvp = tuple(None if p is None else _scaled_by_partial(p) for p in partials)
    return vjp, jvp


def _scaled_by_partial(partial):
    # The same form serves both modes: an adjoint or a tangent times the partial.
    return lambda d, ans, *xs, **params: d * partial(ans, *xs, **params)


def _partial_text(notation):
    """The docs column of a partial row: its partial templates written in x, y."""
    if not notation:
        return ""
    names = ("x", "y", "z")
    texts = [t.format(*names, out="out") for t in notation[1:]]
    if len(texts) == 1:
        return texts[0]
    return ", ".join(f"∂/∂{n} = {t}" for n, t in zip(names, texts))


class _EveryInput:
    """A variadic op's rules: `rules[i]` is its one rule, told it serves input i.

    Indexable like the tuple of rules other ops have, so the sweep looks up
    every op's rule the same way.
    """

    __slots__ = ("rule",)

    def __init__(self, rule):
        self.rule = rule

    def __getitem__(self, argnum):
        return bind_argnum(self.rule, argnum)


def builtin_ops() -> dict[str, Op]:
    """The ops chainrule itself declares (not those added with defop / custom_vjp)."""
    return {name: OPS[name] for name in _BUILTIN}


_BUILTIN: set[str] = set()


def seal_builtins():
    """Called once chainrule.ops is imported: what is in the table now is built in."""
    _BUILTIN.update(OPS)


def _shapes(args):
    return ", ".join(str(tuple(a.shape)) if hasattr(a, "shape") else repr(a) for a in args)
