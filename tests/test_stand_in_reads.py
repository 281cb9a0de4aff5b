"""No code reads a vmap stand-in's values: the vmap tests pass with stand-ins that hold none.

A stand-in's array has one example's shape and dtype; reading its values (with NumPy, `._data`) instead of
batching them gives every example the first one's answer, silently. With CHAINRULE_CHECK_STAND_INS=1 the
array holds NaN (or a sentinel integer) instead, so any such read turns the compared results wrong and the
vmap tests, which compare every form with a loop over the examples, fail.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import chainrule as cr

ROOT = Path(__file__).resolve().parents[1]
SUITES = ["test_vmap.py", "test_vmap_ops.py", "test_vmap_layers.py", "test_vmap_losses.py", "test_vmap_torch_losses.py",
          "test_vmap_tensor_methods.py", "test_vmap_fast_paths.py", "test_functional_call.py", "test_jit_vmap.py"]


def test_the_vmap_tests_pass_when_stand_ins_hold_no_values():
    env = {**os.environ, "CHAINRULE_CHECK_STAND_INS": "1", "PYTHONPATH": str(ROOT / "src")}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-W", "ignore",
                          *[str(ROOT / "tests" / s) for s in SUITES]], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


def test_the_check_shows_a_read_of_a_stand_in():
    # the mechanism itself: with the check on, a stand-in's own array is NaN, not the first example
    code = ("import numpy as np, chainrule as cr; seen = [];"
            "cr.vmap(lambda t: seen.append(t._data.copy()) or t)(np.ones((2, 3)));"
            "print(bool(np.isnan(seen[0]).all()))")
    env = {**os.environ, "CHAINRULE_CHECK_STAND_INS": "1", "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "True", out.stderr
    seen = []
    cr.vmap(lambda t: seen.append(t._data.copy()) or t)(np.ones((2, 3)))  # off (this process): a view of example 0
    np.testing.assert_array_equal(seen[0], np.ones(3))
