"""The array-backend seam: which array library an array belongs to, where it lives, how it moves.

chainrule's op table is written once, with `np.*` calls. NumPy hands a call
on an array that is not an ndarray to that array's own `__array_ufunc__` /
`__array_function__` (NEP 13, NEP 18), and creation functions take `like=`
(NEP 35). CuPy implements all three, so `np.tanh(cupy_array)` runs on the
GPU and returns a CuPy array: the table needs no second backend. What the
protocols cannot answer is asked here, in one place: an array's device, a
move between host and device, a new array on the same device as another.

A backend is registered per array type (CuPy's on first sight of a CuPy
array or of `device="cuda"`, so importing chainrule never imports CuPy;
the tests register a strict array type that refuses NumPy conversion, as
CuPy does). NumPy arrays have no backend entry: every function below
answers them first, with one type check, so the NumPy path is unchanged.

Example:
    >>> import numpy as np
    >>> from chainrule.core import backend
    >>> backend.device_of(np.ones(2)), backend.as_array([1.0, 2.0])
    ('cpu', array([1., 2.]))
"""

from __future__ import annotations

import numpy as np

from .errors import ChainruleError

ndarray = np.ndarray


class DeviceError(ChainruleError):
    """A device that is unknown or unavailable, or arrays on two devices in one op.

    Example:
        >>> import chainrule as cr
        >>> try:
        ...     cr.zeros(2, device="tpu")
        ... except cr.DeviceError as e:
        ...     print(str(e).split(";")[0])
        unknown device type 'tpu'
    """


class Backend:
    """How chainrule talks to one array library besides NumPy.

    - `device_type`: the device name's type ("cuda"), what `t.device` starts with.
    - `array_type`: the library's array class (`cupy.ndarray`).
    - `device_of(array)` -> device string ("cuda:0").
    - `to_host(array)` -> ndarray (a copy).
    - `from_host(ndarray, index)` -> an array of this library on device `index` (None: the current one).

    Example:
        >>> import numpy as np
        >>> from chainrule.core.backend import Backend
        >>> b = Backend("demo", list, lambda a: "demo", np.asarray, lambda a, index: list(a))
        >>> b.device_type
        'demo'
    """

    __slots__ = ("device_type", "array_type", "device_of", "to_host", "from_host")

    def __init__(self, device_type, array_type, device_of, to_host, from_host):
        self.device_type, self.array_type = device_type, array_type
        self.device_of, self.to_host, self.from_host = device_of, to_host, from_host


_BY_TYPE: dict[type, Backend] = {}
_BY_DEVICE: dict[str, Backend] = {}


def register(backend: Backend) -> None:
    """Make arrays of `backend.array_type` and devices of `backend.device_type` known to chainrule.

    Example:
        >>> from chainrule.core import backend
        >>> "cpu" not in backend.registered_devices()
        True
    """
    _BY_TYPE[backend.array_type] = backend
    _BY_DEVICE[backend.device_type] = backend


def registered_devices() -> tuple[str, ...]:
    """The device types of the registered backends (besides "cpu", always there).

    Example:
        >>> from chainrule.core import backend
        >>> isinstance(backend.registered_devices(), tuple)
        True
    """
    return tuple(_BY_DEVICE)


def backend_of(array) -> Backend | None:
    """The backend an array belongs to; None for NumPy arrays, scalars and everything else.

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> backend.backend_of(np.ones(2)) is None
        True
    """
    cls = type(array)
    if cls is ndarray:
        return None
    found = _BY_TYPE.get(cls)
    if found is None and cls.__module__.partition(".")[0] == "cupy":  # first sight of a CuPy array
        found = _cupy_backend()
    return found


def is_foreign(array) -> bool:
    """Whether `array` belongs to a registered backend (not NumPy).

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> backend.is_foreign(np.ones(2)), backend.is_foreign(2.0)
        (False, False)
    """
    return type(array) is not ndarray and backend_of(array) is not None


def as_array(x):
    """x as an array of its own library: an ndarray or a registered backend's array stays as it is;
    anything else (numbers, lists, NumPy scalars) becomes an ndarray.

    Example:
        >>> from chainrule.core import backend
        >>> backend.as_array(3.0)
        array(3.)
    """
    if type(x) is ndarray or backend_of(x) is not None:
        return x
    return np.asarray(x)


def device_of(array) -> str:
    """'cpu' for NumPy data, else the backend's device name ('cuda:0').

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> backend.device_of(np.zeros(3))
        'cpu'
    """
    found = None if type(array) is ndarray else backend_of(array)
    return "cpu" if found is None else found.device_of(array)


def parse_device(device) -> tuple[str, int | None]:
    """(type, index) of a device given as 'cpu', 'cuda', 'cuda:1' or a cr.device.

    Example:
        >>> from chainrule.core import backend
        >>> backend.parse_device("cuda:1"), backend.parse_device("cpu")
        (('cuda', 1), ('cpu', None))
    """
    if device is None:
        return "cpu", None
    if hasattr(device, "type") and not isinstance(device, str):
        return str(device.type), getattr(device, "index", None)
    text = str(device)
    kind, colon, number = text.partition(":")
    if colon and not number.isdigit():
        raise DeviceError(f"cannot read device {text!r}; write 'cpu', 'cuda' or 'cuda:<index>'")
    return kind, (int(number) if colon else None)


def backend_for(device_type: str) -> Backend:
    """The backend serving a device type ('cuda' loads CuPy), or a DeviceError saying what to install.

    Example:
        >>> from chainrule.core import backend
        >>> try:
        ...     backend.backend_for("tpu")
        ... except backend.DeviceError as e:
        ...     print(str(e).split(";")[0])
        unknown device type 'tpu'
    """
    found = _BY_DEVICE.get(device_type)
    if found is not None:
        return found
    if device_type == "cuda":
        return _cupy_backend()
    known = ", ".join(("cpu", "cuda", *(d for d in _BY_DEVICE if d != "cuda")))
    raise DeviceError(f"unknown device type {device_type!r}; chainrule knows {known}")


def to_device(array, device):
    """`array` (NumPy or a backend's) on `device`: returned as it is when it is there already.

    Moving is always explicit (this function); no op copies between devices by itself.

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> a = np.ones(2)
        >>> backend.to_device(a, "cpu") is a
        True
    """
    kind, index = parse_device(device)
    source = None if type(array) is ndarray else backend_of(array)
    if kind == "cpu":
        return np.asarray(array) if source is None else source.to_host(array)
    target = backend_for(kind)
    if source is target and (index is None or device_of(array) == f"{kind}:{index}"):
        return array
    host = np.asarray(array) if source is None else source.to_host(array)
    return target.from_host(host, index)


def to_host(array) -> np.ndarray:
    """An ndarray with `array`'s values (the array itself when it is one already).

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> backend.to_host([1, 2])
        array([1, 2])
    """
    source = None if type(array) is ndarray else backend_of(array)
    return np.asarray(array) if source is None else source.to_host(array)


def like(reference):
    """The `like=` argument for creating an array next to `reference`: None for NumPy (no dispatch).

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> np.zeros(2, like=backend.like(np.ones(1)))
        array([0., 0.])
    """
    return None if type(reference) is ndarray or backend_of(reference) is None else reference


def check_one_device(arrays, what) -> None:
    """Raise a DeviceError naming both devices when `arrays` live on more than one (`what`: the op's name).

    Called where an op has failed already, so that the NumPy path pays nothing for it.

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> backend.check_one_device([np.ones(1), 2.0], "add") is None
        True
    """
    devices = []
    for a in arrays:
        if type(a) is ndarray:
            d = "cpu"
        elif backend_of(a) is not None:
            d = device_of(a)
        else:
            continue  # numbers and other Python values go with any device
        if d not in devices:
            devices.append(d)
    if len(devices) > 1:
        raise DeviceError(f"{what}: its inputs are on different devices ({devices[0]} and {devices[1]}); "
                          f"move them to one first, e.g. x.to({devices[-1]!r})")


def is_cupy_usable() -> bool:
    """True when CuPy can be imported and sees at least one CUDA device (imports CuPy only when asked).

    Example:
        >>> from chainrule.core import backend
        >>> isinstance(backend.is_cupy_usable(), bool)
        True
    """
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # not installed, no driver, no device: all mean "no GPU"
        return False


def _cupy_backend() -> Backend:
    """CuPy's backend, registered on first use; a DeviceError when CuPy or a device is missing."""
    found = _BY_DEVICE.get("cuda")
    if found is not None:
        return found
    try:
        import cupy
    except ImportError:
        raise DeviceError("device 'cuda' needs CuPy, which is not installed; "
                          "pip install 'chainrule[gpu]' (CUDA 12), or use device='cpu'") from None
    if not is_cupy_usable():
        raise DeviceError("device 'cuda': CuPy is installed but sees no CUDA device (driver or GPU missing); "
                          "use device='cpu'")

    def from_host(host, index):
        if index is None:
            return cupy.asarray(host)
        with cupy.cuda.Device(index):
            return cupy.asarray(host)

    backend = Backend("cuda", cupy.ndarray, lambda a: f"cuda:{a.device.id}", cupy.asnumpy, from_host)
    register(backend)
    return backend


def on_host(fn):
    """`fn` (a forward that needs host arrays: SciPy's functions) made to take a device's arrays too.

    NumPy inputs go straight through. When an input is a backend's array, every
    array input is copied to the host, `fn` runs there, and its result is
    copied back to that device: correct everywhere, and explicit about the two
    copies (they are the price of an op that has no device implementation).

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> backend.on_host(np.cbrt)(np.array([8.0]))
        array([2.])
    """
    def run(*args, **params):
        device = None
        for a in args:
            if type(a) is not ndarray and backend_of(a) is not None:
                device = device_of(a)
                break
        if device is None:
            return fn(*args, **params)
        host = [to_host(a) if type(a) is not ndarray and backend_of(a) is not None else a for a in args]
        return to_device(as_array(fn(*host, **params)), device)

    run.__name__, run.__doc__, run.__wrapped__ = getattr(fn, "__name__", "forward"), fn.__doc__, fn
    return run


def array_like(value, dtype, reference):
    """`value` as an array of `dtype`: an array keeps its own device (a mismatch is the op's error to
    report), a number or list is made on `reference`'s device (a cotangent `1.0` for a GPU output).

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> backend.array_like(2, np.float32, np.ones(3))
        array(2., dtype=float32)
    """
    if type(value) is ndarray or backend_of(value) is not None:
        return value if value.dtype == dtype else value.astype(dtype)
    return np.asarray(value, dtype=dtype, like=like(reference))


def index_on(index, reference):
    """An index (a tuple of ints, slices and index arrays) with its host arrays copied to `reference`'s device.

    Plain indexing takes host index arrays on any device (CuPy copies them itself); `np.add.at` needs them
    on the array's device. For NumPy data the index is returned as it is.

    Example:
        >>> import numpy as np
        >>> from chainrule.core import backend
        >>> i = (np.arange(2), 0)
        >>> backend.index_on(i, np.zeros((2, 2))) is i
        True
    """
    if type(reference) is ndarray or backend_of(reference) is None:
        return index
    device = device_of(reference)

    def move(part):
        return to_device(part, device) if isinstance(part, ndarray) else part

    return tuple(move(part) for part in index) if isinstance(index, tuple) else move(index)
