"""Making tensors: from data, filled, ranges, and random (seeded), with PyTorch's dtypes.

Names decide semantics: these are PyTorch's names, so they follow PyTorch's
dtype rules. Python floats (and the float-valued functions `zeros`, `ones`,
`rand`, `randn`, `linspace`, ...) give the default float dtype, float32 unless
`set_default_dtype` says otherwise; Python ints give int64, bools bool; an
ndarray (or NumPy scalar) keeps its dtype, as `torch.tensor(np_array)` does.
`chainrule.numpy` keeps NumPy's rules (float64). Random functions draw from
one module Generator reset by `manual_seed`, or from an `rng=` you pass.
`device=` places the new tensor ("cpu", "cuda", "cuda:1"; see chainrule.core.backend);
random draws are made on the host, so a seed gives the same numbers on every device.
"""

from __future__ import annotations

import numpy as np

from .core import backend
from .core.tensor import Tensor, array_of, defaults
from .ops.shape import holds_tensor, stack_nested

_rng = np.random.default_rng()


def _make(array, requires_grad=False, device=None):
    if device is not None:
        array = backend.to_device(array, device)
    return Tensor(array, requires_grad=requires_grad)


def python_dtype(array: np.ndarray) -> np.dtype:
    """The dtype PyTorch gives data made of Python numbers: floats the default float dtype, ints int64.

    Example:
        >>> import numpy as np
        >>> python_dtype(np.array([1.5])), python_dtype(np.array([1, 2])), python_dtype(np.array(True))
        (dtype('float32'), dtype('int64'), dtype('bool'))
    """
    kind = array.dtype.kind
    if kind == "f":
        return defaults.float
    if kind in "iu":
        return np.dtype(np.int64)
    if kind == "c":  # the complex dtype made of two default floats (complex64 for float32)
        return np.dtype(np.complex64) if defaults.float.itemsize <= 4 else np.dtype(np.complex128)
    return array.dtype


def tensor(data, dtype=None, requires_grad=False, device=None) -> Tensor:
    """A new leaf tensor holding a copy of `data`, with PyTorch's dtype rules.

    Python floats become the default float dtype (float32 unless `set_default_dtype`), Python ints
    int64, bools bool; an ndarray, a NumPy scalar or a tensor keeps its dtype.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.tensor([1.5]).dtype, cr.tensor([[1, 2]]).dtype, cr.tensor(True).dtype
        (dtype('float32'), dtype('int64'), dtype('bool'))
        >>> cr.tensor(np.array([1.5])).dtype
        dtype('float64')
        >>> cr.tensor(2.0, requires_grad=True)
        tensor(2., requires_grad=True)
    """
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, list | tuple) and holds_tensor(data):  # [x, y]: stacked, the gradient reaches x and y
        stacked = stack_nested(data)
        stacked = stacked if dtype is None else stacked.astype(dtype)
        return stacked if device is None else stacked.to(device)
    if type(data) is not np.ndarray and backend.is_foreign(data):  # a CuPy array: copied on its device
        array = np.array(data, dtype=dtype, like=data)
    elif dtype is not None:
        array = np.array(data, dtype=dtype)
    elif isinstance(data, np.ndarray | np.generic):
        array = np.array(data)
    else:
        array = np.array(data)
        array = array.astype(python_dtype(array), copy=False)
    return _make(array, requires_grad, device)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like `tensor`, but returns a Tensor unchanged and shares an ndarray's memory.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> a = np.zeros(2, dtype=np.float32)
        >>> cr.as_tensor(a).numpy() is a
        True
    """
    if isinstance(data, Tensor) and (dtype is None or data.dtype == dtype):
        return data if device is None else data.to(device)
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype):
        return _make(data, device=device)
    return tensor(data, dtype=dtype, device=device)


def set_default_dtype(dtype) -> None:
    """The float dtype Python numbers and new tensors and layers get (PyTorch's name; float32 to start).

    Example:
        >>> import chainrule as cr
        >>> cr.set_default_dtype(cr.float64)
        >>> cr.tensor(1.5).dtype, cr.zeros(2).dtype, cr.nn.Linear(2, 1).weight.dtype
        (dtype('float64'), dtype('float64'), dtype('float64'))
        >>> cr.set_default_dtype(cr.float32)
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"set_default_dtype takes a floating dtype (float16, float32, float64), got {dtype}")
    defaults.float = dtype


def get_default_dtype() -> np.dtype:
    """The float dtype new tensors and layers get unless told (see `set_default_dtype`): float32 to start.

    Example:
        >>> import chainrule as cr
        >>> cr.get_default_dtype()
        dtype('float32')
    """
    return defaults.float


def _dtype(dtype):
    return defaults.float if dtype is None else dtype


def zeros(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Tensor of zeros (the default float dtype unless `dtype`): zeros(2, 3) or zeros((2, 3)), as torch.zeros.

    Example:
        >>> import chainrule as cr
        >>> cr.zeros(2, 3).shape, cr.zeros((2, 3)).shape
        ((2, 3), (2, 3))
    """
    shape, dtype = _size_and_dtype(size, dtype)
    return _make(np.zeros(shape, _dtype(dtype)), requires_grad, device)


def ones(*size, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Tensor of ones: ones(2, 3) or ones((2, 3)).

    Example:
        >>> import chainrule as cr
        >>> cr.ones(2)
        tensor([1., 1.])
    """
    shape, dtype = _size_and_dtype(size, dtype)
    return _make(np.ones(shape, _dtype(dtype)), requires_grad, device)


def _size_and_dtype(size, dtype):
    """torch's `*size` (ints, or one tuple or list); a dtype after a tuple, as NumPy's zeros(shape, dtype)."""
    if len(size) == 2 and isinstance(size[0], (tuple, list)) and dtype is None:
        size, dtype = size[:1], size[1]
    return _shape(size), dtype


def empty(*shape, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Tensor of the given shape whose values are not set (read them only after writing them), as torch.empty.

    Example:
        >>> import chainrule as cr
        >>> cr.empty(2, 3).shape, cr.empty((2,)).dtype
        ((2, 3), dtype('float32'))
    """
    return _make(np.empty(_shape(shape), _dtype(dtype)), requires_grad, device)


def full(shape, fill_value, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Tensor filled with one value; its dtype follows the value's, as torch.full (an int fills int64).

    Example:
        >>> import chainrule as cr
        >>> cr.full(2, 7.0), cr.full(2, 7).dtype
        (tensor([7., 7.]), dtype('int64'))
    """
    if dtype is None:
        dtype = python_dtype(np.asarray(fill_value._data if isinstance(fill_value, Tensor) else fill_value))
    return _make(np.full(shape, fill_value, dtype), requires_grad, device)


def zeros_like(x, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Zeros with x's shape and dtype.

    Example:
        >>> import chainrule as cr
        >>> cr.zeros_like(cr.ones(2))
        tensor([0., 0.])
    """
    return _make(np.zeros_like(array_of(x), dtype=dtype), requires_grad, device)  # on x's device unless told


def ones_like(x, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Ones with x's shape and dtype.

    Example:
        >>> import chainrule as cr
        >>> cr.ones_like(cr.zeros(2))
        tensor([1., 1.])
    """
    return _make(np.ones_like(array_of(x), dtype=dtype), requires_grad, device)  # on x's device unless told


def arange(start, stop=None, step=1, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Evenly spaced values in [start, stop), as torch.arange: int64 from ints, the default float from floats.

    Example:
        >>> import chainrule as cr
        >>> cr.arange(3.0), cr.arange(3).dtype
        (tensor([0., 1., 2.]), dtype('int64'))
    """
    array = np.arange(start, stop, step) if stop is not None else np.arange(start, step=step)
    return _make(array.astype(python_dtype(array) if dtype is None else dtype, copy=False), requires_grad, device)


def linspace(start, stop, num=50, dtype=None, requires_grad=False, device=None) -> Tensor:
    """`num` evenly spaced values from start to stop inclusive.

    Example:
        >>> import chainrule as cr
        >>> cr.linspace(0, 1, 3)
        tensor([0. , 0.5, 1. ])
    """
    return _make(np.linspace(start, stop, num, dtype=_dtype(dtype)), requires_grad, device)


def eye(n, m=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Identity matrix (n x m).

    Example:
        >>> import chainrule as cr
        >>> cr.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    return _make(np.eye(n, m, dtype=_dtype(dtype)), requires_grad, device)


def manual_seed(seed: int) -> np.random.Generator:
    """Reset the Generator behind randn / rand / normal / uniform.

    Example:
        >>> import chainrule as cr
        >>> _ = cr.manual_seed(0); a = cr.randn(2)
        >>> _ = cr.manual_seed(0); bool((a.numpy() == cr.randn(2).numpy()).all())
        True
    """
    global _rng
    _rng = np.random.default_rng(seed)
    return _rng


def default_rng() -> np.random.Generator:
    """The Generator random functions use when no `rng=` is given."""
    return _rng


def _random(draw, dtype, requires_grad, device=None):
    array = draw.astype(_dtype(dtype), copy=False)
    return _make(array, requires_grad, device)


def _shape(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def randn(*shape, dtype=None, requires_grad=False, rng=None, generator=None, device=None) -> Tensor:
    """Standard normal samples.

    Example:
        >>> import chainrule as cr
        >>> cr.randn(2, 3).shape
        (2, 3)
    """
    return _random((rng or _numpy_rng(generator)).standard_normal(_shape(shape)), dtype, requires_grad, device)


def rand(*shape, dtype=None, requires_grad=False, rng=None, generator=None, device=None) -> Tensor:
    """Uniform samples on [0, 1).

    Example:
        >>> import chainrule as cr
        >>> bool((cr.rand(5).numpy() < 1).all())
        True
    """
    return _random((rng or _numpy_rng(generator)).random(_shape(shape)), dtype, requires_grad, device)


def normal(mean=0.0, std=1.0, size=(), dtype=None, requires_grad=False, rng=None, device=None) -> Tensor:
    """Normal samples with the given mean and standard deviation.

    Example:
        >>> import chainrule as cr
        >>> cr.normal(0.0, 2.0, size=(3,)).shape
        (3,)
    """
    return _random(np.asarray((rng or _rng).normal(mean, std, size)), dtype, requires_grad, device)


def uniform(low=0.0, high=1.0, size=(), dtype=None, requires_grad=False, rng=None, device=None) -> Tensor:
    """Uniform samples on [low, high).

    Example:
        >>> import chainrule as cr
        >>> cr.uniform(-1, 1, size=4).shape
        (4,)
    """
    return _random(np.asarray((rng or _rng).uniform(low, high, size)), dtype, requires_grad, device)


# ---- torch names: generators, integer draws, sampling -------------------------------------------
class Generator:
    """A seeded random stream for `generator=` arguments, as torch.Generator (NumPy's PCG64 inside).

    It also works wherever chainrule takes `rng=` (it forwards NumPy's Generator methods).

    Example:
        >>> import chainrule as cr
        >>> g = cr.Generator().manual_seed(42)
        >>> a = cr.randn(3, generator=g)
        >>> bool((a.numpy() == cr.randn(3, generator=cr.Generator().manual_seed(42)).numpy()).all())
        True
    """

    def __init__(self, device="cpu"):
        self.device = device
        self._seed = int(np.random.SeedSequence().entropy % (2 ** 63))
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Restart the stream from `seed`; returns self (so `Generator().manual_seed(0)` chains)."""
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Reseed from fresh entropy; returns the new seed."""
        self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))
        return self._seed

    def initial_seed(self):
        """The seed the stream was last started from."""
        return self._seed

    def __getattr__(self, name):  # standard_normal, random, integers, ...: the NumPy generator's
        return getattr(self.__dict__["rng"], name)


def _numpy_rng(generator):
    if generator is None:
        return _rng
    return generator.rng if isinstance(generator, Generator) else generator


def _int_dtype(dtype):
    return np.int64 if dtype is None else dtype


def randint(*args, size=None, generator=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """Integers drawn uniformly from [low, high): randint(high, size) or randint(low, high, size), as torch.

    Example:
        >>> import chainrule as cr
        >>> x = cr.randint(3, 7, (100,))
        >>> x.dtype, bool((x.numpy() >= 3).all() and (x.numpy() < 7).all())
        (dtype('int64'), True)
    """
    if size is not None:
        args = args + (size,)
    if len(args) == 2:
        low, (high, size) = 0, args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError("randint takes (high, size) or (low, high, size)")
    if high <= low:
        raise ValueError(f"randint: low ({low}) must be below high ({high})")
    size = (size,) if isinstance(size, int) else tuple(size)
    return _make(_numpy_rng(generator).integers(low, high, size).astype(_int_dtype(dtype)), requires_grad, device)


def randperm(n, generator=None, dtype=None, requires_grad=False, device=None) -> Tensor:
    """A random permutation of 0..n-1 (int64).

    Example:
        >>> import chainrule as cr
        >>> sorted(cr.randperm(5).tolist())
        [0, 1, 2, 3, 4]
    """
    return _make(_numpy_rng(generator).permutation(int(n)).astype(_int_dtype(dtype)), requires_grad, device)


def multinomial(input, num_samples, replacement=False, generator=None) -> Tensor:
    """Indices drawn from each row of non-negative weights (rows need not sum to 1), as torch.multinomial.

    Example:
        >>> import chainrule as cr
        >>> cr.multinomial(cr.tensor([0.0, 1.0, 0.0]), 4, replacement=True).tolist()
        [1, 1, 1, 1]
    """
    weights = np.asarray(input._data if isinstance(input, Tensor) else input, dtype=np.float64)
    if weights.ndim not in (1, 2):
        raise ValueError(f"multinomial: prob_dist must be 1 or 2 dim, got {weights.ndim}")
    rows = weights.reshape(-1, weights.shape[-1])
    if (rows < 0).any() or not np.isfinite(rows).all():
        raise ValueError("multinomial: probability tensor contains either inf, nan or element < 0")
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise ValueError("multinomial: invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and num_samples > (rows > 0).sum(axis=1).min():
        raise ValueError("multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rng = _numpy_rng(generator)
    out = np.stack([rng.choice(rows.shape[1], size=num_samples, replace=replacement, p=r / t)
                    for r, t in zip(rows, totals)]).astype(np.int64)
    return _make(out.reshape(weights.shape[:-1] + (num_samples,)))
