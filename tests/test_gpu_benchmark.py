"""benchmarks/gpu.py: it computes the step it claims to, and skips cleanly where there is no GPU."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr

BENCH = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import gpu  # noqa: E402
import mlp_step  # noqa: E402


def test_the_chainrule_step_it_times_equals_the_handwritten_floor():
    weights, x, y = gpu.problem("small", np.float64)
    ours = gpu.make_chainrule(weights, x, y, "cpu")
    floor, _ = mlp_step.make_numpy(weights, x, y)
    for _ in range(3):
        assert float(ours()) == pytest.approx(float(floor()), rel=1e-12)


def test_wide_is_the_issues_network():
    assert gpu.SIZES["wide"] == ([4096, 4096, 4096, 10], 2048)


def test_the_table_names_the_device_and_checks_the_targets():
    rows = [{"network": "wide", "cupy": 7.7e-3, "chainrule": 8.5e-3, "cpu": 0.51},
            {"network": "mnist", "cupy": 1e-3, "chainrule": 1.5e-3}]
    text = gpu.table(rows, "A GPU")
    assert "A GPU" in text
    assert "| wide | 7.700 ms | 1.10x | - | 510.0 ms | 60x | <= 1.2, >= 50x CPU | yes |" in text
    assert text.rstrip().endswith("| mnist | 1.000 ms | 1.50x | - | - | - | <= 1.2 | no |")


@pytest.mark.skipif(cr.cuda.is_available(), reason="a GPU is present: the script would measure")
def test_without_a_gpu_it_says_so_and_exits_0():
    out = subprocess.run([sys.executable, str(BENCH / "gpu.py")], capture_output=True, text=True, cwd=BENCH)
    assert out.returncode == 0 and "no GPU to measure" in out.stdout
