"""The exceptions chainrule raises, each meant to be read by a person."""


class ChainruleError(Exception):
    """Base class of chainrule's own errors."""


class GraphFreedError(ChainruleError, RuntimeError):
    """A backward pass reached a graph an earlier backward pass freed."""


class InplaceModificationError(ChainruleError, RuntimeError):
    """A value saved by the graph was changed after it was recorded."""


class AnomalyError(ChainruleError, FloatingPointError):
    """Under `detect_anomaly`, an op produced a NaN or an Inf."""


class OpError(ChainruleError, ValueError):
    """An op could not be applied to its inputs (shapes, dtypes, arguments)."""
