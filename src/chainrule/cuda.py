"""torch.cuda's questions, answered for a NumPy library, and `device` objects.

chainrule computes on the CPU; `is_available()` is False, so the usual
`device = "cuda" if torch.cuda.is_available() else "cpu"` picks the CPU.

Example:
    >>> import chainrule as cr
    >>> cr.cuda.is_available(), cr.cuda.device_count()
    (False, 0)
"""

from __future__ import annotations

from .core.errors import ChainruleError


def is_available() -> bool:
    """False: chainrule has no GPU backend (NumPy runs on the CPU).

    Example:
        >>> import chainrule as cr
        >>> "cuda" if cr.cuda.is_available() else "cpu"
        'cpu'
    """
    return False


def device_count() -> int:
    """0: no GPU devices are usable.

    Example:
        >>> import chainrule as cr
        >>> cr.cuda.device_count()
        0
    """
    return 0


def manual_seed(seed) -> None:
    """Accepted for compatibility (there is no GPU generator to seed); seed the CPU one with cr.manual_seed.

    Example:
        >>> import chainrule as cr
        >>> cr.cuda.manual_seed(0) is None
        True
    """


def manual_seed_all(seed) -> None:
    """Accepted for compatibility (see manual_seed).

    Example:
        >>> import chainrule as cr
        >>> cr.cuda.manual_seed_all(0) is None
        True
    """


def synchronize(device=None) -> None:
    """Nothing to wait for: every NumPy operation has finished when it returns.

    Example:
        >>> import chainrule as cr
        >>> cr.cuda.synchronize() is None
        True
    """


class device:
    """A device name as torch.device: 'cpu' (where chainrule computes), or 'cuda'/'mps' names that
    can be written down but not used.

    Example:
        >>> import chainrule as cr
        >>> d = cr.device("cpu")
        >>> d.type, str(d), d == cr.device("cpu")
        ('cpu', 'cpu', True)
    """

    _TYPES = ("cpu", "cuda", "mps", "meta")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        text = str(type)
        if ":" in text:
            text, _, number = text.partition(":")
            index = int(number)
        if text not in self._TYPES:
            raise ChainruleError(f"unknown device type {text!r}; expected one of {', '.join(self._TYPES)}")
        self.type, self.index = text, index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type={self.type!r}" + (f", index={self.index})" if self.index is not None else ")")

    def __eq__(self, other):
        other = device(other) if isinstance(other, str) else other
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))
