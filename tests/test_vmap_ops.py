"""Every built-in op under vmap, walked from the registry: vmap(op)(X) equals op stacked over the batch.

For each op and each of its cases in tests/op_specs*.py the floating arguments
get a batch of three examples (the case's input scaled by 0.98, 1, 1.02, which
stays in every op's domain), laid on axis 0, 1 or -1, or left unbatched (None).
Values, VJPs (vmap of grad) and JVPs (vmap of jvp) are compared with a Python
loop over the examples, in float64.
"""

import numpy as np
import pytest

import chainrule as cr
from chainrule.batching import batch_rule
from chainrule.core.registry import builtin_ops
from op_specs import CASES

OPS = builtin_ops()
ALL_CASES = [(name, k) for name in sorted(OPS) for k in range(len(CASES.get(name, [])))]
SCALES = (0.98, 1.0, 1.02)

# Ops with no batching rule yet: vmap raises BatchingError naming them. This set may only shrink.
WITHOUT_BATCHING_RULE: set[str] = set()
# Ops whose derivative rules read input values with NumPy (argmax indices): their values batch, but vmap of
# their grad / jvp raises BatchedValueError (never a silent first example). Asserted below; may only shrink.
DERIVATIVE_READS_VALUES: set[str] = set()


def _floats(args):
    return [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def _layouts(args):
    """in_axes patterns for the floating arguments: all on 0, all on 1 / -1, the first or last left unbatched."""
    diff = _floats(args)
    patterns = [dict.fromkeys(diff, 0), {i: (1 if args[i].ndim >= 1 else 0) for i in diff},
                dict.fromkeys(diff, -1)]
    if len(diff) >= 2:  # one argument shared by every example: the first, or the last (a layer's weight)
        patterns += [{**dict.fromkeys(diff, 0), diff[0]: None}, {**dict.fromkeys(diff, 0), diff[-1]: None}]
    return patterns


def _batch(args, layout):
    """(batched args, in_axes, the examples): each batched argument stacked along its axis."""
    examples = [[np.asarray(a * s) if i in layout and layout[i] is not None else a for i, a in enumerate(args)]
                for s in SCALES]
    batched, in_axes = [], []
    for i, a in enumerate(args):
        axis = layout.get(i)
        if axis is None:
            batched.append(a)
        else:
            batched.append(np.stack([ex[i] for ex in examples], axis=axis))
        in_axes.append(axis)
    return batched, tuple(in_axes), examples


def _close(actual, expected):
    actual = np.asarray(actual.numpy() if isinstance(actual, cr.Tensor) else actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10)


def _case(name, k):
    if name in WITHOUT_BATCHING_RULE:
        pytest.skip("listed in WITHOUT_BATCHING_RULE (asserted by test_ops_without_rule_are_listed)")
    args, params = CASES[name][k]
    if not _floats(args):
        pytest.skip("no floating argument to batch")
    return args, params


@pytest.mark.parametrize("name,k", ALL_CASES)
def test_vmap_values_equal_the_loop(name, k):
    args, params = _case(name, k)
    op = OPS[name]
    for layout in _layouts(args):
        batched, in_axes, examples = _batch(args, layout)
        expected = np.stack([np.asarray(op(*[cr.tensor(a) if isinstance(a, np.ndarray) else a for a in ex],
                                          **params).numpy()) for ex in examples])
        # every argument passes through vmap; constants (masks, integer targets) stay unbatched
        actual = cr.vmap(lambda *a: op(*a, **params), in_axes=in_axes)(*batched)
        _close(actual, expected)


def _scalarised(op, params, args, diff):
    """The op's output contracted with fixed weights: a scalar function of its floating arguments."""
    out_shape = np.shape(op(*[cr.tensor(a) if isinstance(a, np.ndarray) else a for a in args], **params).numpy())
    weights = np.linspace(-1.0, 1.5, int(np.prod(out_shape))).reshape(out_shape)

    def f(*xs):
        full = list(args)
        for i, x in zip(diff, xs):
            full[i] = x
        return (op(*full, **params) * weights).sum()

    return f


@pytest.mark.parametrize("name,k", ALL_CASES)
def test_vmap_of_vjp_and_jvp_equal_the_loop(name, k):
    args, params = _case(name, k)
    op = OPS[name]
    if op.nondiff:
        pytest.skip("no derivative")
    diff = _floats(args)
    if name in DERIVATIVE_READS_VALUES:
        batched, in_axes, _ = _batch(args, _layouts(args)[0])
        f = _scalarised(op, params, args, diff)
        with pytest.raises(cr.batching.BatchedValueError):
            cr.vmap(cr.grad(f, argnums=tuple(range(len(diff)))))(*[batched[i] for i in diff])
        return
    for layout in _layouts(args):
        batched, in_axes, examples = _batch(args, layout)
        f = _scalarised(op, params, args, diff)
        argnums = tuple(range(len(diff)))
        axes = tuple(in_axes[i] for i in diff)
        # VJP: one gradient per example
        got = cr.vmap(cr.grad(f, argnums=argnums), in_axes=axes)(*[batched[i] for i in diff])
        want = [cr.grad(f, argnums=argnums)(*[ex[i] for i in diff]) for ex in examples]
        for j in range(len(diff)):
            _close(got[j], np.stack([np.asarray(w[j].numpy()) for w in want]))
        # JVP: tangents batched like their primals
        tangents = [np.cos(np.asarray(batched[i]) * 3.0) for i in diff]
        got_t = cr.vmap(lambda *pt: cr.jvp(f, pt[:len(diff)], pt[len(diff):])[1], in_axes=axes + axes)(
            *[batched[i] for i in diff], *tangents)
        want_t = []
        for b in range(len(SCALES)):
            ts = [np.take(t, b, axis=a) if a is not None else t for t, a in zip(tangents, axes)]
            want_t.append(cr.jvp(f, [examples[b][i] for i in diff], ts)[1].numpy())
        _close(got_t, np.stack(want_t))


def test_ops_without_rule_are_listed():
    """Exactly the listed ops lack a batching rule (the list only shrinks: delete a name when its rule lands)."""
    lacking = {name for name, op in OPS.items() if batch_rule(op) is None}
    assert lacking == WITHOUT_BATCHING_RULE


def test_an_op_without_a_rule_raises_naming_it():
    plain = cr.defop("vmap_test_no_rule", lambda x: x * 2.0, vjp=lambda g, ans, x: g * 2.0, jvp="linear")
    with pytest.raises(cr.batching.BatchingError, match="vmap_test_no_rule"):
        cr.vmap(plain)(np.ones((3, 2)))
    looped = cr.vmap(plain, fallback="loop")(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(looped.numpy(), np.arange(6.0).reshape(3, 2) * 2.0)
    with pytest.warns(cr.batching.BatchingFallbackWarning, match="vmap_test_no_rule"):
        cr.vmap(plain, fallback="warn")(np.ones((3, 2)))


# Ops that batch by one op call per example whatever the batch (docs/vmap.md lists the partial cases of
# convolve and conv_valid). This set may only shrink.
LOOPED_BY_DESIGN: set[str] = set()


def test_only_the_documented_ops_loop():
    from chainrule.batching.rules import loop

    assert {name for name, op in OPS.items() if batch_rule(op) is loop} == LOOPED_BY_DESIGN


SECOND_ORDER = [n for n in sorted(OPS) if not OPS[n].nondiff and any(
    _floats(a) and all(np.size(a[i]) and a[i].dtype.kind == "f" for i in _floats(a)) for a, _ in CASES.get(n, []))]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_vmap_of_second_derivatives_equals_the_loop(name):
    # reverse over reverse and forward over reverse, inside vmap: the derivative rules' own ops batch too
    args, params = next((a, p) for a, p in CASES[name] if _floats(a) and all(
        np.size(a[i]) and a[i].dtype.kind == "f" for i in _floats(a)))
    diff = _floats(args)
    batched, _, examples = _batch(args, _layouts(args)[0])
    f = _scalarised(OPS[name], params, args, diff)

    def first(*xs):
        return cr.grad(f, argnums=0)(*xs)

    def reverse(*xs):
        return cr.grad(lambda *ys: (first(*ys) * 0.7).sum(), argnums=0)(*xs)

    def forward(*xs):
        return cr.jvp(lambda x0: first(x0, *xs[1:]), (xs[0],), (cr.ones(xs[0].shape),))[1]

    for second in (reverse, forward):
        got = cr.vmap(second)(*[batched[i] for i in diff])
        _close(got, np.stack([np.asarray(second(*[cr.tensor(ex[i]) for i in diff]).numpy()) for ex in examples]))


REPLAY_SCALES = (0.99, 1.015, 1.005)  # new examples for a replay: inside the 0.98..1.02 that keeps every domain


def _batch_at(args, layout, scales):
    """As _batch, with the examples scaled by `scales`: a second batch of the same shapes. Integer arguments
    (class targets, indices, masks: unbatched) are rolled, so they hold other values in range too."""
    examples = [[np.asarray(a * s) if layout.get(i) is not None else a for i, a in enumerate(args)] for s in scales]
    return [(np.roll(a, 1) if isinstance(a, np.ndarray) and a.dtype.kind in "iub" else a) if layout.get(i) is None
            else np.stack([ex[i] for ex in examples], axis=layout[i]) for i, a in enumerate(args)]


@pytest.mark.parametrize("name,k", ALL_CASES)
def test_jit_of_vmap_replays_new_examples_as_eager_vmap(name, k):
    # cr.jit(vmap(op)) and cr.jit(vmap(grad)): traced on one batch, replayed on another of the same shapes; a
    # batching rule that worked on arrays the tracer never saw would replay the first batch's numbers
    args, params = _case(name, k)
    op = OPS[name]
    diff = _floats(args)
    for layout in _layouts(args)[::3]:  # all batched on axis 0; and (two or more) the first one shared
        first, in_axes, _ = _batch(args, layout)
        second = _batch_at(args, layout, REPLAY_SCALES)
        values = cr.vmap(lambda *a: op(*a, **params), in_axes=in_axes)
        jitted = cr.jit(values)
        jitted(*first)
        _close(jitted(*second), values(*second).numpy())
        if op.nondiff or name in DERIVATIVE_READS_VALUES:
            continue
        f = _scalarised(op, params, args, diff)
        grads = cr.vmap(cr.grad(f, argnums=tuple(range(len(diff)))), in_axes=tuple(in_axes[i] for i in diff))
        jitted = cr.jit(grads)
        jitted(*[first[i] for i in diff])
        for got, want in zip(jitted(*[second[i] for i in diff]), grads(*[second[i] for i in diff])):
            _close(got, want.numpy())
