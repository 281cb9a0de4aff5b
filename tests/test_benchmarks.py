"""The benchmark code computes what it claims to (its timings are not tested: see benchmarks/run.py)."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

BENCH = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import graphs  # noqa: E402
import memory  # noqa: E402
import mlp_step  # noqa: E402


@pytest.mark.parametrize("size", ["tiny", "small", "deep"])
def test_chainrule_training_step_equals_handwritten_backprop(size):
    # the same network from the same weights: three SGD steps by chainrule and by the NumPy floor
    weights, x, y = mlp_step.problem(size, np.float64)
    ours, ours_params = mlp_step.make_chainrule(weights, x, y)
    floor, floor_params = mlp_step.make_numpy(weights, x, y)
    for _ in range(3):
        assert ours() == pytest.approx(floor(), rel=1e-12)
    for a, b in zip(ours_params(), floor_params()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assert not np.array_equal(floor_params()[0], weights[0][0])  # the steps did change the weights


def test_scalar_graph_gradient_matches_the_handwritten_sweep():
    fns = graphs.make_graph()
    np.testing.assert_allclose(fns["chainrule"](), fns["numpy"](), rtol=1e-10)
    assert abs(fns["numpy"]()[0]) > 1e-3  # the adjoint survives 10,000 nodes, so the check means something


@pytest.mark.parametrize("n, kind", [(50, "vector"), (60, "scalar")])
def test_jacobians_match_closed_forms(n, kind):
    for task, fns in graphs.make_jacobians(n, kind).items():
        np.testing.assert_allclose(graphs.as_array(fns["chainrule"]()), fns["numpy"](), rtol=1e-9, atol=1e-12,
                                   err_msg=task)


def test_memory_of_a_step_is_measured_and_does_not_grow():
    floor = memory.peak_step_bytes("numpy", size="small")
    ours = memory.peak_step_bytes("chainrule", size="small")
    assert floor > 0 and ours > 0
    early, late = memory.growth(steps=300, early=100, size="tiny")
    assert late - early < 10_000  # bytes: a leaked graph per step would be far more


def test_quick_run_prints_the_table():
    out = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--only", "mlp", "--only", "memory"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "| tiny | float32 |" in out.stdout and "Peak traced memory" in out.stdout


def test_per_example_gradients_and_vmap_rows_match_the_numpy_floor():
    import per_example

    for tasks in (per_example.make_per_example(batch=8), per_example.make_vmap_rows(batch=5, n=7)):
        for task, fns in tasks.items():
            floor = per_example.flat(fns["numpy"]())
            assert np.abs(floor).max() > 1e-3, task  # the gradients are not trivially zero
            for name, fn in fns.items():
                np.testing.assert_allclose(per_example.flat(fn()), floor, rtol=1e-9, atol=1e-12,
                                           err_msg=f"{task}: {name}")


@pytest.mark.parametrize("size", ["tiny", "small", "deep"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exact_floor_gives_eager_chainrules_updates_bit_for_bit(size, dtype):
    # jit_step.py's "exact" column is a floor for bit-exact replays only if it makes eager's operations
    import exact_step
    import jit_step

    weights, x, y = mlp_step.problem(size, dtype)
    exact, exact_params = exact_step.make_exact(weights, x, y, mlp_step.LR)
    eager, eager_params = jit_step.make_module_step(weights)  # nn.Linear, cross-entropy, SGD.step
    for _ in range(3):
        loss = eager(x, y)
        total = exact()
        assert total.tobytes() == loss.numpy().tobytes()
    for a, b in zip(exact_params(), eager_params()):
        assert a.tobytes() == b.tobytes()
    assert not np.array_equal(exact_params()[0], weights[0][0])
