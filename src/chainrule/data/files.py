"""Real data: scikit-learn's handwritten digits, and MNIST-format IDX files."""

from __future__ import annotations

import gzip
import os

import numpy as np

from ..core.errors import ChainruleError

_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def digits():
    """The 8x8 handwritten digits (1797 images) from scikit-learn, pixels scaled to [0, 1].

    Returns (X of shape (1797, 64), y). Needs scikit-learn: `pip install "chainrule[data]"`.
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ChainruleError("the digits dataset needs scikit-learn: pip install \"chainrule[data]\" "
                             "(or pip install scikit-learn)") from None
    bunch = load_digits()
    return bunch.data.astype(np.float64) / 16.0, bunch.target.astype(np.int64)


def load_idx(path):
    """Read an IDX file (the MNIST format; .gz allowed) into an ndarray.

    Example:
        >>> import numpy as np, tempfile, os
        >>> from chainrule.data import load_idx, save_idx
        >>> path = os.path.join(tempfile.mkdtemp(), "a.idx")
        >>> save_idx(path, np.arange(6, dtype=np.uint8).reshape(2, 3))
        >>> load_idx(path).tolist()
        [[0, 1, 2], [3, 4, 5]]
    """
    if not os.path.exists(path):
        raise ChainruleError(f"no IDX file at {path}")
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ChainruleError(f"{path} is not an IDX file (bad magic number)")
    dtype, ndim = np.dtype(_IDX_TYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ChainruleError(f"{path}: IDX header is truncated")
    shape = tuple(int(d) for d in np.frombuffer(raw[4:header], dtype=">u4"))
    count = int(np.prod(shape)) if shape else 1
    if len(raw) - header != count * dtype.itemsize:
        raise ChainruleError(f"{path}: IDX data holds {len(raw) - header} bytes, its header promises "
                             f"{count * dtype.itemsize}")
    return np.frombuffer(raw[header:], dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


def save_idx(path, array):
    """Write an ndarray as an IDX file (for tests and small exports)."""
    array = np.asarray(array)
    code = {np.dtype(v).newbyteorder(">").str: k for k, v in _IDX_TYPES.items()}
    key = array.dtype.newbyteorder(">").str if array.dtype.itemsize > 1 else array.dtype.str
    if key not in code and array.dtype.str not in code:
        raise ChainruleError(f"IDX cannot store dtype {array.dtype}")
    type_code = code.get(key, code.get(array.dtype.str))
    header = bytes([0, 0, type_code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    with open(path, "wb") as f:
        f.write(header + array.astype(np.dtype(_IDX_TYPES[type_code])).tobytes())


def load_mnist(images_path, labels_path):
    """(X, y) from an MNIST image file and label file: X flattened to floats in [0, 1]."""
    images, labels = load_idx(images_path), load_idx(labels_path)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ChainruleError(f"expected images (n, rows, cols) and labels (n,), got {images.shape} and "
                             f"{labels.shape}")
    return images.reshape(len(images), -1).astype(np.float64) / 255.0, labels.astype(np.int64)
