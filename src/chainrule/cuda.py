"""torch.cuda's questions, answered through CuPy, and `device` objects.

chainrule computes on a GPU when its arrays are CuPy arrays (the optional
extra: pip install "chainrule[gpu]"). `is_available()` is True only when
CuPy is installed and sees a CUDA device, so the usual
`device = "cuda" if cr.cuda.is_available() else "cpu"` works as in PyTorch.
Asking imports CuPy; importing chainrule does not.

Example:
    >>> import chainrule as cr
    >>> cr.cuda.is_available() == (cr.cuda.device_count() > 0)
    True
"""

from __future__ import annotations

from .core import backend
from .core.errors import ChainruleError


def is_available() -> bool:
    """True when CuPy is installed and sees at least one CUDA device.

    Example:
        >>> import chainrule as cr
        >>> ("cuda" if cr.cuda.is_available() else "cpu") in ("cuda", "cpu")
        True
    """
    return backend.is_cupy_usable()


def device_count() -> int:
    """The number of CUDA devices CuPy sees (0 without CuPy or a GPU).

    Example:
        >>> import chainrule as cr
        >>> cr.cuda.device_count() >= 0
        True
    """
    if not is_available():
        return 0
    import cupy

    return int(cupy.cuda.runtime.getDeviceCount())


def manual_seed(seed) -> None:
    """Accepted for compatibility: chainrule draws random numbers on the host (cr.manual_seed seeds them all).

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
    """Wait for the GPU's queued work to finish (for timing); nothing to wait for on the CPU.

    Example:
        >>> import chainrule as cr
        >>> cr.cuda.synchronize() is None
        True
    """
    if is_available():
        import cupy

        cupy.cuda.get_current_stream().synchronize()


class device:
    """A device name as torch.device: 'cpu', 'cuda' / 'cuda:1' (through CuPy), and names that can be
    written down but not used ('mps', 'meta'). Wherever chainrule takes `device=`, it takes one of these.

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
        if text not in self._TYPES and text not in backend.registered_devices():
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
