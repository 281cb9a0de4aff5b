"""Datasets from seeds, IDX files, and the minibatch loader."""

import gzip

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import DataLoader, load_idx, load_mnist, save_idx


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


def test_digits_loads():
    X, y = cr.data.digits()
    assert X.shape == (1797, 64) and 0 <= X.min() and X.max() <= 1 and set(y.tolist()) == set(range(10))
