"""chainrule on a CUDA GPU through CuPy: the op suite, an MLP step and the device API.

Marked `gpu`; every test here is skipped (with the reason) when CuPy is not
installed or sees no device, which is the case in CI. Run them where a GPU is:
    pytest -m gpu tests/test_gpu.py
The checks are those of tests/test_backend_strict.py (values, JVPs and VJPs
against finite differences of the op evaluated on the device), on CuPy arrays.
"""

import numpy as np
import pytest

import chainrule as cr

pytestmark = [pytest.mark.gpu,
              pytest.mark.skipif(not cr.cuda.is_available(), reason="needs CuPy and a CUDA device")]

F = cr.nn.functional


@pytest.fixture
def on_cuda(monkeypatch):
    import cupy

    import test_backend_strict as suite

    monkeypatch.setitem(suite.ON_DEVICE, "wrap", lambda a: cupy.asarray(np.array(a)))
    monkeypatch.setitem(suite.ON_DEVICE, "device", "cuda:0")
    return suite


def test_every_op_value_on_cuda(on_cuda):
    failures = []
    for name, k in on_cuda.ALL_CASES:
        try:
            on_cuda.test_value_on_strict_arrays(name, k)
        except Exception as exc:  # collect them all: one list says what does not run on CuPy
            failures.append(f"{name}[{k}]: {type(exc).__name__}: {str(exc)[:120]}")
    assert not failures, "\n".join(failures)


def test_every_op_derivative_on_cuda(on_cuda):
    failures = []
    for name, k in on_cuda.ALL_CASES:
        if name not in on_cuda.DIFF:
            continue
        try:
            on_cuda.test_jvp_and_vjp_on_strict_arrays_match_finite_differences(name, k)
        except pytest.skip.Exception:
            pass
        except Exception as exc:
            failures.append(f"{name}[{k}]: {type(exc).__name__}: {str(exc)[:120]}")
    assert not failures, "\n".join(failures)


def test_second_order_on_cuda(on_cuda):
    failures = []
    for name in on_cuda.DIFF:
        try:
            on_cuda.test_second_order_on_strict_arrays(name)
        except pytest.skip.Exception:
            pass
        except Exception as exc:
            failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:120]}")
    assert not failures, "\n".join(failures)


def test_mlp_training_on_cuda_equals_the_cpu():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 10)), rng.integers(0, 3, 32)
    runs = []
    for device in ("cpu", "cuda"):
        model = cr.nn.MLP([10, 16, 3], rng=np.random.default_rng(1)).to(device)
        opt = cr.optim.Adam(model.parameters(), lr=0.01)
        xs, ys = cr.tensor(x, device=device), cr.tensor(y, device=device)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = F.cross_entropy(model(xs), ys)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        assert all(p.device.startswith(device) for p in model.parameters())
        runs.append(losses)
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-9)


def test_cupy_arrays_in_tensors_out(tmp_path):
    import cupy

    x = cr.tensor(cupy.arange(3.0), requires_grad=True)
    assert x.device == "cuda:0"
    (x * x).sum().backward()
    assert isinstance(x.grad.data, cupy.ndarray) and x.grad.numpy().tolist() == [0.0, 2.0, 4.0]
    with pytest.raises(cr.DeviceError, match="cuda:0 and cpu"):
        x + cr.ones(3)
    model = cr.nn.Linear(3, 2).cuda()
    cr.save(model.state_dict(), tmp_path / "w.npz")
    assert all(isinstance(v, cupy.ndarray) for v in cr.load(tmp_path / "w.npz", device="cuda").values())


def test_train_command_on_cuda(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "chainrule", "train", "--device", "cuda", "--epochs", "2",
                          "--no-progress", "--out", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "test accuracy" in out.stdout
