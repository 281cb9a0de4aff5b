"""The patches a trace puts on while the step runs eagerly, and takes off after it.

Ops reach the tracer through the engine's interceptor seam; what does not pass through an op
is patched here, for the trace only: the reverse sweep (run with an observer), the copy
transforms make of an array they differentiate, Tensor.backward
(its seed), the value readers item / float / int / bool (guards), in-place writes, .data and
.grad assignments, Module.__call__ (forward hooks), optimizer.step() and zero_grad().
"""

from __future__ import annotations

import contextlib
import threading

from .. import creation, transforms
from ..core import reverse
from ..core.modes import intercepting
from ..core.tensor import Tensor
from ..nn.module import Module
from ..ops.torch_names import clone
from ..optim.optimizer import Optimizer
from . import kernels
from .code import layout
from .guards import JitError, caller_line


@contextlib.contextmanager
def tracing(tracer):
    """Put the tracer's patches on (this thread's ops, the sweep, Tensor's value readers, optimizers)."""
    originals, me = [], threading.get_ident()

    def only_here(new, old):
        """`new` in the tracing thread, `old` in every other one (the patches are class attributes)."""
        def call(*args, **kwargs):
            return new(*args, **kwargs) if threading.get_ident() == me else old(*args, **kwargs)
        return call

    def patch(owner, name, make):
        old = owner.__dict__[name]
        originals.append((owner, name, old))
        new = make(old)
        if isinstance(new, property):
            get = old.fget if isinstance(old, property) else _get_grad
            put = old.fset if isinstance(old, property) else _set_grad_attribute
            new = property(only_here(new.fget, get), only_here(new.fset, put), None, new.__doc__)
        else:
            new = only_here(new, old)
        setattr(owner, name, new)

    original_pass = reverse.backward_pass
    swept = lambda *a, **k: tracer.on_backward_pass(original_pass, *a, **k)  # noqa: E731
    fresh = _fresh_input_as_eager(tracer, transforms._fresh_input)
    for module, name, new in ((reverse, "backward_pass", swept), (transforms, "backward_pass", swept),
                              (creation, "_random", _refused_random), (transforms, "_fresh_input", fresh)):
        old = getattr(module, name)
        originals.append((module, name, old))
        setattr(module, name, only_here(new, old))
    patch(Tensor, "backward", lambda old: _seeded_backward(tracer, old))
    patch(Tensor, "item", lambda old: lambda t: tracer.on_item(old, t))
    patch(Tensor, "__float__", lambda old: lambda t: tracer.on_number(old, t, float))
    patch(Tensor, "__int__", lambda old: lambda t: tracer.on_number(old, t, int))
    patch(Tensor, "__bool__", lambda old: lambda t: tracer.on_bool(old, t))

    patch(Tensor, "__setitem__", lambda old: _recorded_setitem(tracer, old))
    patch(Tensor, "_update_in_place", lambda old: _recorded_in_place(tracer, old))
    patch(Tensor, "data", lambda old: property(old.fget, _refused_data_setter, None, old.__doc__))
    patch(Tensor, "grad", lambda old: property(_get_grad, lambda t, g: _recorded_grad_setter(tracer, t, g)))
    patch(Module, "__call__", lambda old: lambda m, *a, **k: tracer.on_module_call(m, a, k) if m._forward_hooks
          else old(m, *a, **k))
    for cls in _with_own(Optimizer, "step"):
        patch(cls, "step", lambda old: _recorded_call(tracer, old, "step", True))
    for cls in _with_own(Optimizer, "zero_grad") + _with_own(Module, "zero_grad"):
        patch(cls, "zero_grad", lambda old: _recorded_call(tracer, old, "zero_grad", False))
    _active.depth = getattr(_active, "depth", 0) + 1
    try:
        with intercepting(tracer.on_op):
            yield tracer
    finally:
        _active.depth -= 1
        for owner, name, old in reversed(originals):
            setattr(owner, name, old)


def _fresh_input_as_eager(tracer, fresh_input):
    """transforms._fresh_input for a traced array argument: eagerly an ndarray to differentiate is copied
    (np.copy, keeping a C or F layout, compacting a strided one); the tensor standing for it would be aliased.
    The layout decides how np.matmul rounds, so a strided argument is copied here too (a recorded clone)."""
    def fresh(x):
        if isinstance(x, Tensor) and id(x) in tracer.pseudo and layout(x._data) == "S":
            x = clone(x)
        return fresh_input(x)

    return fresh


_active = threading.local()  # depth: how many traces this thread has open (a nested jit runs inline)


def tracing_now():
    """True while this thread traces: a jitted function called then runs inline, into the open trace."""
    return getattr(_active, "depth", 0) > 0


def _seeded_backward(tracer, old):
    def backward(t, grad=None, retain_graph=None, create_graph=False):
        if grad is not None and not (isinstance(grad, Tensor) and grad._rg):
            tracer.pending_seed = tracer.slot_of(grad)
        return old(t, grad, retain_graph=retain_graph, create_graph=create_graph)

    backward.__doc__ = old.__doc__
    return backward


def _recorded_in_place(tracer, old):
    from ..core.modes import grad_enabled

    def method(t, op, other, rebind=False):
        other_rg = isinstance(other, Tensor) and other._rg
        untraced = not (grad_enabled() and (t._rg or other_rg))  # the path that writes arrays in place
        result = old(t, op, other, rebind)
        if untraced and not tracer.quiet:
            tracer.in_place(t, op, other)
        return result

    return method


def _recorded_setitem(tracer, old):
    def method(t, index, value):
        old(t, index, value)
        if not tracer.quiet:
            tracer.set_item(t, index, value)

    return method


def _refused_random(*args, **kwargs):
    raise JitError(f"{caller_line(3)}: random numbers drawn inside cr.jit would be the same on every replay; "
                   "draw them outside the jitted function and pass them in as an argument")


def _refused_data_setter(t, value):
    raise JitError(f"{caller_line(2)}: setting .data inside cr.jit is NumPy work the trace cannot see; "
                   "update under cr.no_grad() with tensor ops (w -= lr * w.grad) or use an optimizer")


def _get_grad(t):
    return t.__dict__.get("grad")


def _set_grad_attribute(t, value):
    t.__dict__["grad"] = value


def _recorded_grad_setter(tracer, t, value):
    t.__dict__["grad"] = value
    if not tracer.quiet:
        tracer.set_grad(t, value)










def _recorded_call(tracer, old, name, commits):
    def method(obj, *args, **kwargs):
        tracer.quiet += 1
        try:
            result = old(obj, *args, **kwargs)
        finally:
            tracer.quiet -= 1
        kernel, params = None, None
        if name == "step" and not args and not kwargs:
            kernel = kernels.sgd_kernel(obj, tracer.known_grads(_params_of(obj)))
        if name == "zero_grad":
            set_to_none = kwargs.get("set_to_none", args[0] if args else True)
            params = _params_of(obj) if isinstance(obj, Optimizer) else list(obj.parameters())
            kernel = kernels.zero_grad_kernel(obj, params, set_to_none)
        if kernel is not None:
            inputs = getattr(kernel, "inputs", ())
            tracer.add_code(kernel, inputs, inputs, None, commits=commits)
            if name == "step":
                tracer.steps[-1].text = f"{type(obj).__name__}.step(): {tracer.steps[-1].text}"
            else:  # the plan has set these .grad to None: later deposits need not check them
                tracer.grads.update((id(p), None) for p in params)
        else:
            tracer.grads.clear()  # Python the plan calls whole: it may set any .grad
            tracer.add(lambda: old(obj, *args, **kwargs), (), None, f"{type(obj).__name__}.{name}()",
                       commits=commits)
        tracer.keep.append(obj)
        return result

    return method


def _params_of(optimizer):
    return [p for group in optimizer.param_groups for p in group["params"]]


def _with_own(base, name):
    found, stack = [], [base]
    while stack:
        cls = stack.pop()
        if name in cls.__dict__:
            found.append(cls)
        stack.extend(cls.__subclasses__())
    return found
