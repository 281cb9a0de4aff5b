"""The user's switches: `no_grad`, `enable_grad`, `detect_anomaly`.

Each switch holds for the thread that set it, as in PyTorch: a `no_grad`
block in one thread never stops another thread's recording. The switches
live in a `threading.local`, which costs a lookup per read, so ops read a
single process-wide count first: while no thread has any switch set (or any
forward-mode level open, see forward.py), `quiet()` is true and an op takes
the defaults (record, no anomaly checks, no tangents) without a thread-local
lookup.
"""

from __future__ import annotations

import contextlib
import threading


class _Switches(threading.local):
    """This thread's switches (a fresh thread starts with the defaults)."""

    def __init__(self):
        self.grad_enabled = True
        self.anomaly = False
        self.intercept = None  # a transform that reinterprets every op call (see `intercepting`)
        self.saved = []  # the values the open switch blocks replaced, innermost last


class _Unusual:
    """How many switch settings and open levels, over all threads, differ from the defaults (`count`),
    and how many of those make every op do more than record (`watched`: an interceptor, an open
    forward-mode level, detect_anomaly; not no_grad / enable_grad, which only decide whether to record)."""

    __slots__ = ("count", "watched")

    def __init__(self):
        self.count = 0
        self.watched = 0


switches = _Switches()
unusual = _Unusual()
_count_lock = threading.Lock()


def mark_unusual(delta: int, watched: bool = False) -> None:
    """Count a switch or level opening (+1) or closing (-1); see `quiet`. `watched`: one that makes every
    op look at its result or its call (see `_Unusual`)."""
    with _count_lock:
        unusual.count += delta
        if watched:
            unusual.watched += delta


def grad_enabled() -> bool:
    """True when this thread records a graph."""
    return not unusual.count or switches.grad_enabled


def anomaly_enabled() -> bool:
    """True when this thread checks every result for NaN and Inf."""
    return bool(unusual.watched) and switches.anomaly


class _Switch(contextlib.ContextDecorator):
    """Set one of this thread's switches for a `with` block or a decorated function."""

    # Blocks open and close innermost first in a thread, so one stack of the
    # replaced values per thread serves every switch (and the same switch object
    # used in several threads or nested in itself, as a decorator may be).
    field = ""
    value: object = None
    watched = False  # whether every op must look at its result while it is set (detect_anomaly)

    def __enter__(self):
        s = switches
        s.saved.append(getattr(s, self.field))
        setattr(s, self.field, self.value)
        mark_unusual(+1, self.watched)
        return self

    def __exit__(self, *exc):
        s = switches
        setattr(s, self.field, s.saved.pop())
        mark_unusual(-1, self.watched)
        return False


@contextlib.contextmanager
def intercepting(handler, rules_on_tensors=False):
    """Route every op call with a Tensor input in this thread through `handler(op, args, params)`.

    The seam for transforms that give ops another meaning (vmap's batching,
    a tracer that records a plan): the handler returns the op's result, or
    NotImplemented to let the op run as usual. Inside the handler the previous
    interceptor is restored, so it can call ops (and the op itself) normally.
    `rules_on_tensors=True` makes backward passes run their rules on Tensors
    so the handler sees the rules' ops too (vmap); a tracer that reads the
    sweep itself (jit) leaves them on arrays.

    Example:
        >>> import chainrule as cr
        >>> seen = []
        >>> def spy(op, args, params):
        ...     seen.append(op.name)
        ...     return NotImplemented
        >>> with intercepting(spy):
        ...     _ = cr.tensor(2.0) * 3
        >>> seen
        ['mul']
    """
    with installed(_Interceptor(handler, switches.intercept, rules_on_tensors)):
        yield


@contextlib.contextmanager
def installed(interceptor):
    """Make `interceptor` this thread's interceptor for a block (`intercepting` installs a handler with it).

    `interceptor` is called as `interceptor(op, args, params)`, keeps the one it
    replaces as `.outer` (and restores it while it runs, as `_Interceptor`
    does) and says in `.rules_on_tensors` what backward passes must do. vmap's
    levels install their own, which is the handler itself (one call per op the fewer).

    Example:
        >>> import chainrule as cr
        >>> handle = _Interceptor(lambda op, args, params: NotImplemented, switches.intercept, False)
        >>> with installed(handle):
        ...     switches.intercept is handle
        True
    """
    switches.intercept = interceptor
    mark_unusual(+1, watched=True)  # an interceptor: every op looks at its call
    try:
        yield interceptor
    finally:
        switches.intercept = interceptor.outer
        mark_unusual(-1, watched=True)


class _Interceptor:
    """The installed form of a handler: the previous interceptor is restored while it runs.

    An object rather than a closure that names itself, which would sit in a
    reference cycle (function -> cell -> function) and hold what the handler
    keeps until the cyclic collector runs.
    """

    __slots__ = ("handler", "outer", "rules_on_tensors")

    def __init__(self, handler, outer, rules_on_tensors):
        self.handler, self.outer = handler, outer
        self.rules_on_tensors = rules_on_tensors or (outer is not None and outer.rules_on_tensors)

    def __call__(self, op, args, params):
        switches.intercept = self.outer
        try:
            return self.handler(op, args, params)
        finally:
            switches.intercept = self


def rules_on_tensors() -> bool:
    """True when an interceptor in this thread needs backward rules run on Tensors (see `intercepting`)."""
    return bool(unusual.watched) and switches.intercept is not None and switches.intercept.rules_on_tensors


def set_grad_enabled(flag: bool):
    """`with set_grad_enabled(False):` is `no_grad()`, with True `enable_grad()` (PyTorch's name).

    Example:
        >>> import chainrule as cr
        >>> with cr.set_grad_enabled(False):
        ...     cr.is_grad_enabled()
        False
    """
    return enable_grad() if flag else no_grad()


class no_grad(_Switch):
    """Record nothing in this thread: results of ops do not require grad.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> with cr.no_grad():
        ...     y = x * 3
        >>> y.requires_grad
        False
    """

    field, value = "grad_enabled", False


class enable_grad(_Switch):
    """Record again inside a `no_grad` block.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor(2.0, requires_grad=True)
        >>> with cr.no_grad():
        ...     with cr.enable_grad():
        ...         y = x * 3
        >>> y.requires_grad
        True
    """

    field, value = "grad_enabled", True


class detect_anomaly(_Switch):
    """Raise at once when an op makes a NaN or Inf, forward or backward.

    The error names the op and the line of user code that applied it.
    Checking every result costs time, so use it to hunt a bug, not to train.

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor(0.0, requires_grad=True)
        >>> with cr.detect_anomaly():
        ...     cr.log(x)
        Traceback (most recent call last):
        ...
        chainrule.core.errors.AnomalyError: log produced -inf in the forward pass ...
    """

    field, value, watched = "anomaly", True, True


def is_grad_enabled() -> bool:
    """True when ops record a graph in this thread (outside `no_grad`).

    Example:
        >>> import chainrule as cr
        >>> cr.is_grad_enabled()
        True
    """
    return grad_enabled()


__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "detect_anomaly", "is_grad_enabled"]
