"""cr.save / cr.load: state dicts in NumPy's .npz format, never pickled.

Arrays go into the archive as arrays; the nesting (dicts, lists, numbers,
strings) is written as JSON beside them, so loading runs no code from the
file: `np.load(..., allow_pickle=False)` and `json.loads` only.
"""

from __future__ import annotations

import json

import numpy as np

from .core.errors import ChainruleError
from .core.tensor import Tensor

_STRUCTURE_KEY = "__chainrule_structure__"


def _encode(obj, arrays):
    if isinstance(obj, Tensor):
        obj = obj._data
    if isinstance(obj, np.ndarray):
        arrays[f"a{len(arrays)}"] = obj
        return {"array": f"a{len(arrays) - 1}"}
    if isinstance(obj, dict):
        return {"dict": [[str(k), type(k).__name__, _encode(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {type(obj).__name__: [_encode(v, arrays) for v in obj]}
    if isinstance(obj, (bool, int, float, str)) or obj is None:
        return {"value": obj}
    if isinstance(obj, np.generic):
        return {"value": obj.item()}
    raise ChainruleError(f"cr.save stores arrays, numbers, strings and dicts/lists of them; got {type(obj).__name__}")


def _decode(spec, archive):
    (kind, body), = spec.items()
    if kind == "array":
        return archive[body]
    if kind == "dict":
        return {(int(k) if t == "int" else k): _decode(v, archive) for k, t, v in body}
    if kind in ("list", "tuple"):
        items = [_decode(v, archive) for v in body]
        return items if kind == "list" else tuple(items)
    return body


def save(obj, path):
    """Write a state dict (or nested dicts/lists of arrays and numbers) to `path` (.npz).

    Example:
        >>> import os, tempfile, chainrule as cr
        >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
        >>> cr.save(cr.nn.Linear(2, 1).state_dict(), path)
        >>> sorted(cr.load(path))
        ['bias', 'weight']
    """
    arrays = {}
    structure = _encode(obj, arrays)
    arrays[_STRUCTURE_KEY] = np.array(json.dumps(structure))
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def load(path):
    """Read what `save` wrote; arrays come back as ndarrays."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            if _STRUCTURE_KEY not in archive:
                raise ChainruleError(f"{path} was not written by cr.save")
            structure = json.loads(str(archive[_STRUCTURE_KEY]))
            return _decode(structure, {k: archive[k] for k in archive.files if k != _STRUCTURE_KEY})
    except FileNotFoundError:
        raise ChainruleError(f"no file at {path}") from None
    except (ValueError, OSError) as exc:
        raise ChainruleError(f"cannot read {path} as a chainrule .npz file: {exc}") from None
