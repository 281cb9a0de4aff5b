"""cr.save / cr.load: exact round trips, atomic writes, and hostile files refused clearly."""

import io
import json
import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.lib import format as npy_format

import chainrule as cr
from chainrule.io import FileFormatError

SRC = str(Path(cr.__file__).resolve().parent.parent)


def test_keys_and_scalars_round_trip_exactly(tmp_path):
    obj = {1.5: "float key", None: "none key", 3: [1, (2, "x")], True: False, (0, "a"): np.float32(2.5),
           "w": np.arange(6.0).reshape(2, 3), "f": np.asfortranarray(np.ones((2, 3))), "empty": np.zeros((0, 4)),
           "text": np.array(["ab", "c"]), "big": 10**30, "nan": float("nan")}
    cr.save(obj, tmp_path / "s.npz")
    back = cr.load(tmp_path / "s.npz")
    assert list(back) == list(obj)
    assert [type(k) for k in back] == [type(k) for k in obj]
    assert back[3] == [1, (2, "x")] and back[True] is False and back["big"] == 10**30
    assert type(back[(0, "a")]) is np.float32 and back[(0, "a")] == np.float32(2.5)
    np.testing.assert_array_equal(back["w"], obj["w"])
    assert back["f"].flags["F_CONTIGUOUS"] and back["empty"].shape == (0, 4) and back["text"].tolist() == ["ab", "c"]
    assert np.isnan(back["nan"])


@pytest.mark.parametrize("bad,match", [
    ({"o": np.array([object()])}, "objects"),
    ({frozenset([1]): 1}, "key"),
    ({"f": lambda: 0}, "function"),
    ({"c": 1 + 2j}, "complex"),
])
def test_save_refuses_what_load_could_not_return(bad, match, tmp_path):
    path = tmp_path / "m.npz"
    cr.save({"w": np.ones(3)}, path)
    with pytest.raises(cr.ChainruleError, match=match):
        cr.save(bad, path)
    np.testing.assert_array_equal(cr.load(path)["w"], np.ones(3))  # the old file is untouched
    assert os.listdir(tmp_path) == ["m.npz"]


def test_save_refuses_a_container_that_contains_itself(tmp_path):
    loop = []
    loop.append(loop)
    with pytest.raises(cr.ChainruleError, match="contains itself"):
        cr.save({"loop": loop}, tmp_path / "m.npz")


def test_a_failure_mid_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    cr.save({"w": np.ones(3)}, path)
    calls = []
    original = npy_format.write_array

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return original(*args, **kwargs)

    monkeypatch.setattr(npy_format, "write_array", failing)
    with pytest.raises(cr.ChainruleError, match="No space left.*unchanged"):
        cr.save({"w": np.zeros(3), "b": np.zeros(2)}, path)
    monkeypatch.undo()
    np.testing.assert_array_equal(cr.load(path)["w"], np.ones(3))
    assert os.listdir(tmp_path) == ["m.npz"]  # no temporary file left behind


KILLED_CHILD = r"""
import sys, time
import numpy as np
from numpy.lib import format as npy_format
import chainrule as cr

original, calls = npy_format.write_array, []

def slow(*args, **kwargs):
    calls.append(1)
    if len(calls) == 2:  # one array written, the next one not yet
        print("mid-save", flush=True)
        time.sleep(60)
    return original(*args, **kwargs)

npy_format.write_array = slow
cr.save({"w": np.full(1000, 2.0), "b": np.zeros(3)}, sys.argv[1])
"""


@pytest.mark.fault
def test_a_kill_mid_save_leaves_the_old_file(tmp_path):
    path = tmp_path / "m.npz"
    cr.save({"w": np.ones(3)}, path)
    env = {**os.environ, "PYTHONPATH": SRC}
    child = subprocess.Popen([sys.executable, "-c", KILLED_CHILD, str(path)], stdout=subprocess.PIPE, text=True,
                             env=env)
    try:
        assert child.stdout.readline().strip() == "mid-save"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    np.testing.assert_array_equal(cr.load(path)["w"], np.ones(3))


def _zip(path, members):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def _npy(array=None, header=None, data=b""):
    buffer = io.BytesIO()
    if array is not None:
        npy_format.write_array(buffer, np.asarray(array), allow_pickle=True)
    else:
        npy_format.write_array_header_1_0(buffer, header)
        buffer.write(data)
    return buffer.getvalue()


def _structure(root):
    return _npy(np.array(json.dumps({"format": 2, "root": root})))


HOSTILE = {
    "not a zip": lambda p: p.write_bytes(b"hello, not a zip file at all"),
    "empty": lambda p: p.write_bytes(b""),
    "no structure": lambda p: _zip(p, {"a0.npy": _npy(np.ones(3))}),
    "missing array": lambda p: _zip(p, {"__chainrule_structure__.npy": _structure({"array": "a7"})}),
    "object array": lambda p: _zip(p, {"__chainrule_structure__.npy": _structure({"array": "a0"}),
                                       "a0.npy": _npy(np.array([None, 1], dtype=object))}),
    "huge declared shape": lambda p: _zip(p, {
        "__chainrule_structure__.npy": _structure({"array": "a0"}),
        "a0.npy": _npy(header={"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}, data=b"\0" * 16)}),
    "overflowing shape": lambda p: _zip(p, {
        "__chainrule_structure__.npy": _structure({"array": "a0"}),
        "a0.npy": _npy(header={"descr": "<f8", "fortran_order": False, "shape": (2**62, 2**62)}, data=b"")}),
    "short data": lambda p: _zip(p, {
        "__chainrule_structure__.npy": _structure({"array": "a0"}),
        "a0.npy": _npy(header={"descr": "<f8", "fortran_order": False, "shape": (3,)}, data=b"\0" * 16)}),
    "deep nesting": lambda p: _zip(p, {"__chainrule_structure__.npy": _npy(np.array(
        '{"format": 2, "root": ' + '{"list": [' * 100000 + "]}" * 100000 + "}"))}),
    "malformed spec": lambda p: _zip(p, {"__chainrule_structure__.npy": _structure({"dict": [[1, 2, 3, 4]]})}),
    "unknown kind": lambda p: _zip(p, {"__chainrule_structure__.npy": _structure({"pickle": "x"})}),
    "list key": lambda p: _zip(p, {"__chainrule_structure__.npy": _structure(
        {"dict": [[{"list": []}, {"value": 1}]]})}),
    "bad json": lambda p: _zip(p, {"__chainrule_structure__.npy": _npy(np.array("{not json"))}),
    "structure not text": lambda p: _zip(p, {"__chainrule_structure__.npy": _npy(np.ones(2))}),
    "huge int": lambda p: _zip(p, {"__chainrule_structure__.npy": _npy(np.array(
        '{"format": 2, "root": {"value": ' + "9" * 5000 + "}}"))}),
    "future format": lambda p: _zip(p, {"__chainrule_structure__.npy": _npy(np.array('{"format": 99}'))}),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_raise_one_clear_error(case, tmp_path):
    path = tmp_path / "hostile.npz"
    HOSTILE[case](path)
    with pytest.raises(FileFormatError) as info:
        cr.load(path)
    message = str(info.value)
    assert str(path) in message and "\n" not in message


def test_declared_sizes_are_checked_against_the_limit(tmp_path):
    path = tmp_path / "big.npz"
    cr.save({"w": np.zeros(1000)}, path)
    with pytest.raises(FileFormatError, match="limit"):
        cr.load(path, max_bytes=4000)
    assert cr.load(path, max_bytes=9000)["w"].shape == (1000,)


def test_only_the_named_arrays_are_read(tmp_path):
    path = tmp_path / "extra.npz"
    cr.save({"w": np.ones(2)}, path)
    with zipfile.ZipFile(path, "a") as z:  # an unreferenced member holding objects is never touched
        z.writestr("zz.npy", _npy(np.array([None], dtype=object)))
    assert cr.load(path)["w"].tolist() == [1.0, 1.0]


def test_files_of_the_first_format_still_load(tmp_path):
    path = tmp_path / "old.npz"
    structure = {"dict": [["3", "int", {"array": "a0"}], ["name", "str", {"value": "x"}]]}
    np.savez(path, a0=np.arange(2.0), __chainrule_structure__=np.array(json.dumps(structure)))
    back = cr.load(path)
    assert back[3].tolist() == [0.0, 1.0] and back["name"] == "x"


def test_load_of_a_folder_or_nothing(tmp_path):
    with pytest.raises(FileFormatError, match="folder"):
        cr.load(tmp_path)
    with pytest.raises(cr.ChainruleError, match="no file"):
        cr.load(tmp_path / "missing.npz")
    with pytest.raises(cr.ChainruleError, match="folder"):
        cr.save({}, tmp_path)
    with pytest.raises(cr.ChainruleError, match="cannot save"):
        cr.save({}, tmp_path / "no" / "such" / "m.npz")


def _real_file_bytes(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "model.npz"
    net = cr.nn.MLP([2, 3, 2], rng=np.random.default_rng(0))
    cr.save({"state": net.state_dict(), "epoch": 3, 1.5: [None, "x"]}, path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def real_file(tmp_path_factory):
    return _real_file_bytes(tmp_path_factory)


@pytest.mark.fault
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_files_load_or_raise_file_format_error(real_file, data, tmp_path):
    raw = bytearray(real_file)
    how = data.draw(st.sampled_from(["truncate", "flip", "overwrite"]))
    if how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] ^= 1 << data.draw(st.integers(0, 7))
    else:
        start = data.draw(st.integers(0, len(raw) - 1))
        chunk = data.draw(st.binary(min_size=1, max_size=64))
        raw[start:start + len(chunk)] = chunk
    path = tmp_path / "fuzzed.npz"
    path.write_bytes(bytes(raw))
    try:
        cr.load(path)
    except FileFormatError as exc:
        assert str(path) in str(exc)


def test_zip_directory_sizes_are_checked_before_allocating(tmp_path):
    import tracemalloc

    # a deflated member whose directory (and npy header) claim 2 GB from a few hundred stored bytes
    claimed = 0x7FFFFFF0
    header = io.BytesIO()
    npy_format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False, "shape": (0,)})
    size = len(header.getvalue())
    header = io.BytesIO()
    npy_format.write_array_header_1_0(header, {"descr": "|u1", "fortran_order": False, "shape": (claimed - size,)})
    assert len(header.getvalue()) == size
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("__chainrule_structure__.npy", _structure({"array": "a0"}))
        z.writestr("a0.npy", header.getvalue() + bytes(64))
    raw = bytearray(path.read_bytes())
    entry = raw.rindex(b"PK\x01\x02")  # the central directory record of a0.npy: uncompressed size at +24
    raw[entry + 24:entry + 28] = claimed.to_bytes(4, "little")
    path.write_bytes(bytes(raw))
    tracemalloc.start()
    try:
        with pytest.raises(FileFormatError, match="more than its compression can hold"):
            cr.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20


def test_other_zip_compressions_are_refused(tmp_path):
    path = tmp_path / "bz.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as z:
        z.writestr("__chainrule_structure__.npy", _structure({"value": 1}))
    with pytest.raises(FileFormatError, match="compression"):
        cr.load(path)


def test_compressed_npz_with_a_structure_loads(tmp_path):
    path = tmp_path / "c.npz"
    np.savez_compressed(path, a0=np.zeros(10000), __chainrule_structure__=np.array(
        json.dumps({"format": 2, "root": {"array": "a0"}})))
    assert cr.load(path).shape == (10000,)


@pytest.fixture(scope="module")
def real_members(real_file):
    with zipfile.ZipFile(io.BytesIO(real_file)) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.fault
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_members_behind_valid_checksums_load_or_raise(real_members, data, tmp_path):
    # the zip layer is intact (CRCs recomputed), so the npy headers and the JSON structure meet the damage
    members = dict(real_members)
    name = data.draw(st.sampled_from(sorted(members)))
    raw = bytearray(members[name])
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    else:
        for _ in range(data.draw(st.integers(1, 6))):
            i = data.draw(st.integers(0, len(raw) - 1))
            raw[i] = data.draw(st.integers(0, 255))
    members[name] = bytes(raw)
    path = tmp_path / "fuzzed.npz"
    _zip(path, members)
    try:
        cr.load(path)
    except FileFormatError as exc:
        assert str(path) in str(exc)
