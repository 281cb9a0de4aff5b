"""`cr.jit`: record a step once, replay it as a flat list of NumPy calls.

The first call with given argument shapes, dtypes and static (non-array)
arguments runs the function eagerly while tracing it (tracing.py): the
forward ops, the reverse sweep's rules, `.grad` deposits, `optimizer.step()`
and `zero_grad()`. The trace becomes a plan (plan.py) of NumPy calls on
numbered buffers; later calls with the same shapes replay the plan. New
shapes trace again (a small cache, like `jax.jit`).

What Python decided from a tensor's value at trace time (`if loss.item() >
0`, `bool(t)`, `float(t)`) is baked into the plan and checked again by a
guard (guards.py): a different outcome traces again, never replays the
wrong branch. Parameters and captured arrays are read where they live, so
in-place changes between calls (an optimizer's) are seen.
"""

from __future__ import annotations

import gc
from collections import OrderedDict

import numpy as np

from ..core import backend
from ..core.modes import switches
from ..core.tensor import Tensor
from ..creation import get_default_dtype
from ..tree import flatten, unflatten
from .code import layout
from .guards import GuardFailed, JitError, TracedFloat
from .patches import tracing as patched_for
from .patches import tracing_now
from .plan import MISS, Plan
from .tracing import Tracer

__all__ = ["jit", "Jitted", "JitError", "Plan", "speedup"]

_MAX_BRANCH_PLANS = 8


class Jitted:
    """A function traced once per argument signature and replayed afterwards (see `jit`).

    `traces` counts the eager runs under a trace; `plan` is the plan of the latest call.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> w = cr.nn.Parameter(np.array([1.0, 2.0]))
        >>> opt = cr.optim.SGD([w], lr=0.5)
        >>> @cr.jit
        ... def step(x):
        ...     opt.zero_grad()
        ...     loss = (w * x).sum()
        ...     loss.backward()
        ...     opt.step()
        ...     return loss
        >>> [step(np.array([1.0, 1.0])).item() for _ in range(3)]   # traced once, replayed twice
        [3.0, 2.0, 1.0]
        >>> step.traces, w.tolist()
        (1, [-0.5, 0.5])
    """

    def __init__(self, fn, cache_size=8):
        self.fn, self.cache_size = fn, cache_size
        self.cache: OrderedDict = OrderedDict()  # signature -> [Plan, ...] (one per branch outcome seen)
        self.traces = 0  # how many times fn ran eagerly under a trace (tests and `chainrule train` read it)
        self._last = None
        self._fast = self._plan_of_fast = None  # the latest plan's whole call as one function (Plan.fast)
        self.__name__ = f"jit({getattr(fn, '__name__', 'f')})"
        self.__doc__ = getattr(fn, "__doc__", None)

    @property
    def plan(self) -> Plan | None:
        """The plan of the latest call (print it to see the replayed NumPy calls)."""
        return self._last

    def __call__(self, *args, **kwargs):
        fast = self._fast
        if fast is not None and not kwargs and switches.intercept is None:  # (a trace or a vmap: inline, below)
            try:
                out = fast(args)
            except GuardFailed as failed:
                self._plan_of_fast.check_commit(failed)  # state already changed: a JitError
                out = MISS  # the slow path below tries the other plans, or traces
            if out is not MISS:
                return out
        if switches.intercept is not None or tracing_now():
            # called inside another trace (run inline, so the outer plan records it), or under vmap, whose
            # stand-ins hold one example each: a plan traced on one would replay it for all. Run inline,
            # so the transform sees every op (JAX's vmap(jit(f)) is vmap(f)); jit(vmap(f)) is the fast form
            return self.fn(*args, **kwargs)
        key, arrays = _array_signature(args) if not kwargs else (None, None)
        if key is not None:  # only arrays, passed positionally: the common step(x, y), keyed without flatten
            leaves, structure = None, None
        else:
            leaves, structure = flatten((args, kwargs))
            key, arrays = _signature(leaves)
            key = (structure, key)
        key = (get_default_dtype(), key)  # Python numbers inside become this dtype: part of what was traced
        plans = self.cache.get(key)
        where = None
        if plans is not None:
            self.cache.move_to_end(key)
            for plan in plans:
                if not plan.fits():
                    continue
                try:
                    out = plan.replay(arrays)
                except GuardFailed as failed:
                    where = failed.where
                    continue
                self._last = plan
                self._set_fast(key, plan)
                return out[0] if plan.structure is None else unflatten(plan.structure, out)
            if len(plans) >= _MAX_BRANCH_PLANS:
                raise JitError(f"{where}: this value-dependent branch changed outcome more than "
                               f"{_MAX_BRANCH_PLANS} times; move it out of the jitted function")
        if leaves is None:
            leaves, structure = flatten((args, kwargs))
        return self._trace(key, leaves, structure, list(arrays))

    def _set_fast(self, key, plan):
        """Make `plan` the one a call tries first, through its fast function, where the key allows it."""
        default, signature = key
        self._fast = self._plan_of_fast = None
        if plan.structure is not None or not isinstance(signature, tuple) or not signature:
            return
        if not all(type(k) is tuple and len(k) == 3 and isinstance(k[1], np.dtype) for k in signature):
            return  # keyed by flatten (tensors, nesting, static arguments): the slow path checks those
        self._fast, self._plan_of_fast = plan.fast(signature, default), plan

    def _trace(self, key, leaves, structure, arrays):
        tracer = Tracer()
        stand_ins, k, seen = [], 0, set()
        for leaf in leaves:
            if not _is_array(leaf):
                stand_ins.append(leaf)
                continue
            array = arrays[k]
            if id(array) in seen:  # the same array passed twice: two slots, so give it two names
                array = array.copy()
            seen.add(id(array))
            t = Tensor._wrap(array)
            slot = tracer.new_slot(array)
            tracer.arg_slots.append((slot, k))
            tracer.inside.add(id(t))
            tracer.keep.append(t)
            if not isinstance(leaf, Tensor):
                tracer.pseudo.add(id(t))  # an ndarray argument: ops on it give ndarrays, as eagerly
            stand_ins.append(t)
            k += 1
        args, kwargs = unflatten(structure, stand_ins)
        self.traces += 1
        collecting = gc.isenabled()
        gc.disable()  # the trace makes many objects and no cycles: a full collection mid-trace is pure cost
        try:
            with patched_for(tracer):
                result = self.fn(*args, **kwargs)
            out_leaves, out_structure = flatten(result)
            plan = tracer.plan(out_leaves, out_structure)
        finally:
            if collecting:
                gc.enable()
        self.cache.setdefault(key, []).append(plan)
        self.cache.move_to_end(key)
        while len(self.cache) > self.cache_size:
            self.cache.popitem(last=False)
        self._last = plan
        self._set_fast(key, plan)
        eager = [x._data if isinstance(x, Tensor) and id(x) in tracer.pseudo else
                 float(x) if isinstance(x, TracedFloat) else x for x in out_leaves]
        tracer.release()  # the trace's arrays and tensors go now, not at the next cyclic collection
        return unflatten(out_structure, eager)


def jit(fn=None, *, cache_size=8):
    """Trace `fn` on its first call per argument signature, then replay the recorded NumPy calls.

    Works on functions of arrays (`cr.jit(cr.grad(f))`) and on whole training
    steps that call `loss.backward()` and `optimizer.step()` on a Module.
    Arrays and Tensors in the arguments (nested in tuples, lists, dicts) are
    inputs: their shapes and dtypes pick the plan; any other argument is
    static (its value picks the plan). Results are those of the eager run,
    bit for bit; outputs come back detached from any graph.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> df = cr.jit(cr.grad(lambda x: (x * x).sum()))
        >>> df(np.array([1.0, 2.0]))
        tensor([2., 4.], dtype=float64)
        >>> df(np.array([3.0, 4.0]))    # replayed: no Tensor or Node made
        tensor([6., 8.], dtype=float64)
        >>> df.traces
        1
    """
    if fn is None:
        return lambda f: Jitted(f, cache_size)
    return Jitted(fn, cache_size)


def speedup(fn, *args, repeats=15):
    """(eager seconds, jitted seconds) per call of `fn(*args)`: interleaved medians, the trace not counted.

    `fn` runs 2·repeats + 1 times, so it should leave parameters alone (a
    forward and backward pass, not an optimizer step).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> eager, jitted = speedup(cr.grad(lambda x: (x * x).sum()), np.ones(3), repeats=3)
        >>> eager > 0 and jitted > 0
        True
    """
    import statistics
    import time

    jitted = Jitted(fn)
    jitted(*args)  # the trace
    times = {"eager": [], "jit": []}
    for _ in range(repeats):
        for name, f in (("eager", fn), ("jit", jitted)):
            start = time.perf_counter()
            f(*args)
            times[name].append(time.perf_counter() - start)
    return statistics.median(times["eager"]), statistics.median(times["jit"])


def _is_array(x):
    return isinstance(x, (np.ndarray, np.generic, Tensor))


def _array_signature(args):
    key = []
    for a in args:
        if type(a) is not np.ndarray:
            if not isinstance(a, np.generic):
                return None, None
            return _array_signature([np.asarray(b) if isinstance(b, np.generic) else b for b in args])
        key.append((a.shape, a.dtype, layout(a)))  # the layout picks the dot kernels (code.layout)
    return tuple(key), args


def _on_device_error(device):
    return JitError(f"cr.jit replays NumPy kernels on the CPU, and an argument is on {device}; "
                    "call the function without cr.jit there (on a GPU, CuPy's kernels do the work)")


def _signature(leaves):
    key, arrays = [], []
    for leaf in leaves:
        if isinstance(leaf, Tensor):
            if leaf._rg:
                raise JitError("cr.jit: pass arrays (or tensors that do not require grad) as arguments; "
                               "parameters are read from the Module or closure the function uses")
            a = leaf._data
            if type(a) is not np.ndarray and backend.is_foreign(a):
                raise _on_device_error(backend.device_of(a))
            key.append(("T", a.shape, a.dtype.str, layout(a)))
            arrays.append(a)
        elif isinstance(leaf, (np.ndarray, np.generic)):  # a NumPy scalar is a 0-d input, not a constant
            leaf = np.asarray(leaf)
            key.append(("A", leaf.shape, leaf.dtype.str, layout(leaf)))
            arrays.append(leaf)
        elif backend.is_foreign(leaf):
            raise _on_device_error(backend.device_of(leaf))
        else:
            try:
                hash(leaf)
            except TypeError:
                raise JitError(f"cr.jit: a static argument of type {type(leaf).__name__} is not hashable; "
                               "pass arrays, numbers, strings or tuples") from None
            key.append(("S", type(leaf), leaf))
    return tuple(key), arrays
