"""Real data: scikit-learn's handwritten digits, and MNIST-format IDX files."""

from __future__ import annotations

import gzip
import math
import os
import zlib

import numpy as np

from ..core.errors import ChainruleError
from ..io import MAX_LOAD_BYTES, FileFormatError

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


def _read_exactly(f, n, path, chunk=2**20):
    # in chunks, so a header that lies about the size of a compressed stream costs no more than the stream
    parts, got = [], 0
    while got < n:
        part = f.read(min(chunk, n - got))
        if not part:
            raise FileFormatError(f"cannot load {path}: IDX file is truncated (needed {n} bytes, found {got})")
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def load_idx(path, max_bytes=MAX_LOAD_BYTES):
    """Read an IDX file (the MNIST format; .gz allowed) into an ndarray.

    The header's dimensions are checked against the file's size (and, for a
    .gz file, against `max_bytes`) before anything is allocated; a damaged
    file raises `FileFormatError` naming it.

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
    if os.path.isdir(path):
        raise FileFormatError(f"cannot load {path}: it is a folder")
    compressed = str(path).endswith(".gz")
    try:
        with (gzip.open if compressed else open)(path, "rb") as f:
            magic = f.read(4)
            if len(magic) < 4 or magic[0] != 0 or magic[1] != 0 or magic[2] not in _IDX_TYPES:
                raise FileFormatError(f"{path} is not an IDX file (bad magic number)")
            dtype, ndim = np.dtype(_IDX_TYPES[magic[2]]), magic[3]
            shape = tuple(int(d) for d in np.frombuffer(_read_exactly(f, 4 * ndim, path), dtype=">u4"))
            nbytes = math.prod(shape) * dtype.itemsize  # Python ints: a product that overflows int64 stays exact
            available = None if compressed else os.path.getsize(path) - 4 - 4 * ndim
            if available is not None and nbytes != available:
                raise FileFormatError(f"cannot load {path}: IDX data holds {available} bytes, its header "
                                      f"promises {nbytes} (shape {shape})")
            if nbytes > max_bytes:
                raise FileFormatError(f"cannot load {path}: its header declares shape {shape}, {nbytes} bytes, "
                                      f"over the limit of {max_bytes}; pass max_bytes= if the file is trusted")
            raw = _read_exactly(f, nbytes, path)
            if compressed and f.read(1):
                raise FileFormatError(f"cannot load {path}: IDX data is longer than its header promises "
                                      f"({nbytes} bytes, shape {shape})")
    except FileFormatError:
        raise
    except (OSError, EOFError, zlib.error) as exc:  # gzip: BadGzipFile, truncated stream, bad CRC
        raise FileFormatError(f"cannot load {path}: damaged file ({type(exc).__name__}: {exc})") from None
    return np.frombuffer(raw, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))


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
