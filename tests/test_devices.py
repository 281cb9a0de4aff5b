"""The device API on the CPU: tensors, modules, optimizers, training and files on a second device.

The second device is "strict" (tests/strict_array.py), an array type that behaves like CuPy towards
NumPy and refuses silent conversion; tests/test_gpu.py repeats the essentials on CUDA where CuPy is.
"""

import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule.core import backend
from strict_array import StrictArray, strict

F = cr.nn.functional


def test_a_tensor_made_from_a_device_array_is_on_that_device_and_so_is_everything_derived():
    x = cr.tensor(strict([1.0, 2.0]), requires_grad=True)
    assert x.device == "strict" and isinstance(x.data, StrictArray)
    y = (cr.exp(x) * x).sum()
    assert y.device == "strict"
    y.backward()
    assert x.grad.device == "strict"
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])))


def test_to_and_cpu_move_and_the_gradient_flows_back_across_the_move():
    host = cr.tensor([0.5, -1.0], requires_grad=True)
    moved = host.to("strict")
    assert moved.device == "strict" and moved.requires_grad and not moved.is_leaf
    loss = (cr.tanh(moved) ** 2).sum().cpu()
    assert loss.device == "cpu"
    loss.backward()
    assert host.grad.device == "cpu"
    t = np.tanh([0.5, -1.0])
    np.testing.assert_allclose(host.grad.numpy(), 2 * t * (1 - t * t))


def test_to_on_the_same_device_returns_the_tensor_and_numpy_copies_to_the_host():
    x = cr.ones(3)
    assert x.to("cpu") is x and x.cpu() is x and x.to(cr.device("cpu")) is x
    d = x.to("strict")
    assert d.to("strict") is d
    host = d.numpy()
    assert type(host) is np.ndarray and host.tolist() == [1.0, 1.0, 1.0]
    assert "device='strict'" in repr(d)


def test_to_takes_a_dtype_and_a_device_together():
    x = cr.tensor([1.0, 2.0]).to("strict", cr.float32)
    assert x.device == "strict" and x.dtype == np.float32


def test_creation_functions_take_device():
    made = [cr.zeros(2, device="strict"), cr.ones((2, 2), device="strict"), cr.full(3, 7.0, device="strict"),
            cr.arange(4.0, device="strict"), cr.linspace(0, 1, 3, device="strict"), cr.eye(2, device="strict"),
            cr.randn(2, 3, device="strict"), cr.rand(2, device="strict"), cr.tensor([1, 2], device="strict"),
            cr.randint(0, 5, (3,), device="strict"), cr.randperm(4, device="strict")]
    assert all(t.device == "strict" for t in made)
    assert cr.zeros_like(made[0]).device == "strict"  # the like functions follow their argument
    assert cr.zeros_like(made[0], device="cpu").device == "cpu"


def test_a_seeded_draw_is_the_same_on_every_device():
    cr.manual_seed(3)
    a = cr.randn(4)
    cr.manual_seed(3)
    b = cr.randn(4, device="strict")
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_mixing_devices_in_one_op_names_both_devices():
    with pytest.raises(cr.DeviceError, match=r"add: its inputs are on different devices \(strict and cpu\)"):
        cr.ones(2, device="strict") + cr.ones(2)
    with pytest.raises(cr.DeviceError, match="matmul.*cpu and strict"):
        cr.ones((2, 2)) @ cr.ones((2, 2), device="strict")


def test_implicit_conversion_of_a_device_tensor_is_refused_with_what_to_do():
    with pytest.raises(TypeError, match=r"on strict cannot become a NumPy array implicitly; .*\.cpu\(\)"):
        np.asarray(cr.ones(2, device="strict"))


def test_unknown_and_unavailable_devices_are_one_line_errors():
    with pytest.raises(cr.DeviceError, match="unknown device type 'tpu'"):
        cr.zeros(2, device="tpu")
    if not cr.cuda.is_available():
        with pytest.raises(cr.DeviceError, match="CuPy|no CUDA device"):
            cr.zeros(2, device="cuda")
        with pytest.raises(cr.DeviceError, match="CuPy|no CUDA device"):
            cr.ones(2).cuda()


def test_cuda_is_available_only_with_cupy_and_a_device():
    try:
        import cupy  # noqa: F401
    except ImportError:
        assert not cr.cuda.is_available() and cr.cuda.device_count() == 0
    else:
        assert cr.cuda.is_available() == (cupy.cuda.runtime.getDeviceCount() > 0)


def test_importing_chainrule_does_not_import_cupy():
    code = "import sys, chainrule as cr; cr.ones(2) * 2; print('cupy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _mlp():
    return cr.nn.Sequential(cr.nn.Linear(4, 8, rng=np.random.default_rng(0)), cr.nn.ReLU(),
                            cr.nn.Linear(8, 3, rng=np.random.default_rng(1)))


def _steps(model, opt, x, y, n):
    losses = []
    for _ in range(n):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("make_opt", [lambda p: cr.optim.SGD(p, lr=0.1, momentum=0.9),
                                      lambda p: cr.optim.Adam(p, lr=0.01)])
def test_module_to_moves_parameters_and_the_optimizer_state_follows(make_opt):
    # the same training run, half of it on the host and half on the device, equals a run all on the host
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    ref, moved = _mlp(), _mlp()
    ref_opt, moved_opt = make_opt(ref.parameters()), make_opt(moved.parameters())
    expected = _steps(ref, ref_opt, cr.tensor(x), cr.tensor(y), 4)
    first = _steps(moved, moved_opt, cr.tensor(x), cr.tensor(y), 2)
    assert moved.to("strict") is moved
    assert all(p.device == "strict" for p in moved.parameters())
    assert all(isinstance(v, StrictArray) for s in moved_opt.state.values() for v in s.values()
               if isinstance(v, StrictArray | np.ndarray))
    second = _steps(moved, moved_opt, cr.tensor(x, device="strict"), cr.tensor(y, device="strict"), 2)
    np.testing.assert_allclose(first + second, expected, rtol=1e-12)
    moved.cpu()
    for a, b in zip(moved.parameters(), ref.parameters()):
        assert a.device == "cpu"
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_train_fit_puts_each_batch_on_the_models_device():
    X, y = cr.data.blobs(40, centers=2, seed=0)
    host, device = (cr.nn.MLP([2, 8, 2], rng=np.random.default_rng(0)) for _ in range(2))
    device.to("strict")
    runs = []
    for model in (host, device):
        opt = cr.optim.Adam(model.parameters(), lr=0.05)
        runs.append(cr.train.fit(model, F.cross_entropy, opt, (X, y), epochs=3, progress=False, val_data=(X, y)))
    assert all(p.device == "strict" for p in device.parameters())
    np.testing.assert_allclose(runs[1]["loss"], runs[0]["loss"], rtol=1e-10)
    np.testing.assert_allclose(runs[1]["val_accuracy"], runs[0]["val_accuracy"])


def test_save_writes_host_arrays_and_load_places_them(tmp_path):
    model = _mlp().to("strict")
    path = tmp_path / "state.npz"
    cr.save(model.state_dict(), path)
    on_host = cr.load(path)
    assert all(type(v) is np.ndarray for v in on_host.values())
    placed = cr.load(path, device="strict")
    assert all(isinstance(v, StrictArray) for v in placed.values())
    fresh = _mlp().to("strict")
    fresh.load_state_dict(on_host)  # host arrays load into a device model, which stays on its device
    assert all(p.device == "strict" for p in fresh.parameters())
    for a, b in zip(fresh.parameters(), model.parameters()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_optimizer_state_dict_round_trips_onto_the_parameters_device():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))
    opt = cr.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    saved = opt.state_dict()
    w.data = backend.to_device(w.data, "strict")
    opt.load_state_dict(saved)
    assert all(isinstance(v, StrictArray) for v in opt.state[w].values() if not isinstance(v, int | float))


def test_scipy_ops_run_on_the_host_and_come_back_to_the_device():
    pytest.importorskip("scipy")
    x = cr.tensor(strict([0.5, 1.5]), requires_grad=True)
    y = cr.special.gammaln(x)
    assert y.device == "strict"
    y.sum().backward()
    from scipy.special import digamma
    np.testing.assert_allclose(x.grad.numpy(), digamma([0.5, 1.5]))


def test_conv_and_pooling_on_a_device():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(2, 3, 6, 6)), rng.normal(size=(4, 3, 3, 3))
    xs, ws = cr.tensor(x, device="strict", requires_grad=True), cr.tensor(w, device="strict", requires_grad=True)
    xh, wh = cr.tensor(x, requires_grad=True), cr.tensor(w, requires_grad=True)
    for a, b in ((xs, ws), (xh, wh)):
        F.max_pool2d(F.conv2d(a, b, padding=1), 2).sum().backward()
    assert xs.grad.device == "strict"
    np.testing.assert_allclose(xs.grad.numpy(), xh.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ws.grad.numpy(), wh.grad.numpy(), rtol=1e-12)


def test_the_cli_refuses_a_missing_gpu_in_one_line(tmp_path):
    if cr.cuda.is_available():
        pytest.skip("a GPU is present: the command would train on it")
    out = subprocess.run([sys.executable, "-m", "chainrule", "train", "--device", "cuda", "--epochs", "1",
                          "--out", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode != 0
    lines = [line for line in out.stderr.strip().splitlines() if line]
    assert len(lines) == 1 and "cuda" in lines[0] and ("CuPy" in lines[0] or "CUDA device" in lines[0])


def test_the_transforms_run_on_a_device_and_agree_with_the_host():
    def f(x):
        return cr.tanh(x) * x

    def loss(x):
        return (f(x) ** 2).sum()

    host = cr.tensor([0.5, -1.0, 2.0])
    dev = host.to("strict")
    for transform in (cr.jacrev(f), cr.jacfwd(f), cr.hessian(loss), cr.grad(loss)):
        on_device, on_host = transform(dev), transform(host)
        assert on_device.device == "strict"
        np.testing.assert_allclose(on_device.numpy(), on_host.numpy(), rtol=1e-12)
    batched = cr.vmap(lambda r: (r * r).sum())(cr.ones((2, 3), device="strict"))
    assert batched.device == "strict" and batched.numpy().tolist() == [3.0, 3.0]


def test_new_tensors_from_a_tensor_stay_on_its_device_and_anomaly_mode_reads_device_values():
    x = cr.ones(2, device="strict")
    assert {x.new_zeros(3).device, x.new_full((2,), 5.0).device, x.new_tensor([1.0]).device} == {"strict"}
    w = cr.tensor([1.0, 0.0], device="strict", requires_grad=True)
    with cr.detect_anomaly(), pytest.raises(cr.AnomalyError), np.errstate(divide="ignore"):
        cr.log(w).sum().backward()


def test_tools_read_device_tensors_on_the_host():
    x = cr.tensor([0.5, 1.0], device="strict", requires_grad=True)
    y = (cr.sin(x) * x).sum()
    assert "digraph" in str(cr.draw_graph(y))
    assert "primal" in str(cr.trace(lambda a: cr.sin(a) * a, a=x)).lower()
    assert cr.gradcheck(cr.sin, x)


def test_adversarial_inputs_stay_on_the_models_device():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1, (5, 4)), rng.integers(0, 3, 5)
    host = _mlp()
    dev = _mlp().to("strict")
    xs, ys = backend.to_device(x, "strict"), backend.to_device(y, "strict")
    for attack in (lambda m, a, b: cr.inputs.fgsm(m, F.cross_entropy, a, b, 0.1),
                   lambda m, a, b: cr.inputs.pgd(m, F.cross_entropy, a, b, 0.1, steps=3, random_start=True)):
        on_device, on_host = attack(dev, xs, ys), attack(host, x, y)
        assert isinstance(on_device, StrictArray)
        np.testing.assert_allclose(on_device.get(), on_host, rtol=1e-12)


def test_a_layer_made_on_a_device_has_the_same_weights_as_on_the_host():
    dev = cr.nn.Linear(3, 2, rng=np.random.default_rng(4), device="strict")
    host = cr.nn.Linear(3, 2, rng=np.random.default_rng(4))
    assert dev.weight.device == "strict"
    np.testing.assert_array_equal(dev.weight.numpy(), host.weight.numpy())


CONSTRUCTED_ON_A_DEVICE = {
    "Linear": lambda **kw: cr.nn.Linear(3, 2, **kw),
    "Conv1d": lambda **kw: cr.nn.Conv1d(2, 3, 3, **kw),
    "Conv2d": lambda **kw: cr.nn.Conv2d(2, 3, 3, **kw),
    "BatchNorm1d": lambda **kw: cr.nn.BatchNorm1d(4, **kw),
    "BatchNorm2d": lambda **kw: cr.nn.BatchNorm2d(4, **kw),
    "LayerNorm": lambda **kw: cr.nn.LayerNorm(4, **kw),
    "RNN": lambda **kw: cr.nn.RNN(3, 2, num_layers=2, **kw),
    "LSTM": lambda **kw: cr.nn.LSTM(3, 2, bidirectional=True, **kw),
    "GRU": lambda **kw: cr.nn.GRU(3, 2, **kw),
    "RNNCell": lambda **kw: cr.nn.RNNCell(3, 2, **kw),
    "LSTMCell": lambda **kw: cr.nn.LSTMCell(3, 2, **kw),
    "GRUCell": lambda **kw: cr.nn.GRUCell(3, 2, **kw),
    "Embedding": lambda **kw: cr.nn.Embedding(5, 3, **kw),
}


def test_every_layer_that_takes_device_puts_its_parameters_and_buffers_there():
    # PyTorch's factory keyword: device= at construction is the same as .to(device) afterwards, never ignored
    import inspect

    takes_device = {name for name, cls in vars(cr.nn).items() if inspect.isclass(cls)
                    and issubclass(cls, cr.nn.Module) and "device" in inspect.signature(cls.__init__).parameters}
    assert takes_device == set(CONSTRUCTED_ON_A_DEVICE)
    for name, make in CONSTRUCTED_ON_A_DEVICE.items():
        layer = make(device="strict")
        arrays = list(layer.parameters()) + [b for b in layer.buffers() if b is not None]
        assert arrays and all(a.device == "strict" for a in arrays), name


def test_a_factorisation_cached_on_one_device_is_not_reused_on_another():
    a = np.array([[2.0, 1.0], [1.0, 3.0]])
    on_device = cr.linalg.eigh(cr.tensor(a, device="strict"))[0]
    on_host = cr.linalg.eigh(cr.tensor(a))[0]  # the cache holds the strict input: it must not compare the two
    assert on_device.device == "strict" and on_host.device == "cpu"
    np.testing.assert_allclose(on_device.numpy(), on_host.numpy())


def test_jit_refuses_device_arguments_in_one_line():
    f = cr.jit(lambda a: (cr.sin(a) * a).sum())
    with pytest.raises(cr.JitError, match="on strict"):
        f(cr.ones(2, device="strict"))
    with pytest.raises(cr.JitError, match="on strict"):
        f(strict([1.0, 2.0]))


LAYERS = {
    "batchnorm1d": (lambda: cr.nn.Sequential(cr.nn.Linear(4, 4, rng=np.random.default_rng(0)), cr.nn.BatchNorm1d(4)),
                    (3, 4)),
    "layernorm_gelu": (lambda: cr.nn.Sequential(cr.nn.Linear(4, 4, rng=np.random.default_rng(0)), cr.nn.LayerNorm(4),
                                                cr.nn.GELU()), (3, 4)),
    "conv_bn_pool": (lambda: cr.nn.Sequential(cr.nn.Conv2d(2, 3, 3, padding=1, rng=np.random.default_rng(0)),
                                              cr.nn.BatchNorm2d(3), cr.nn.ReLU(), cr.nn.MaxPool2d(2),
                                              cr.nn.AvgPool2d(1), cr.nn.Flatten()), (2, 2, 4, 4)),
    "lstm": (lambda: cr.nn.LSTM(4, 3, batch_first=True, rng=np.random.default_rng(0)), (2, 5, 4)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layers_on_a_device_match_the_host_in_training_and_eval(name):
    make, shape = LAYERS[name]
    x = np.random.default_rng(1).normal(size=shape)
    results = []
    for device in ("cpu", "strict"):
        model = make().to(device)
        out = model(cr.tensor(x, device=device))
        out = out[0] if isinstance(out, tuple) else out
        (out * out).sum().backward()
        model.eval()
        again = model(cr.tensor(x, device=device))
        again = again[0] if isinstance(again, tuple) else again
        assert out.device == again.device == device
        results.append([out.numpy(), again.numpy()] + [p.grad.numpy() for p in model.parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_dropout_on_a_device_keeps_its_mask_there():
    drop = cr.nn.Dropout(0.5).to("strict")
    out = drop(cr.ones((4, 4), device="strict"))
    assert out.device == "strict" and set(np.unique(out.numpy())) <= {0.0, 2.0}


def test_cross_entropy_of_device_targets_takes_the_fused_op():
    logits = cr.randn(4, 3, device="strict", requires_grad=True)
    loss = F.cross_entropy(logits, cr.tensor(np.array([0, 2, 1, 2]), device="strict"))
    assert loss.device == "strict" and loss._node.op.name == "softmax_cross_entropy"


def test_fit_on_a_device_stops_at_a_non_finite_gradient():
    X, y = np.ones((8, 2)), np.zeros(8, dtype=np.int64)
    model = cr.nn.Linear(2, 2, rng=np.random.default_rng(0), device="strict")

    def loss_fn(out, target):  # finite loss, infinite gradient: d sqrt(u)/du at u = 0
        return F.cross_entropy(out, target) + cr.sqrt((out * 0.0).sum())

    opt = cr.optim.SGD(model.parameters(), lr=0.1)
    before = model.weight.numpy().copy()
    with pytest.raises(cr.train.NonFiniteLossError, match="gradient became non-finite"):
        cr.train.fit(model, loss_fn, opt, (X, y), epochs=1, batch_size=8, progress=False, metrics=None)
    np.testing.assert_array_equal(model.weight.numpy(), before)


def test_user_defined_rules_run_on_a_device():
    class Cube(cr.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 3

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 3 * a * a * g

    x = cr.tensor([0.5, 1.0], device="strict", requires_grad=True)
    Cube.apply(x).sum().backward()
    assert x.grad.device == "strict" and x.grad.numpy().tolist() == [0.75, 3.0]
    (g,) = cr.autograd.grad((x * x).sum(), x)
    assert g.device == "strict"
    mul = cr.custom_vjp(lambda a, b: a * b, lambda g, ans, a, b: (g * b, g * a),
                        jvp_rule=lambda t, ans, a, b: t[0] * b + a * t[1])
    a, b = cr.tensor([2.0], device="strict"), cr.tensor([3.0], device="strict")
    _, tangent = cr.jvp(lambda u: mul(u, b), (a,), (cr.ones(1, device="strict"),))
    assert tangent.device == "strict" and tangent.numpy().tolist() == [3.0]
    assert cr.grad(lambda u: mul(u, b).sum())(a).numpy().tolist() == [3.0]
