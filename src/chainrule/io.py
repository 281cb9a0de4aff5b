"""cr.save / cr.load: state dicts in NumPy's .npz format, never pickled.

Arrays go into the archive as arrays; the nesting (dicts, lists, numbers,
strings, and the exact type of every dict key) is written as JSON beside
them, so loading runs no code from the file.

Saving is atomic: the archive is written to a temporary file in the same
folder, flushed to disk, then renamed over the old file, so a failed save or
a process killed mid-save leaves the previous file as it was.

Loading treats the file as hostile: it reads the zip directory, then only the
arrays the structure names, checks each npy header (dtype, shape, declared
size) before allocating anything, and turns every way a file can be damaged
into one `FileFormatError` naming the file and what was wrong.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import warnings
import zipfile

import numpy as np
from numpy.lib import format as npy_format

from .core import backend
from .core.errors import ChainruleError
from .core.tensor import Tensor

_STRUCTURE_KEY = "__chainrule_structure__"
_FORMAT = 2
MAX_LOAD_BYTES = 4 * 2**30  # the default limit on what one cr.load may allocate
_MAX_STRUCTURE_BYTES = 64 * 2**20
_MAX_DEPTH = 100
_DEFLATE_MAX_RATIO = 1032


class FileFormatError(ChainruleError, ValueError):
    """A file is truncated, corrupted, hostile, or not in the format asked for.

    Example:
        >>> import os, tempfile, chainrule as cr
        >>> path = os.path.join(tempfile.mkdtemp(), "junk.npz")
        >>> _ = open(path, "wb").write(b"not a zip file")
        >>> try:
        ...     cr.load(path)
        ... except cr.io.FileFormatError as exc:
        ...     print("not a zip" in str(exc))
        True
    """


# ---- writing -------------------------------------------------------------------------

_KEY_TYPES = (bool, int, float, str, type(None))


class _Encoder:
    """Turns nested containers into a JSON spec plus a dict of arrays."""

    def __init__(self):
        self.arrays = {}
        self._open = set()  # ids of the containers on the current path, to refuse cycles

    def _add(self, array, where):
        if array.dtype.hasobject:
            raise ChainruleError(f"cr.save cannot store {where}: it is an array of Python objects (dtype "
                                 f"{array.dtype}), which could only be read back by unpickling; convert it "
                                 "to a numeric or string array")
        name = f"a{len(self.arrays)}"
        self.arrays[name] = array
        return name

    def key(self, k, where):
        if isinstance(k, _KEY_TYPES):
            return {"value": k}
        if isinstance(k, np.generic) and not k.dtype.hasobject:
            return {"scalar": self._add(np.asarray(k), where)}
        if isinstance(k, tuple):
            return {"tuple": [self.key(item, where) for item in k]}
        raise ChainruleError(f"cr.save cannot keep the dict key {k!r} ({type(k).__name__}) in {where}: keys "
                             "must be str, int, float, bool, None, NumPy scalars or tuples of them")

    def value(self, obj, where, depth=0):
        if depth > _MAX_DEPTH:
            raise ChainruleError(f"cr.save: {where} is nested more than {_MAX_DEPTH} levels deep")
        if isinstance(obj, Tensor):
            obj = obj._data
        if type(obj) is not np.ndarray and backend.is_foreign(obj):  # a GPU array: the file holds its host copy
            obj = backend.to_host(obj)
        if isinstance(obj, np.ndarray):
            return {"array": self._add(obj, where)}
        if isinstance(obj, np.generic):
            return {"scalar": self._add(np.asarray(obj), where)}
        if isinstance(obj, _KEY_TYPES):
            return {"value": obj}
        if not isinstance(obj, (dict, list, tuple)):
            raise ChainruleError(f"cr.save stores arrays, numbers, strings and dicts/lists/tuples of them; "
                                 f"{where} is a {type(obj).__name__}")
        if id(obj) in self._open:
            raise ChainruleError(f"cr.save: {where} contains itself")
        self._open.add(id(obj))
        try:
            if isinstance(obj, dict):
                return {"dict": [[self.key(k, where), self.value(v, f"{where}[{k!r}]", depth + 1)]
                                 for k, v in obj.items()]}
            return {type(obj).__name__: [self.value(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(obj)]}
        finally:
            self._open.discard(id(obj))


def _new_file_mode(path):
    try:
        return os.stat(path).st_mode & 0o7777  # replacing a file keeps its permissions
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def save(obj, path):
    """Write a state dict (or nested dicts/lists of arrays and numbers) to `path` (.npz), atomically.

    Dict keys keep their type (1.5, None, (0, "a") come back as they went in);
    arrays of Python objects and keys of other types are refused here, not at load time.

    Example:
        >>> import os, tempfile, chainrule as cr
        >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
        >>> cr.save(cr.nn.Linear(2, 1).state_dict(), path)
        >>> sorted(cr.load(path))
        ['bias', 'weight']
        >>> cr.save({1.5: "a", None: "b"}, path); cr.load(path)
        {1.5: 'a', None: 'b'}
    """
    encoder = _Encoder()
    root = encoder.value(obj, "obj")
    arrays = dict(encoder.arrays)
    arrays[_STRUCTURE_KEY] = np.array(json.dumps({"format": _FORMAT, "root": root}))
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ChainruleError(f"cannot save to {path}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    except OSError as exc:
        raise ChainruleError(f"cannot save to {path}: {exc.strerror or exc} ({folder})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, allow_pickle=False, **arrays)
            f.flush()
            os.fsync(f.fileno())  # the data is on disk before the name points at it
        os.chmod(tmp, _new_file_mode(path))
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise ChainruleError(f"cannot save to {path}: {exc.strerror or exc}; the previous file, if any, "
                                 "is unchanged") from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX; not possible everywhere)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# ---- reading -------------------------------------------------------------------------


class _Reader:
    """Reads the arrays a structure names from an open zip archive, within a byte budget."""

    def __init__(self, archive, path, max_bytes):
        self.archive, self.path, self.limit, self.budget = archive, path, max_bytes, max_bytes
        self.size = os.path.getsize(path)

    def fail(self, what):
        return FileFormatError(f"cannot load {self.path}: {what}")

    def array(self, name):
        if not isinstance(name, str):
            raise self.fail(f"malformed structure (array name {name!r})")
        try:
            info = self.archive.getinfo(name + ".npy")
        except KeyError:
            raise self.fail(f"the structure names an array {name!r} that the file lacks") from None
        self._check_member(info)
        with self.archive.open(info) as f:
            version = npy_format.read_magic(f)
            if version not in ((1, 0), (2, 0)):
                raise self.fail(f"array {name!r} has an unknown .npy version {version}")
            read_header = npy_format.read_array_header_1_0 if version == (1, 0) else npy_format.read_array_header_2_0
            with warnings.catch_warnings():  # NumPy's note on Python-2-era headers is no concern of the reader
                warnings.simplefilter("ignore")
                shape, fortran_order, dtype = read_header(f)
            if dtype.hasobject:
                raise self.fail(f"array {name!r} holds Python objects (dtype {dtype}); chainrule never unpickles")
            nbytes = math.prod(shape) * dtype.itemsize  # Python ints: no overflow
            held = info.file_size - f.tell()
            if nbytes != held:
                raise self.fail(f"array {name!r} declares shape {shape} of {dtype} ({nbytes} bytes) but holds "
                                f"{held} bytes")
            if nbytes > self.budget:
                raise self.fail(f"its arrays need more than the limit of {self.limit} bytes (array {name!r} alone: "
                                f"{nbytes}); pass max_bytes= to cr.load if the file is trusted")
            self.budget -= nbytes
            array = np.empty(shape, dtype=dtype, order="F" if fortran_order else "C")
            buffer = memoryview(array.reshape(-1, order="A").view(np.uint8)) if nbytes else memoryview(b"")
            filled = 0
            while filled < nbytes:
                n = f.readinto(buffer[filled:])
                if not n:
                    raise self.fail(f"array {name!r} is truncated ({filled} of {nbytes} bytes)")
                filled += n
            f.read(1)  # reach the end of the member, where zipfile checks its CRC
        return array

    def _check_member(self, info):
        """The zip directory's sizes must be ones the member's bytes can hold, before we trust them."""
        if info.compress_type == zipfile.ZIP_STORED:
            plausible = info.file_size == info.compress_size
        elif info.compress_type == zipfile.ZIP_DEFLATED:  # deflate expands at most 1032-fold
            plausible = info.file_size <= _DEFLATE_MAX_RATIO * info.compress_size + 1024
        else:
            raise self.fail(f"member {info.filename!r} uses a compression chainrule does not read "
                            f"(zip method {info.compress_type}); save it with cr.save")
        if not plausible:
            raise self.fail(f"member {info.filename!r} claims {info.file_size} bytes from {info.compress_size} "
                            "stored bytes, more than its compression can hold")
        if info.header_offset + info.compress_size > self.size:
            raise self.fail(f"member {info.filename!r} runs past the end of the file (truncated?)")

    def structure(self):
        spec = self.array(_STRUCTURE_KEY)
        if spec.ndim != 0 or spec.dtype.kind != "U":
            raise self.fail("its structure record is not a string")
        parsed = json.loads(str(spec[()]))
        if isinstance(parsed, dict) and "format" in parsed:
            if parsed.get("format") != _FORMAT or "root" not in parsed:
                raise self.fail(f"it is in format {parsed.get('format')!r}; this chainrule reads format {_FORMAT}")
            return parsed["root"], True
        return parsed, False  # the first format: dict keys as [str(key), type name, value]

    def decode(self, spec, keyed, depth=0, key=False):
        if depth > _MAX_DEPTH:
            raise self.fail(f"its structure is nested more than {_MAX_DEPTH} levels deep")
        if not (isinstance(spec, dict) and len(spec) == 1):
            raise self.fail(f"malformed structure ({str(spec)[:60]})")
        (kind, body), = spec.items()
        if kind == "array" and not key:
            return self.array(body)
        if kind == "scalar":
            array = self.array(body)
            if array.ndim != 0:
                raise self.fail(f"malformed structure (scalar {body!r} has shape {array.shape})")
            return array[()]
        if kind == "value" and isinstance(body, _KEY_TYPES):
            return body
        if kind in ("list", "tuple") and isinstance(body, list) and not (key and kind == "list"):
            items = [self.decode(v, keyed, depth + 1, key) for v in body]
            return items if kind == "list" else tuple(items)
        if kind == "dict" and isinstance(body, list) and not key:
            return dict(self._item(item, keyed, depth) for item in body)
        raise self.fail(f"malformed structure (a {kind!r} entry)")

    def _item(self, item, keyed, depth):
        if keyed and isinstance(item, list) and len(item) == 2:
            return self.decode(item[0], keyed, depth + 1, key=True), self.decode(item[1], keyed, depth + 1)
        if not keyed and isinstance(item, list) and len(item) == 3 and isinstance(item[0], str):
            k, type_name, value = item
            if type_name == "int":
                try:
                    k = int(k)
                except ValueError:
                    raise self.fail(f"malformed structure (int key {k[:40]!r})") from None
            return k, self.decode(value, keyed, depth + 1)
        raise self.fail("malformed structure (a dict entry)")


def load(path, max_bytes=MAX_LOAD_BYTES, device=None, *, weights_only=None, map_location=None):
    """Read what `save` wrote; arrays come back as ndarrays, or on `device` ("cuda", as torch's map_location).

    `weights_only=` is taken for PyTorch's sake and changes nothing: a load never runs code from the
    file (what torch.load's weights_only=True promises). `map_location=` a device is `device=`.

    A damaged or hostile file raises `FileFormatError` (a ChainruleError) that
    names the file and the problem; nothing is unpickled, and no more than
    `max_bytes` are allocated for arrays, checked against each array's header
    before it is read.

    Example:
        >>> import os, tempfile, numpy as np, chainrule as cr
        >>> path = os.path.join(tempfile.mkdtemp(), "state.npz")
        >>> cr.save({"w": np.ones(2), "step": 3}, path)
        >>> cr.load(path)["step"], cr.load(path, weights_only=True)["w"].tolist()
        (3, [1.0, 1.0])
    """
    if not os.path.exists(path):
        raise ChainruleError(f"no file at {path}")
    if os.path.isdir(path):
        raise FileFormatError(f"cannot load {path}: it is a folder")
    try:
        with zipfile.ZipFile(path) as archive:
            reader = _Reader(archive, path, max_bytes)
            if _STRUCTURE_KEY + ".npy" not in archive.NameToInfo:
                raise reader.fail("it was not written by cr.save (no structure record)")
            info = archive.getinfo(_STRUCTURE_KEY + ".npy")
            if info.file_size > _MAX_STRUCTURE_BYTES:
                raise reader.fail(f"its structure record is {info.file_size} bytes, more than chainrule writes")
            root, keyed = reader.structure()
            loaded = reader.decode(root, keyed)
    except FileFormatError:
        raise
    except zipfile.BadZipFile as exc:
        raise FileFormatError(f"cannot load {path}: not a zip archive written by cr.save, or damaged ({exc})") from None
    except RecursionError:
        raise FileFormatError(f"cannot load {path}: its structure is nested too deeply") from None
    except MemoryError:
        raise FileFormatError(f"cannot load {path}: not enough memory for its arrays") from None
    except OSError as exc:
        raise FileFormatError(f"cannot load {path}: {exc.strerror or exc}") from None
    except Exception as exc:  # any other parse failure of a damaged file (EOFError, ValueError, zlib.error, ...)
        raise FileFormatError(f"cannot load {path}: damaged file ({type(exc).__name__}: {exc})") from None
    if device is None and (isinstance(map_location, str) or hasattr(map_location, "type")):
        device = map_location
    return loaded if device is None else _placed(loaded, device)


def _placed(tree, device):
    """The loaded structure with every array on `device` (numbers and strings as they are)."""
    if isinstance(tree, np.ndarray):
        return backend.to_device(tree, device)
    if isinstance(tree, dict):
        return {k: _placed(v, device) for k, v in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(_placed(v, device) for v in tree)
    return tree

