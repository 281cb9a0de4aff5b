"""torch.autograd's names: `grad` (adjoints of chosen inputs) and `Function` (a primitive written as a class).

Example:
    >>> import chainrule as cr
    >>> x = cr.tensor(3.0, requires_grad=True)
    >>> cr.autograd.grad(x * x, x)
    (tensor(6.),)
"""

from __future__ import annotations

import numpy as np

from .core import backend
from .core.errors import ChainruleError
from .core.modes import no_grad
from .core.registry import defop
from .core.reverse import backward_pass
from .core.tensor import Tensor


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """d outputs / d inputs as a tuple (one per input), leaving every `.grad` untouched, as torch.autograd.grad.

    `grad_outputs` are the adjoints of the outputs (needed unless each output
    has one element); `create_graph=True` records the sweep so the result can
    be differentiated again. An input the outputs do not depend on is an
    error unless `allow_unused=True` (then None, or zeros with materialize_grads).

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor([1.0, 2.0], requires_grad=True)
        >>> (g,) = cr.autograd.grad((x ** 3).sum(), x, create_graph=True)
        >>> cr.autograd.grad(g.sum(), x)[0]
        tensor([ 6., 12.])
    """
    if is_grads_batched:
        raise NotImplementedError("autograd.grad(is_grads_batched=True) is not supported; loop over the rows")
    outputs, inputs = _as_tuple(outputs), _as_tuple(inputs)
    seeds = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if len(seeds) != len(outputs):
        raise ChainruleError(f"grad_outputs has {len(seeds)} entries for {len(outputs)} outputs")
    roots, root_seeds = [], []
    for i, (out, seed) in enumerate(zip(outputs, seeds)):
        if not isinstance(out, Tensor) or not out.requires_grad:
            raise ChainruleError(f"element {i} of outputs does not require grad and does not have a grad_fn")
        if seed is None:
            if out.size != 1:
                raise ChainruleError(f"grad can be implicitly created only for outputs of one element; output {i} "
                                     f"has shape {out.shape}: pass grad_outputs")
            seed = np.ones(out.shape, out.dtype, like=backend.like(out._data))
        roots.append(out)
        root_seeds.append(seed._data if isinstance(seed, Tensor) else backend.array_like(seed, out.dtype, out._data))
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise ChainruleError(f"input {i} of autograd.grad does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    grads = backward_pass(roots, root_seeds, targets=list(inputs), create_graph=create_graph, retain_graph=retain)
    result = []
    for i, (g, x) in enumerate(zip(grads, inputs)):
        if g is None:
            if not (allow_unused or materialize_grads):
                raise ChainruleError(f"input {i} appears to not have been used in the graph; set allow_unused=True "
                                     "if this is the desired behavior")
            g = np.zeros_like(x._data) if materialize_grads else None
        result.append(g if g is None or isinstance(g, Tensor) else Tensor._wrap(g))
    return tuple(result)


class FunctionCtx:
    """What `Function.forward` hands on to `backward`: saved tensors and anything set as an attribute.

    Example:
        >>> import chainrule as cr
        >>> ctx = cr.autograd.FunctionCtx()
        >>> ctx.save_for_backward(cr.ones(2)); len(ctx.saved_tensors)
        1
    """

    def save_for_backward(self, *tensors):
        """Keep tensors for backward (read them back as ctx.saved_tensors)."""
        self._saved = tuple(tensors)

    @property
    def saved_tensors(self):
        """The tensors given to save_for_backward, in order."""
        return getattr(self, "_saved", ())

    def mark_non_differentiable(self, *tensors):
        """Accepted for compatibility; outputs of a Function are differentiable through `backward` only."""

    def set_materialize_grads(self, value):
        """Accepted for compatibility: adjoints reaching backward are always arrays, never None."""


class Function:
    """A differentiable operation written as a class, as torch.autograd.Function.

    Subclass it with static `forward(ctx, *args)` (computing with chainrule
    ops or NumPy; nothing is recorded) and `backward(ctx, grad_output)`
    returning one gradient per forward argument (None for non-tensors), then
    call `YourFunction.apply(*args)`. The result is a primitive in the op
    table named after the class; `backward` written with chainrule ops can be
    differentiated again. An optional static `jvp(ctx, *tangents)` gives forward mode.

    Example:
        >>> import chainrule as cr
        >>> class Cube(cr.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x ** 3
        ...     @staticmethod
        ...     def backward(ctx, grad_output):
        ...         (x,) = ctx.saved_tensors
        ...         return grad_output * 3 * x ** 2
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> Cube.apply(x).backward(); x.grad
        tensor(12.)
    """

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function subclass must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("a Function subclass must define backward(ctx, *grad_outputs)")

    @staticmethod
    def jvp(ctx, *grad_inputs):
        """Forward mode (optional): the output's tangent from one tangent per forward argument."""
        raise NotImplementedError("this Function defines no jvp(ctx, *tangents): forward mode cannot pass it")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on the arguments and record one node whose VJP is `backward`."""
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            out = cls.forward(ctx, *args, **kwargs)
        if isinstance(out, (tuple, list)):
            raise NotImplementedError(f"{cls.__name__}.forward returned {len(out)} outputs; chainrule's "
                                      "Function supports one output tensor")
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not positions:
            return out
        ctx._out = out._data if isinstance(out, Tensor) else backend.as_array(out)
        op = cls.__dict__.get("_chainrule_op")
        if op is None:
            has_jvp = getattr(cls, "jvp", None) is not getattr(Function, "jvp", None)
            op = defop(cls.__name__, lambda *arrays, ctx, positions: ctx._out, vjp=_function_vjp(cls),
                       jvp=_function_jvp(cls) if has_jvp else None, variadic=True,
                       derivative=f"{cls.__name__}.backward")
            cls._chainrule_op = op
        return op(*(args[i] for i in positions), ctx=ctx, positions=tuple(positions))


def _function_jvp(cls):
    def rule(i, t, ans, *inputs, ctx, positions):
        # jvp is linear in the tangents: give it this input's tangent, zeros for the other tensors, None elsewhere
        tangents = [None] * (max(positions) + 1)
        for k, (position, x) in enumerate(zip(positions, inputs)):
            tangents[position] = t if k == i else np.zeros(np.shape(x), dtype=np.result_type(ans), like=_like(ans))
        tangents = [Tensor._wrap(backend.as_array(v)) if v is not None and not isinstance(v, Tensor) else v
                    for v in tangents]
        out = cls.jvp(ctx, *tangents)
        return out
    return rule


def _function_vjp(cls):
    def rule(i, g, ans, *inputs, ctx, positions):
        key = id(g)
        cached = getattr(ctx, "_grads", None)
        if cached is None or cached[0] != key:  # backward runs once per adjoint, not once per input
            seed = g if isinstance(g, Tensor) else Tensor._wrap(backend.as_array(g))
            grads = _as_tuple(cls.backward(ctx, seed))
            ctx._grads = cached = (key, grads, g)
        grads = cached[1]
        if len(grads) <= positions[i]:
            raise ChainruleError(f"{cls.__name__}.backward returned {len(grads)} gradients; it must return one per "
                                 "forward argument (None for those without one)")
        gi = grads[positions[i]]
        if gi is None:
            return np.zeros(np.shape(inputs[i]), dtype=np.result_type(ans), like=_like(ans))
        if isinstance(g, Tensor):
            return gi if isinstance(gi, Tensor) else Tensor._wrap(backend.as_array(gi))
        return gi._data if isinstance(gi, Tensor) else backend.as_array(gi)
    return rule


def _like(ans):
    return backend.like(ans._data if isinstance(ans, Tensor) else ans)


__all__ = ["grad", "Function", "FunctionCtx"]
