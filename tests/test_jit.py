"""cr.jit: traced once, replayed bit for bit; what it bakes in is guarded; what it cannot do is refused."""

import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.jit import JitError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from mlp_step import problem  # noqa: E402


@pytest.fixture(autouse=True)
def _global_rng_untouched():
    """Layers made here draw their initial weights from chainrule's global Generator: put its state
    back afterwards, so tests that rely on it (unseeded) see the same numbers with or without these."""
    from chainrule import creation

    state = creation.default_rng().bit_generator.state
    yield
    creation.default_rng().bit_generator.state = state


def _equal(a, b):
    a = a.numpy() if isinstance(a, cr.Tensor) else np.asarray(a)
    b = b.numpy() if isinstance(b, cr.Tensor) else np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)


def _net(weights):
    layers = []
    for i, (w, b) in enumerate(weights):
        lin = cr.nn.Linear(w.shape[1], w.shape[0], dtype=w.dtype)
        lin.weight.data, lin.bias.data = w.copy(), b.copy()
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(cr.nn.ReLU())
    return cr.nn.Sequential(*layers)


def _module_step(weights, optimizer=cr.optim.SGD, **hyper):
    net = _net(weights)
    opt = optimizer(net.parameters(), **hyper)

    def step(x, y):
        opt.zero_grad()
        loss = cr.nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss

    return net, step


def _user_step(weights, lr=0.01):
    params = [(cr.nn.Parameter(w.copy()), cr.nn.Parameter(b.copy())) for w, b in weights]

    def step(x, y):
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w.T + b
            if i < len(params) - 1:
                h = cr.relu(h)
        loss = cr.nn.functional.cross_entropy(h, y)
        for w, b in params:
            w.grad = b.grad = None
        loss.backward()
        with cr.no_grad():
            for w, b in params:
                w -= lr * w.grad
                b -= lr * b.grad
        return loss.item()

    return params, step


# ---- plain functions of arrays ----------------------------------------------------------
def test_jit_of_grad_is_eager_bit_for_bit_and_traces_once():
    def f(x):
        return (cr.tanh(x) * cr.exp(x) + x ** 3).sum()

    eager, step = cr.grad(f), cr.jit(cr.grad(f))
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.normal(size=(3, 4))
        _equal(step(x), eager(x))
    assert step.traces == 1
    # formula check of what both compute: d/dx (tanh x · eˣ + x³)
    x = rng.normal(size=5)
    t = np.tanh(x)
    np.testing.assert_allclose(step(x).numpy(), (1 - t * t) * np.exp(x) + t * np.exp(x) + 3 * x * x, rtol=1e-12)


def test_jit_of_value_and_grad_with_several_arguments():
    def loss(w, x):
        return cr.sum((x @ w) ** 2)

    eager, step = cr.value_and_grad(loss, argnums=(0, 1)), cr.jit(cr.value_and_grad(loss, argnums=(0, 1)))
    rng = np.random.default_rng(1)
    for _ in range(3):
        w, x = rng.normal(size=(4, 2)), rng.normal(size=(3, 4))
        (v1, (gw1, gx1)), (v2, (gw2, gx2)) = step(w, x), eager(w, x)
        _equal(v1, v2), _equal(gw1, gw2), _equal(gx1, gx2)
    assert step.traces == 1


def test_plain_ops_on_arrays_give_arrays_and_new_shapes_trace_again():
    step = cr.jit(lambda x, scale: cr.sin(x) * scale)
    out = step(np.ones(3), 2.0)
    assert type(out) is np.ndarray
    _equal(out, np.sin(np.ones(3)) * 2.0)
    step(np.zeros(3), 2.0)
    assert step.traces == 1
    step(np.zeros(4), 2.0)  # new shape
    step(np.zeros(4), 3.0)  # new static argument
    step(np.zeros(4, np.float32), 3.0)  # new dtype
    assert step.traces == 4
    _equal(step(np.ones(4), 3.0), np.sin(np.ones(4)) * 3.0)


def test_outputs_are_fresh_arrays_not_the_plan_buffers():
    step = cr.jit(cr.grad(lambda x: (x * x).sum()))
    first = step(np.array([1.0, 2.0]))
    step(np.array([5.0, 6.0]))
    _equal(first, np.array([2.0, 4.0]))


# ---- whole training steps ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("size", ["tiny", "small", "deep"])
def test_module_training_step_matches_eager_bit_for_bit(size, dtype):
    weights, x, y = problem(size, dtype)
    net1, eager = _module_step(weights, lr=0.05)
    net2, step = _module_step(weights, lr=0.05)
    jitted = cr.jit(step)
    for _ in range(4):
        _equal(jitted(x, y), eager(cr.tensor(x), y))
    for p, q in zip(net1.parameters(), net2.parameters()):
        _equal(p, q)
        _equal(p.grad, q.grad)
    assert jitted.traces == 1


@pytest.mark.parametrize("optimizer,hyper", [(cr.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
                                              (cr.optim.Adam, dict(lr=0.01))])
def test_optimizers_with_state_replay_exactly(optimizer, hyper):
    weights, x, y = problem("small", np.float64)
    net1, eager = _module_step(weights, optimizer, **hyper)
    net2, step = _module_step(weights, optimizer, **hyper)
    jitted = cr.jit(step)
    for _ in range(5):
        _equal(jitted(x, y), eager(x, y))
    for p, q in zip(net1.parameters(), net2.parameters()):
        _equal(p, q)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_user_style_step_with_manual_update_matches_eager(dtype):
    weights, x, y = problem("small", dtype)
    params1, eager = _user_step(weights)
    params2, step = _user_step(weights)
    jitted = cr.jit(step)
    for _ in range(4):
        got, want = jitted(x, y), eager(x, y)
        assert type(got) is float and got == want
    for (w1, b1), (w2, b2) in zip(params1, params2):
        _equal(w1, w2), _equal(b1, b2), _equal(w1.grad, w2.grad)
    assert jitted.traces == 1


def test_setting_data_inside_jit_is_refused_naming_the_line():
    w = cr.nn.Parameter(np.ones(3))

    def step(x):
        loss = (w * x).sum()
        loss.backward()
        w.data -= 0.1 * w.grad.data
        return loss

    with pytest.raises(JitError, match=r"test_jit.py:\d+: setting .data"):
        cr.jit(step)(np.ones(3))


# ---- what is baked in is guarded ----------------------------------------------------------
def test_branch_on_item_retraces_instead_of_replaying_the_wrong_branch():
    def f(x):
        s = x.sum()
        if s.item() > 0:
            return s * 2
        return s * -3

    step = cr.jit(f)
    _equal(step(np.array([1.0, 2.0])), np.array(6.0))
    _equal(step(np.array([3.0, 2.0])), np.array(10.0))  # same branch: replayed
    assert step.traces == 1
    _equal(step(np.array([-1.0, -2.0])), np.array(9.0))  # the other branch: traced, never replayed wrong
    assert step.traces == 2
    _equal(step(np.array([1.0, 1.0])), np.array(4.0))  # both plans kept
    _equal(step(np.array([-1.0, 0.0])), np.array(3.0))
    assert step.traces == 2
    assert "guard gt(" in str(step.plan) and "test_jit.py" in str(step.plan)


@pytest.mark.parametrize("read", [bool, float, lambda t: t.item()])
def test_bool_float_and_item_are_guarded(read):
    def f(x):
        flag = x.sum() > 0
        return x * 2 if read(flag) else x * 5

    step = cr.jit(f)
    _equal(step(np.array([1.0])), np.array([2.0]))
    _equal(step(np.array([-1.0])), np.array([-5.0]))
    _equal(step(np.array([3.0])), np.array([6.0]))
    assert step.traces == 2


def test_python_arithmetic_on_an_item_then_branching_is_refused():
    def f(x):
        if x.sum().item() * 2 > 1:
            return x
        return -x

    with pytest.raises(JitError, match="computed in Python"):
        cr.jit(f)(np.array([1.0]))


def test_a_guard_failing_after_parameters_changed_raises_naming_the_line():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))
    opt = cr.optim.SGD([w], lr=1.0)

    def step(x):
        opt.zero_grad()
        (w * x).sum().backward()
        opt.step()
        return w * 2 if w.sum().item() > 0 else w * 3  # decided after the update

    jitted = cr.jit(step)
    jitted(np.array([0.1, 0.1]))
    jitted(np.array([0.1, 0.1]))
    with pytest.raises(JitError, match=r"test_jit.py:\d+: a value Python branched on"):
        jitted(np.array([10.0, 10.0]))


def test_grad_cleared_behind_the_plans_back_retraces():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))
    step = cr.jit(lambda x: (w * x).sum().backward())
    step(np.array([1.0, 1.0]))
    _equal(w.grad, np.array([1.0, 1.0]))
    step(np.array([1.0, 1.0]))  # .grad was set now: accumulates, as eagerly
    _equal(w.grad, np.array([2.0, 2.0]))
    w.grad = None
    step(np.array([3.0, 3.0]))
    _equal(w.grad, np.array([3.0, 3.0]))
    assert step.traces == 2


# ---- captured state, modes, higher order -------------------------------------------------------
def test_in_place_changes_of_captured_arrays_and_parameters_are_seen():
    table = np.array([1.0, 2.0])
    w = cr.nn.Parameter(np.array([3.0, 4.0]))
    step = cr.jit(lambda x: cr.sum(x * table * w))
    _equal(step(np.ones(2)), np.array(11.0))
    table[0] = 10.0
    w.data[0] = 5.0  # the parameter's own array, changed in place
    _equal(step(np.ones(2)), np.array(58.0))
    w.data = np.array([1.0, 1.0])  # a new array: the plan no longer fits, so it traces again
    _equal(step(np.ones(2)), np.array(12.0))
    assert step.traces == 2


def test_in_place_write_on_a_tensor_inside_jit_is_recorded():
    def f(x):
        with cr.no_grad():
            h = x * 1.0
            h[0] = 7.0
            h += 1.0
        return h

    step = cr.jit(f)
    _equal(step(np.array([1.0, 2.0])), np.array([8.0, 3.0]))
    _equal(step(np.array([5.0, 6.0])), np.array([8.0, 7.0]))


def test_no_grad_block_inside_jit():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))

    def step(x):
        with cr.no_grad():
            scale = (w * w).sum()  # a constant for the gradient
        loss = (w * x).sum() * scale
        loss.backward()
        return loss

    w2 = cr.nn.Parameter(np.array([1.0, 2.0]))
    jitted = cr.jit(step)
    for x in (np.array([1.0, 1.0]), np.array([2.0, -1.0])):
        w.grad = None
        out = jitted(x)
        w2.grad = None
        with cr.no_grad():
            scale = (w2 * w2).sum()
        expected = (w2 * x).sum() * scale
        expected.backward()
        _equal(out, expected), _equal(w.grad, w2.grad)
        _equal(w.grad, x * 5.0)  # d/dw (w·x)·|w|² with |w|² held constant: x · 5


def test_retain_graph_and_two_backward_passes():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))

    def step(x):
        w.grad = None
        loss = (cr.sin(w) * x).sum()
        loss.backward(retain_graph=True)
        loss.backward()
        return w.grad

    jitted = cr.jit(step)
    for x in (np.array([1.0, 1.0]), np.array([3.0, -2.0])):
        _equal(jitted(x), 2 * x * np.cos(np.array([1.0, 2.0])))
    assert jitted.traces == 1


def test_grad_of_grad_inside_jit():
    def f(x):
        return (x ** 3).sum()

    second = cr.grad(lambda x: cr.grad(f)(x).sum())
    step = cr.jit(second)
    for x in (np.array([1.0, 2.0]), np.array([-3.0, 0.5])):
        _equal(step(x), second(x))
        np.testing.assert_allclose(step(x).numpy(), 6 * x)
    assert step.traces == 1


def test_create_graph_backward_inside_jit():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))

    def step(x):
        w.grad = None
        (w ** 3 * x).sum().backward(create_graph=True)
        g = w.grad
        w.grad = None
        g.sum().backward()
        return w.grad

    jitted = cr.jit(step)
    for x in (np.array([1.0, 1.0]), np.array([2.0, 3.0])):
        _equal(jitted(x), 6 * np.array([1.0, 2.0]) * x)


def test_forward_mode_inside_jit_is_refused_naming_the_op():
    with pytest.raises(JitError, match="forward mode"):
        cr.jit(cr.hessian(lambda x: (x ** 3).sum()))(np.array([1.0, 2.0]))


def test_tensor_arguments_that_require_grad_are_refused():
    with pytest.raises(JitError, match="pass arrays"):
        cr.jit(lambda x: x * 2)(cr.tensor([1.0], requires_grad=True))


# ---- the plan ----------------------------------------------------------------------------------
def test_plan_prints_one_numpy_call_per_line_with_buffer_shapes():
    weights, x, y = problem("tiny", np.float32)
    _, step = _module_step(weights, lr=0.1)
    jitted = cr.jit(step)
    jitted(x, y)
    text = str(jitted.plan)
    lines = text.splitlines()
    assert len(lines) == len(jitted.plan.steps) + 2  # two argument lines
    assert lines[0].startswith("v0 = argument 0") and "(4, 2) float32" in lines[0]
    assert any("(4, 4) float32" in line for line in lines)
    assert any(line.startswith("SGD.step()") for line in lines)
    assert "Tensor" not in text and "Node" not in text


def test_backward_on_a_leaf_itself():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))

    def step(x):
        w.grad = None
        w.backward(x)
        return w.grad

    jitted = cr.jit(step)
    _equal(jitted(np.array([3.0, 4.0])), np.array([3.0, 4.0]))
    _equal(jitted(np.array([5.0, 6.0])), np.array([5.0, 6.0]))


def test_forward_hooks_run_on_every_replayed_call_with_its_values():
    seen = []
    layer = cr.nn.Linear(2, 3)
    layer.register_forward_hook(lambda m, inputs, out: seen.append(out.numpy().sum()))
    step = cr.jit(lambda x: layer(x).sum())
    batches = (np.ones((4, 2)), np.zeros((4, 2)), 2 * np.ones((4, 2)))
    for x in batches:
        step(x)
    with cr.no_grad():
        expected = [layer.forward(cr.tensor(x)).numpy().sum() for x in batches]
    assert seen == expected and step.traces == 1


# ---- train.fit(jit=True) and `chainrule train --jit` ----------------------------------------------------
def test_fit_with_jit_trains_exactly_as_without():
    from chainrule.tools.diagnostics import standard_monitors

    X, y = cr.data.blobs(70, centers=3, seed=2)  # 70 = 2 batches of 32 and one of 6: two batch shapes
    results = []
    for use_jit in (False, True):
        model = cr.nn.MLP([2, 8, 3], rng=np.random.default_rng(0))
        opt = cr.optim.Adam(model.parameters(), lr=0.05)
        history = cr.train.fit(model, cr.nn.functional.cross_entropy, opt, (X, y), epochs=3, progress=False,
                               jit=use_jit, callbacks=standard_monitors())
        results.append((history.history, [p.data.copy() for p in model.parameters()]))
    (h1, p1), (h2, p2) = results
    assert h1 == h2
    for a, b in zip(p1, p2):
        _equal(a, b)


def test_cli_train_jit_prints_the_speed_up(tmp_path):
    import contextlib
    import io

    from chainrule.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["train", "--dataset", "xor4", "--epochs", "2", "--jit", "--no-progress",
                       "--out", str(tmp_path)])
    assert status == 0
    assert "cr.jit: forward + backward" in out.getvalue() and "x faster" in out.getvalue()


def test_fill_in_place_inside_jit_is_recorded():
    def f(x):
        with cr.no_grad():
            h = x * 2.0
            h.fill_(3.0)
        return h + x

    step = cr.jit(f)
    _equal(step(np.array([1.0, 2.0])), np.array([4.0, 5.0]))
    _equal(step(np.array([5.0, 6.0])), np.array([8.0, 9.0]))


def test_float_of_a_tensor_is_guarded_by_its_exact_value():
    def f(x):
        return x * 2 if float(x.sum()) > 0 else x * 5

    step = cr.jit(f)
    _equal(step(np.array([1.0])), np.array([2.0]))
    _equal(step(np.array([1.0])), np.array([2.0]))
    assert step.traces == 1
    _equal(step(np.array([-1.0])), np.array([-5.0]))  # a new value: traced again, never the wrong branch
    _equal(step(np.array([2.0])), np.array([4.0]))
    assert step.traces == 3
    assert "guard float(" in str(step.plan)


def test_a_branch_that_keeps_changing_ends_in_a_clear_error():
    step = cr.jit(lambda x: x * 2 if float(x.sum()) > 0 else x * 5)
    with pytest.raises(JitError, match=r"test_jit.py:\d+: .*changed outcome more than 8 times"):
        for k in range(20):
            step(np.array([float(k)]))


def test_each_call_deposits_gradients_of_their_own():
    weights, x, y = problem("small", np.float64)
    net, step = _module_step(weights, lr=0.1)
    jitted = cr.jit(step)
    jitted(x, y)
    first = [p.grad for p in net.parameters()]
    kept = [g.numpy().copy() for g in first]
    jitted(x, y)
    for g, k, p in zip(first, kept, net.parameters()):
        _equal(g, k)  # the next call did not write into the last call's .grad
        assert p.grad is not g and not np.shares_memory(p.grad.numpy(), g.numpy())


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_either_way_matches_eager(set_to_none):
    weights, x, y = problem("tiny", np.float64)
    results = []
    for use_jit in (False, True):
        net = _net(weights)
        opt = cr.optim.SGD(net.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad(set_to_none=set_to_none)
            loss = cr.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            return loss

        run = cr.jit(step) if use_jit else step
        losses = [float(run(x, y).item()) for _ in range(3)]
        results.append((losses, [p.data.copy() for p in net.parameters()]))
    assert results[0][0] == results[1][0]
    for a, b in zip(results[0][1], results[1][1]):
        _equal(a, b)


def test_random_numbers_inside_jit_are_refused_naming_the_line():
    def noisy(x):
        return x + cr.randn(*x.shape)

    with pytest.raises(JitError, match=r"test_jit.py:\d+: random numbers drawn inside cr.jit"):
        cr.jit(noisy)(np.zeros(3))
    assert cr.randn(2).shape == (2,)  # the patch is gone after the trace


def test_a_jitted_function_called_inside_a_trace_runs_inline():
    inner = cr.jit(lambda x: cr.sin(x) * 2)
    outer = cr.jit(lambda x: inner(x) + 1)
    for x in (np.array([0.5]), np.array([1.5])):
        _equal(outer(x), np.sin(x) * 2 + 1)
    assert outer.traces == 1 and inner.traces == 0


def test_other_threads_are_not_traced():
    import threading

    w = cr.nn.Parameter(np.array([1.0, 2.0]))
    other = cr.nn.Parameter(np.array([3.0]))
    other_opt = cr.optim.SGD([other], lr=1.0)
    started, release = threading.Event(), threading.Event()

    def slow(x):
        started.set()
        release.wait(5)
        return (w * x).sum()

    def elsewhere():
        started.wait(5)
        other.grad = cr.tensor([1.0])
        other_opt.step()  # a step in another thread during the trace: not part of the plan
        release.set()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    step = cr.jit(slow)
    step(np.ones(2))
    thread.join()
    assert "SGD" not in str(step.plan)
    _equal(other, np.array([2.0]))
    step(np.ones(2))
    _equal(other, np.array([2.0]))  # the replay does not repeat the other thread's step


def test_a_new_default_dtype_traces_again():
    step = cr.jit(lambda x: x * cr.tensor(1.5))
    assert step(np.ones(2, np.float32)).dtype == np.float64  # a float64 constant promotes
    try:
        cr.set_default_dtype(cr.float32)
        assert step(np.ones(2, np.float32)).dtype == np.float32
    finally:
        cr.set_default_dtype(cr.float64)
    assert step.traces == 2
