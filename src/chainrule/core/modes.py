"""Global switches that change what an op application records.

`no_grad` / `enable_grad` turn graph recording off and on; `detect_anomaly`
makes every op check its result for NaN and Inf. The state lives in one small
object read on the hot path, so a switch costs one attribute lookup per op.
"""

from __future__ import annotations

import contextlib


class _State:
    __slots__ = ("grad_enabled", "anomaly", "tangent_ceiling", "mutations", "open_levels", "dual_level")

    def __init__(self):
        self.grad_enabled = True
        self.anomaly = False
        # Forward mode propagates only tangents of levels below this ceiling;
        # see forward.py for why a rule must not see its own level.
        self.tangent_ceiling = 1 << 62
        # The reading of node.py's clock at the latest in-place change of any
        # tensor. A node numbered after it cannot have seen its inputs change,
        # so the sweep skips the check.
        self.mutations = 0
        # Forward-mode levels of the jvp calls now running. Empty (the common
        # case) means no op needs to look at tangents at all.
        self.open_levels = set()
        self.dual_level = None  # the level cr.dual numbers live on, once one is made


state = _State()


class _Switch(contextlib.ContextDecorator):
    """Set one field of `state` for a `with` block or a decorated function."""

    field = ""
    value: object = None

    def __init__(self):
        self._saved = []

    def __enter__(self):
        self._saved.append(getattr(state, self.field))
        setattr(state, self.field, self.value)
        return self

    def __exit__(self, *exc):
        setattr(state, self.field, self._saved.pop())
        return False


class no_grad(_Switch):
    """Record nothing: results of ops do not require grad.

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

    field, value = "anomaly", True


def is_grad_enabled() -> bool:
    """True when ops record a graph (outside `no_grad`).

    Example:
        >>> import chainrule as cr
        >>> cr.is_grad_enabled()
        True
    """
    return state.grad_enabled


@contextlib.contextmanager
def tangent_ceiling(level: int):
    """Hide tangents of `level` and above while a JVP rule of `level` runs."""
    saved = state.tangent_ceiling
    state.tangent_ceiling = min(saved, level)
    try:
        yield
    finally:
        state.tangent_ceiling = saved


__all__ = ["no_grad", "enable_grad", "detect_anomaly", "is_grad_enabled", "state"]
