"""The short cuts vmap(grad) takes, each against the plain path it stands for: a stand-in's operators and
indexing straight to its level's interceptor (and Tensor's own when that level is not the innermost), and
grad reading from the sweep whether it recorded itself (and from the results when a wrapped sweep does not say)."""

import numpy as np

import chainrule as cr
import chainrule.transforms as transforms

rng = np.random.default_rng(5)


def _np(x):
    return x.numpy() if isinstance(x, cr.Tensor) else np.asarray(x)


def test_operators_and_indexing_of_stand_ins_equal_the_loop():
    X, A, v = rng.normal(size=(4, 3)), rng.normal(size=(3, 3)), rng.normal(size=3)

    def f(x):
        return (1 - x * x) / 2 + 3 / (2 + x * x) - x @ A + A @ x + v @ x + x[None][0, ::-1] * x[1]

    batched = cr.vmap(f)(X)
    for k in range(4):
        x = X[k]
        expected = (1 - x * x) / 2 + 3 / (2 + x * x) - x @ A + A @ x + v @ x + x[::-1] * x[1]
        np.testing.assert_allclose(_np(batched[k]), expected, rtol=1e-12)


def test_an_outer_stand_in_inside_an_inner_vmap_takes_the_plain_path():
    # inside the inner vmap the outer level's interceptor is not the installed one: x's operators go
    # through Op.__call__, which hands x to the outer level
    X, Y = rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    out = cr.vmap(lambda x: cr.vmap(lambda y: x * y - x[0] + y @ x)(Y))(X)
    expected = np.array([[x * y - x[0] + y @ x for y in Y] for x in X])
    np.testing.assert_allclose(_np(out), expected, rtol=1e-12)


def test_grad_of_vmap_of_grad_differentiates_through_the_stand_ins_operators():
    X, w = rng.normal(size=(4, 3)), rng.normal(size=3)

    def per_example(w, x):
        return cr.tanh(x @ w) * (1 - x[0])

    def total(w):
        return cr.vmap(cr.grad(lambda w, x: per_example(w, x).sum()), in_axes=(None, 0))(w, X).sum()

    def total_loop(w):
        return sum(cr.grad(lambda w, x: per_example(w, x).sum())(w, x).sum() for x in X)

    np.testing.assert_allclose(_np(cr.grad(total)(w)), _np(cr.grad(total_loop)(w)), rtol=1e-10)


def test_grad_reads_whether_the_sweep_recorded_from_its_results_when_a_wrapper_does_not_say(monkeypatch):
    c = cr.tensor(2.0, requires_grad=True)  # closed over: the sweep records, so the value stays live

    def f(x):
        return x * x + c

    plain = cr.value_and_grad(f)(3.0)
    original = transforms.backward_pass
    monkeypatch.setattr(transforms, "backward_pass", lambda *a, **k: list(original(*a, **k)))  # says nothing
    wrapped = cr.value_and_grad(f)(3.0)
    assert plain[0].requires_grad and wrapped[0].requires_grad
    assert float(plain[1]) == float(wrapped[1]) == 6.0
    assert not cr.value_and_grad(lambda x: x * x)(3.0)[0].requires_grad
