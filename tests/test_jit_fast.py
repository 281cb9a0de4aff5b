"""cr.jit's fast replay: the kernels' special paths, SGD in chunks, the whole call as one function.

Each test compares against eager chainrule (or the op's own rule) bit for bit; the values are
chosen to reach the paths a random batch does not (non-finite adjoints, signed zeros, targets
out of range, parameters bigger than the SGD scratch, a learning rate that is a NumPy number).
"""

import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.core.registry import OPS
from chainrule.jit import JitError, kernels, updates
from chainrule.jit.steps import contribution_call

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from mlp_step import problem  # noqa: E402

rng = np.random.default_rng(11)


def _bits(a, b):
    a, b = (x.numpy() if isinstance(x, cr.Tensor) else np.asarray(x) for x in (a, b))
    assert a.shape == b.shape and a.dtype == b.dtype
    assert a.tobytes() == b.tobytes()


def _relu_case(g, x):
    op = OPS["relu"]
    ans = np.asarray(op.forward(x))
    rule, _ = contribution_call(op, 0, {}, False)
    want = rule(g, ans, x)
    code = kernels.vjp_kernel(op, 0, g, ans, [x], {}, want)
    return code, ans, want


@pytest.mark.parametrize("n", [3, 80])  # below and above the sweep's branch-free size (4096 elements)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_relu_vjp_keeps_signed_zeros_and_non_finite_adjoints_as_the_sweep(n, dtype):
    x = rng.normal(size=(n, 64)).astype(dtype)
    x[0, :4] = [0.0, -0.0, np.nan, 1.0]
    g = rng.normal(size=x.shape).astype(dtype)
    g[0, :4] = [-0.0, -1.0, 2.0, -0.0]  # -0.0 kept where x > 0, +0.0 (never -0.0) where not
    code, ans, want = _relu_case(g, x)
    _bits(code(g, ans, x), want)
    g[1, :3] = [np.inf, -np.inf, np.nan]  # non-finite where the mask is 0: np.where's exact zeros
    x[1, :3] = -1.0
    code, ans, want = _relu_case(g, x)
    _bits(code(g, ans, x), want)


def test_relu_vjp_with_a_finite_product_whose_square_sum_overflows():
    x = rng.normal(size=(80, 64)).astype(np.float32)
    g = np.full(x.shape, 3e30, np.float32)  # g·g overflows float32; g·mask is finite: the sweep keeps it
    code, ans, want = _relu_case(g, x)
    _bits(code(g, ans, x), want)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_python_numbers_become_0d_arrays_only_with_the_same_bits(dtype):
    x = rng.normal(size=(5, 3)).astype(dtype)
    for name, args in [("mul", (0.01, x)), ("add", (x, 2)), ("sub", (x, 1e-3)), ("greater", (x, 0)),
                       ("maximum", (x, 0.5)), ("pow", (np.abs(x), 2)), ("div", (x, 3))]:
        op = OPS[name]
        value = np.asarray(op.forward(*args))
        code = kernels.forward_kernel(op, list(args), {}, value)
        assert code is not None, name
        assert code.constants, name  # the Python number got its 0-d stand-in
        for typed in code.constants.values():
            assert typed.ndim == 0 and not typed.flags.writeable
        _bits(code(*args), value)


def test_a_python_number_takes_the_dtype_of_the_loop_it_meets():
    op = OPS["mul"]
    ints = np.arange(6).reshape(2, 3)
    value = np.asarray(op.forward(ints, 0.5))  # an int array times a float: the float64 loop
    code = kernels.forward_kernel(op, [ints, 0.5], {}, value)
    assert code.constants[1].dtype == np.float64
    _bits(code(ints, 0.5), value)
    small = np.arange(6, dtype=np.int8)
    value = np.asarray(op.forward(small, 3))  # NEP 50: the int stays int8
    code = kernels.forward_kernel(op, [small, 3], {}, value)
    assert code.constants[1].dtype == np.int8
    _bits(code(small, 3), value)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_xent_kernel_mean_and_sum_equal_the_op_and_refuse_bad_targets(dtype):
    op = OPS["softmax_cross_entropy"]
    x = rng.normal(size=(9, 5)).astype(dtype)
    for target in (np.array([0, 4, 1, 1, 2, 0, 3, 3, 4]), np.array([0, 4, 1, 1, 2, 0, 3, 3, 4], np.int32)):
        for reduction in ("mean", "sum"):
            value, saved = op.saving_forward(x, target, reduction=reduction)
            func, _ = kernels.saving_kernel(op, [x, target], {"reduction": reduction}, np.asarray(value), saved)
            for _ in range(2):  # the buffers are reused: the second call is as right as the first
                got = func(x, target)
                _bits(got[0], value), _bits(got[1], saved)
            for bad in ([0, 5, 1, 1, 2, 0, 3, 3, 4], [0, -1, 1, 1, 2, 0, 3, 3, 4]):
                with pytest.raises(ValueError, match="targets must lie in"):
                    func(x, np.array(bad, target.dtype))
            # a row with inf or nan: the total is not finite, and the kernel hands over to the op's own path
            for odd in (np.inf, -np.inf, np.nan):
                y = x.copy()
                y[2, 1] = odd
                with np.errstate(all="ignore"):
                    expected, expected_saved = op.saving_forward(y, target, reduction=reduction)
                    got = func(y, target)
                _bits(got[0], expected), _bits(got[1], expected_saved)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sgd_in_chunks_and_with_known_gradients_equals_sgd_step(monkeypatch, dtype):
    monkeypatch.setattr(updates, "SCRATCH", 7)  # every parameter below is bigger: updated in chunks
    _, x, y = problem("small", dtype)

    def make():
        net = cr.nn.Sequential(cr.nn.Linear(64, 16, dtype=dtype), cr.nn.ReLU(), cr.nn.Linear(16, 10, dtype=dtype))
        opt = cr.optim.SGD(net.parameters(), lr=0.05)

        def step(x, y):
            opt.zero_grad()
            loss = cr.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            return loss

        return net, step

    net1, eager = make()
    net2, step = make()
    for p, q in zip(net1.parameters(), net2.parameters()):
        q.data[...] = p.data  # the same start
    jitted = cr.jit(step)
    for _ in range(3):
        _bits(jitted(x, y), eager(x, y))
    for p, q in zip(net1.parameters(), net2.parameters()):
        _bits(p.data, q.data), _bits(p.grad, q.grad)
    assert any("_gf[0:7]" in line for line in jitted.plan._lines)  # the chunked form did run


def test_sgd_with_a_numpy_learning_rate_runs_the_optimizers_own_step():
    weights, x, y = problem("tiny", np.float32)

    def make():
        w = cr.nn.Parameter(weights[0][0].copy())
        opt = cr.optim.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            (x @ w.T).sum().backward()
            opt.step()

        return w, opt, step

    w1, opt1, eager = make()
    w2, opt2, step = make()
    jitted = cr.jit(step)
    jitted(x), eager(x)
    for opt in (opt1, opt2):
        opt.param_groups[0]["lr"] = np.float64(0.3)  # a scheduler's NumPy number: NumPy promotes it to float64
    for _ in range(2):
        jitted(x), eager(x)
    _bits(w1.data, w2.data)


def test_a_fast_call_falls_back_for_new_shapes_dtypes_and_argument_kinds():
    f = cr.jit(lambda x: cr.tanh(x) * 2.0)
    a = np.array([0.5, -1.0])
    _bits(f(a), np.tanh(a) * 2.0)
    _bits(f(a[:1]), np.tanh(a[:1]) * 2.0)  # a new shape: traced again
    _bits(f(a.astype(np.float32)), np.tanh(a.astype(np.float32)) * np.float32(2.0))
    _bits(f(cr.tensor(a)), np.tanh(a) * 2.0)  # a Tensor argument: the slow path's key
    _bits(f(a), np.tanh(a) * 2.0)
    assert f.traces == 4


def test_a_fast_call_sees_a_parameter_given_a_new_array():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))
    f = cr.jit(lambda x: (w * x).sum())
    assert f(np.ones(2)).item() == 3.0
    w.data = np.array([5.0, 7.0])  # a new array: the plan read the old one, so it traces again
    assert f(np.ones(2)).item() == 12.0
    assert f.traces == 2


def test_a_guard_failing_in_a_fast_call_traces_the_other_branch():
    f = cr.jit(lambda x: x * 2.0 if (x.sum()).item() > 0 else x * -1.0)
    _bits(f(np.array([1.0, 2.0])), np.array([2.0, 4.0]))
    _bits(f(np.array([-1.0, -2.0])), np.array([1.0, 2.0]))
    _bits(f(np.array([3.0, 1.0])), np.array([6.0, 2.0]))
    assert f.traces == 2


def test_a_guard_failing_after_an_update_in_a_fast_call_is_an_error():
    w = cr.nn.Parameter(np.array([1.0, 2.0]))
    opt = cr.optim.SGD([w], lr=0.1)

    @cr.jit
    def step(x):
        opt.zero_grad()
        loss = (w * x).sum()
        loss.backward()
        opt.step()
        return 1.0 if loss.item() > 0 else -1.0

    step(np.array([1.0, 1.0]))
    with pytest.raises(JitError, match="changed after the step had already updated state"):
        step(np.array([-10.0, -10.0]))


def test_the_losss_seed_is_folded_but_a_seed_passed_in_is_not():
    w = cr.nn.Parameter(np.array([1.0, 2.0, 3.0]))

    @cr.jit
    def seeded(x, seed):
        w.grad = None
        loss = cr.nn.functional.cross_entropy((w * x).reshape(1, 3), np.array([1]))
        loss.backward(seed)
        return w.grad

    for s in (1.0, 2.0, -0.5):
        w.grad = None
        cr.nn.functional.cross_entropy((w * np.ones(3)).reshape(1, 3), np.array([1])).backward(np.array(s))
        want = w.grad.numpy()
        _bits(seeded(np.ones(3), np.array(s)), want)


def test_the_plan_prints_python_numbers_as_written():
    f = cr.jit(lambda x: cr.relu(x) * 0.5)
    f(np.ones((2, 2)))
    text = str(f.plan)
    assert "np.maximum(v0, 0, out=" in text and "0.5" in text


# ---- buffers shared by liveness ------------------------------------------------------------------
def _step(ins, out, buffer=None, in_place=False):
    from chainrule.jit.plan import Step

    names = {} if buffer is None else {f"v{out}": buffer}
    return Step(None, ins, out, f"v{out}", code="pass", names=names, in_place=in_place)


def test_a_buffer_is_not_shared_while_a_view_of_it_is_still_read():
    from chainrule.jit.buffers import share_buffers

    a, b, c = np.empty((3, 3)), np.empty((3, 3)), np.empty((3, 3))
    steps = [_step((0,), 1, a),          # v1: a buffer
             _step((1,), 2),             # v2 = v1.T: a view of v1's buffer
             _step((0,), 3, b),          # v3 must not take v1's buffer: v2 (a view of it) is read below
             _step((2, 3), 4, c)]        # reads v2 and v3; v1 and its view are dead after this
    buffered = {1: steps[0], 3: steps[2], 4: steps[3]}
    share_buffers(steps, buffered, [4])
    assert steps[2].names["v3"] is b
    assert steps[3].names["v4"] is c  # reads v2 (a view of a) itself: never writes over it


def test_dead_buffers_are_reused_and_elementwise_kernels_write_over_their_last_input():
    from chainrule.jit.buffers import share_buffers

    a, b, c = np.empty(4), np.empty(4), np.empty(4)
    steps = [_step((0,), 1, a), _step((1,), 2, b, in_place=True), _step((2,), 3, c)]
    share_buffers(steps, {1: steps[0], 2: steps[1], 3: steps[2]}, [3])
    assert steps[1].names["v2"] is a  # v1 is read last by this elementwise step: written over
    assert steps[2].names["v3"] is c or steps[2].names["v3"] is b  # v2 is still read here: not its buffer
    assert steps[2].names["v3"] is not a


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_deep_step_shares_buffers_and_stays_bit_for_bit(dtype):
    weights, x, y = problem("deep", dtype)
    from test_jit import _module_step

    net1, eager = _module_step(weights, lr=0.05)
    net2, step = _module_step(weights, lr=0.05)
    jitted = cr.jit(step)
    for _ in range(3):
        _bits(jitted(x, y), eager(x, y))
    for p, q in zip(net1.parameters(), net2.parameters()):
        _bits(p, q), _bits(p.grad, q.grad)
    text = str(jitted.plan)
    assert text.count("'s buffer]") >= 30  # relu in place, and the adjoints of equal shape share


def test_a_transposed_weight_gradient_is_memory_of_its_own_each_call():
    w = cr.nn.Parameter(rng.normal(size=(3, 2)))

    @cr.jit
    def step(x):
        w.grad = None
        (x @ w.T).sum().backward()  # w's gradient: (x.T @ g).T, the transpose of a kernel's output

    x1, x2 = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))
    step(x1)
    first = w.grad
    held = first.numpy().copy()
    step(x2)
    _bits(first, held)  # the second call wrote a new array, not over the first .grad
    _bits(w.grad, np.ones((4, 3)).T @ x2)
    assert w.grad is not first


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_small_models_gradients_share_one_block_and_sgd_scales_it_in_one_multiply(dtype):
    weights, x, y = problem("tiny", dtype)
    from test_jit import _module_step

    net1, eager = _module_step(weights, lr=0.05)
    net2, step = _module_step(weights, lr=0.05)
    jitted = cr.jit(step)
    jitted(x, y), eager(x, y)
    held = [p.grad for p in net2.parameters()]
    copies = [g.numpy().copy() for g in held]
    for _ in range(2):
        jitted(x, y), eager(x, y)
    for g, c in zip(held, copies):
        _bits(g, c)  # the first call's gradients are untouched: each call's block is new
    for p, q in zip(net1.parameters(), net2.parameters()):
        _bits(p, q), _bits(p.grad, q.grad)
    source = "\n".join(jitted.plan._lines)
    assert source.count("_take()") == 1 and source.count("np.multiply(_gb") == 1


@pytest.mark.parametrize("size", ["tiny", "mnist"])  # one block of views; one array per gradient
def test_gradient_arrays_are_reused_only_when_nothing_outside_the_plan_holds_them(size):
    weights, x, y = problem(size, np.float32)
    from test_jit import _module_step

    net, step = _module_step(weights, lr=0.05)
    jitted = cr.jit(step)
    jitted(x, y), jitted(x, y)
    w = next(net.parameters())
    last = id(w.grad._data)
    jitted(x, y)
    assert id(w.grad._data) == last  # nothing held the old .grad: its array is written again
    for hold in (lambda g: g, lambda g: g.numpy(), lambda g: g._data.base if g._data.base is not None else g._data):
        held = hold(w.grad)
        before = np.array(held, copy=True)
        jitted(x, y)
        _bits(held, before)  # what the caller kept is untouched: the call wrote new arrays
        assert not np.shares_memory(w.grad._data, held)
        del held


def test_in_place_updates_in_a_replay_bump_the_version_as_eager_does():
    from chainrule.core.node import last_change

    w = cr.nn.Parameter(np.array([1.0, 2.0]))

    @cr.jit
    def step(x):
        p = w
        p.grad = None
        (p * x).sum().backward()
        with cr.no_grad():
            p -= 0.5 * p.grad

    for _ in range(3):
        before = w.version
        step(np.array([1.0, 3.0]))
        assert w.version > before and last_change.reading == w._version  # graphs that saved w see the change
    _bits(w, np.array([1.0, 2.0]) - 3 * 0.5 * np.array([1.0, 3.0]))


def test_tracing_leaves_the_garbage_collector_as_it_found_it():
    import gc

    f = cr.jit(lambda x: x * 2.0)
    assert gc.isenabled()
    f(np.ones(2))
    assert gc.isenabled()
    gc.disable()
    try:
        f(np.ones(3))
        assert not gc.isenabled()
    finally:
        gc.enable()
    broken = cr.jit(lambda x: x @ np.ones((5, 5)))
    with pytest.raises(Exception):  # noqa: B017  (whatever the failing op raises)
        broken(np.ones(2))
    assert gc.isenabled()


@pytest.mark.parametrize("m, k, n", [(1, 3, 10), (7, 10, 33), (16, 64, 2), (33, 1, 10)])
def test_a_strided_argument_gets_a_plan_of_its_own_with_eagers_bits(m, k, n):
    # np.dot (the kernels) and np.matmul (eager) round alike only on C/F layouts: a strided argument must
    # not replay a plan traced on a contiguous one, nor get a dot kernel when traced itself
    from chainrule.jit.code import layout

    rng = np.random.default_rng(0)
    w = rng.normal(size=(k, n))
    eager = cr.grad(lambda w, x: (cr.tanh(x @ w) * (x @ w)).sum())  # x is data here, w the parameter
    f = cr.jit(eager)
    f(w, rng.normal(size=(m, k)))
    for _ in range(2):
        strided = rng.normal(size=(2 * m, 3 * k))[::2, ::3]
        _bits(f(w, strided), eager(w, strided))
        _bits(cr.jit(lambda x: x @ w)(strided), strided @ w)  # traced on the strided array itself
    transposed = np.asfortranarray(rng.normal(size=(m, k)))  # F order: a layout of its own, dot kernels allowed
    _bits(f(w, transposed), eager(w, transposed))
    assert layout(strided) == "S"
    assert f.traces == 2 + (layout(transposed) == "F")  # (one row or column: C order as well)


@pytest.mark.parametrize("order", ["F", "strided"])
def test_an_argument_differentiated_in_its_own_layout_gives_eagers_bits(order):
    # eagerly cr.grad copies the array it differentiates (np.copy: a strided one comes out compact, an F one
    # stays F); the traced plan must compute on the same layout, since np.matmul rounds by layout
    rng = np.random.default_rng(1)
    w = cr.nn.Parameter(rng.normal(size=(64, 2)))
    eager = cr.grad(lambda x: (cr.tanh(x @ w) * (x @ w)).sum())
    f = cr.jit(eager)
    for _ in range(3):
        x = rng.normal(size=(16, 64))
        x = np.asfortranarray(x) if order == "F" else rng.normal(size=(32, 128))[::2, ::2]
        _bits(f(x), eager(x))
    assert f.traces == 1
