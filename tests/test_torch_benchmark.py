"""benchmarks/convnet.py computes what it claims: the same training steps in chainrule and PyTorch (no timings)."""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))

import convnet  # noqa: E402


def test_convnet_steps_match_torch():
    pytest.importorskip("torch")
    weights, x, y = convnet.problem()
    ours, theirs = convnet.make_chainrule(weights, x, y), convnet.make_torch(weights, x, y)
    losses = [(ours().item(), theirs().item()) for _ in range(4)]
    for a, b in losses:
        assert a == pytest.approx(b, rel=1e-4)  # float32 in both
    assert losses[-1][0] < losses[0][0]


def test_convnet_quick_run_reports_a_ratio():
    result = convnet.run(rounds=1)
    assert result["chainrule"] > 0 and result["epoch_seconds"] > 0
    assert (result["ratio"] is None) == (result["torch"] is None)
