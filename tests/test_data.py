"""Datasets from seeds, IDX files, and the minibatch loader."""

import gzip

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import DataLoader, load_idx, load_mnist, save_idx
from chainrule.io import FileFormatError


@pytest.mark.parametrize("name", sorted(cr.data.GENERATORS))
def test_generators_are_seeded_and_shaped(name):
    make = cr.data.GENERATORS[name]
    X1, y1 = make(40, seed=3)
    X2, y2 = make(40, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert X1.shape == (40, 2) and X1.dtype == np.float64 and y1.dtype == np.int64
    assert len(set(y1.tolist())) >= 2


def test_xor_is_the_notes_truth_table():
    X, y = cr.data.xor()
    assert [int(a) ^ int(b) for a, b in X] == y.tolist()


def test_loader_batches_shuffle_and_drop_last():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    batches = list(DataLoader((X, y), batch_size=4))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert len(DataLoader((X, y), batch_size=4, drop_last=True)) == 2
    first = [b[1].tolist() for b in DataLoader((X, y), batch_size=4, shuffle=True, seed=5)]
    again = [b[1].tolist() for b in DataLoader((X, y), batch_size=4, shuffle=True, seed=5)]
    assert first == again and sorted(sum(first, [])) == list(range(10)) and first[0] != [0, 1, 2, 3]
    assert [b.shape for b in DataLoader(X, batch_size=5)] == [(5, 2), (5, 2)]
    for bx, by in DataLoader((X, y), batch_size=3, shuffle=True, seed=1):
        np.testing.assert_array_equal(bx[:, 0] / 2, by)  # inputs and targets stay paired
    with pytest.raises(cr.ChainruleError, match="lengths"):
        DataLoader((X, y[:5]))


def test_idx_files_round_trip(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (5, 3, 4)).astype(np.uint8)
    labels = np.array([1, 0, 9, 3, 3], dtype=np.uint8)
    save_idx(tmp_path / "img.idx", images)
    save_idx(tmp_path / "lab.idx", labels)
    np.testing.assert_array_equal(load_idx(tmp_path / "img.idx"), images)
    X, y = load_mnist(tmp_path / "img.idx", tmp_path / "lab.idx")
    assert X.shape == (5, 12) and X.max() <= 1.0 and y.tolist() == [1, 0, 9, 3, 3]
    raw = (tmp_path / "lab.idx").read_bytes()
    with gzip.open(tmp_path / "lab.idx.gz", "wb") as f:
        f.write(raw)
    np.testing.assert_array_equal(load_idx(tmp_path / "lab.idx.gz"), labels)
    floats = np.linspace(0, 1, 6).reshape(2, 3)
    save_idx(tmp_path / "f.idx", floats)
    np.testing.assert_array_equal(load_idx(tmp_path / "f.idx"), floats)


def test_bad_idx_files_give_clear_errors(tmp_path):
    (tmp_path / "bad").write_bytes(b"not an idx file")
    with pytest.raises(cr.ChainruleError, match="magic"):
        load_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]))
    with pytest.raises(cr.ChainruleError, match="promises"):
        load_idx(tmp_path / "short")
    with pytest.raises(cr.ChainruleError, match="no IDX"):
        load_idx(tmp_path / "missing")


def _idx_header(type_code, dims):
    return bytes([0, 0, type_code, len(dims)]) + np.asarray(dims, dtype=">u4").tobytes()


def test_idx_dimensions_whose_product_overflows_are_refused(tmp_path):
    # 111620 * 429509837 * 384773 = 2**64 + 4: in int64 the product wraps round to the 4 bytes the file holds
    path = tmp_path / "wrap.idx"
    path.write_bytes(_idx_header(0x08, [111620, 429509837, 384773]) + bytes(4))
    with pytest.raises(FileFormatError, match=r"promises 18446744073709551620 \(shape"):
        load_idx(path)


def test_truncated_and_corrupted_gz_idx_files(tmp_path):
    save_idx(tmp_path / "img.idx", np.arange(600, dtype=np.uint8).reshape(6, 10, 10) % 251)
    packed = gzip.compress((tmp_path / "img.idx").read_bytes())
    for name, data in {"cut.idx.gz": packed[: len(packed) // 2], "header-only.idx.gz": packed[:12],
                       "flipped.idx.gz": packed[:20] + bytes([packed[20] ^ 0xFF]) + packed[21:],
                       "not-gzip.idx.gz": b"plain bytes"}.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(FileFormatError) as info:
            load_idx(tmp_path / name)
        assert name in str(info.value)
    long = gzip.compress((tmp_path / "img.idx").read_bytes() + b"extra")
    (tmp_path / "long.idx.gz").write_bytes(long)
    with pytest.raises(FileFormatError, match="longer than its header"):
        load_idx(tmp_path / "long.idx.gz")


def test_gz_idx_header_checked_against_the_limit_before_reading(tmp_path):
    path = tmp_path / "bomb.idx.gz"  # a few bytes on disk, a header promising 4 GB
    path.write_bytes(gzip.compress(_idx_header(0x0E, [2**16, 2**13]) + bytes(64)))
    with pytest.raises(FileFormatError, match="limit"):
        load_idx(path, max_bytes=2**20)
    with pytest.raises(FileFormatError, match="truncated"):
        load_idx(path)


def test_digits_loads():
    X, y = cr.data.digits()
    assert X.shape == (1797, 64) and 0 <= X.min() and X.max() <= 1 and set(y.tolist()) == set(range(10))
