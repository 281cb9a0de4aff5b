"""einsum and the contractions on it (tensordot, inner, vdot, kron, trace, diagonal, cross), publicly.

The einsum row itself is checked by tests/test_ops.py on normalised
subscripts; here every spelling NumPy accepts goes through cr.einsum.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr

rng = np.random.default_rng(11)


def check(f, *xs, order=1):
    assert cr.gradcheck(f, *xs, modes=("rev", "fwd"))
    if order == 2:
        assert cr.gradcheck(f, *xs, order=2, atol=1e-4, rtol=1e-3)


# ---- einsum: NumPy's subscript forms ------------------------------------------------
EINSUM_FORMS = [
    ("ij,jk->ik", [(3, 4), (4, 2)]), ("ij,jk", [(3, 4), (4, 2)]), ("ba", [(2, 3)]), ("Ba", [(2, 3)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("iij->ji", [(2, 2, 3)]), ("i,i", [(4,), (4,)]),
    ("i,j", [(2,), (3,)]), ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]), ("...ii->...i", [(2, 3, 3)]),
    ("i...->...", [(2, 3)]), ("...", [(2, 3)]), ("ij...,j...->i...", [(2, 3, 4), (3, 4)]),
    (" i j , j k -> i k ", [(2, 3), (3, 4)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("ij->", [(2, 3)]), ("...i,...i->...", [(1, 3), (2, 3)]), ("ii,ij->j", [(3, 3), (3, 2)]),
]


@pytest.mark.parametrize("subscripts,shapes", EINSUM_FORMS)
def test_einsum_forms_match_numpy_and_differentiate(subscripts, shapes):
    xs = [rng.normal(size=s) for s in shapes]
    out = cr.einsum(subscripts, *[cr.tensor(x) for x in xs])
    expected = np.einsum(subscripts, *xs)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert out.shape == expected.shape
    check(lambda *ts: cr.einsum(subscripts, *ts), *xs)


def test_einsum_gradient_of_a_diagonal_lies_on_the_diagonal():
    x = cr.tensor(rng.normal(size=(3, 3)), requires_grad=True)
    cr.einsum("ii->i", x).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad.numpy(), np.diag([1.0, 2.0, 3.0]))


def test_einsum_hessian_matches_finite_differences():
    a = rng.normal(size=(3, 3))
    check(lambda x: cr.einsum("ij,jk,ki->", x, x, x), a, order=2)  # tr(X³)
    h = cr.hessian(lambda x: cr.einsum("i,ij,j->", x, a, x))(rng.normal(size=3)).numpy()
    np.testing.assert_allclose(h, a + a.T, rtol=1e-12)  # d²(xᵀAx) = A + Aᵀ


def test_einsum_rejects_what_numpy_rejects_with_a_message():
    with pytest.raises(ValueError, match="operand 0 has 2 axes"):
        cr.einsum("ijk", cr.ones((2, 3)))
    with pytest.raises(ValueError, match="2 operands"):
        cr.einsum("ij,jk", cr.ones((2, 3)))
    with pytest.raises(ValueError, match="needs '...'"):
        cr.einsum("...i->i", cr.ones((2, 3)))
    with pytest.raises(TypeError, match="string"):
        cr.einsum(cr.ones(3), [0], [0])


# ---- tensordot, inner, vdot, kron, trace, diagonal, cross --------------------------
CONTRACTIONS = [
    (lambda a, b: cr.tensordot(a, b), lambda a, b: np.tensordot(a, b), [(2, 3, 4), (3, 4, 5)]),
    (lambda a, b: cr.tensordot(a, b, axes=1), lambda a, b: np.tensordot(a, b, axes=1), [(2, 3), (3, 4)]),
    (lambda a, b: cr.tensordot(a, b, axes=0), lambda a, b: np.tensordot(a, b, axes=0), [(2,), (3,)]),
    (lambda a, b: cr.tensordot(a, b, axes=([0, 2], [1, 0])), lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])),
     [(2, 3, 4), (4, 2, 5)]),
    (lambda a, b: cr.tensordot(a, b, axes=(1, 0)), lambda a, b: np.tensordot(a, b, axes=(1, 0)), [(2, 3), (3, 2)]),
    (cr.inner, np.inner, [(2, 3), (4, 3)]), (cr.inner, np.inner, [(3,), (3,)]), (cr.inner, np.inner, [(), (2, 3)]),
    (cr.vdot, np.vdot, [(2, 3), (6,)]),
    (cr.kron, np.kron, [(2, 3), (3, 2)]), (cr.kron, np.kron, [(2,), (2, 3)]), (cr.kron, np.kron, [(2, 1, 2), (3,)]),
    (cr.cross, np.cross, [(3,), (3,)]), (cr.cross, np.cross, [(4, 3), (3,)]),
    (lambda a, b: cr.cross(a, b, axisa=0, axisb=1, axisc=0), lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0),
     [(3, 2), (2, 3)]),
    (lambda a, b: cr.linalg.cross(a, b), lambda a, b: np.linalg.cross(a, b), [(2, 3), (2, 3)]),
    (lambda a, b: cr.linalg.multi_dot([a, b, a.T]), lambda a, b: np.linalg.multi_dot([a, b, a.T]), [(2, 3), (3, 3)]),
]


@pytest.mark.parametrize("k", range(len(CONTRACTIONS)))
def test_contractions_match_numpy_and_differentiate(k):
    ours, theirs, shapes = CONTRACTIONS[k]
    xs = [rng.normal(size=s) for s in shapes]
    out = ours(*[cr.tensor(x) for x in xs])
    np.testing.assert_allclose(out.numpy(), theirs(*xs), rtol=1e-12, atol=1e-12)
    check(ours, *xs)


@pytest.mark.parametrize("offset,axis1,axis2", [(0, 0, 1), (1, 0, 1), (-1, 0, 1), (0, 0, 2), (1, 2, 1), (5, 0, 1)])
def test_trace_and_diagonal_match_numpy(offset, axis1, axis2):
    x = rng.normal(size=(3, 4, 3))
    t = cr.tensor(x)
    np.testing.assert_allclose(t.trace(offset, axis1, axis2).numpy(), np.trace(x, offset, axis1, axis2), rtol=1e-12)
    check(lambda u: u.trace(offset, axis1, axis2), x)
    m = rng.normal(size=(2, 3, 3))
    np.testing.assert_allclose(cr.linalg.trace(cr.tensor(m), offset=min(offset, 2)).numpy(),
                               np.linalg.trace(m, offset=min(offset, 2)), rtol=1e-12)
    np.testing.assert_allclose(cr.linalg.diagonal(cr.tensor(m), offset=-1).numpy(), np.linalg.diagonal(m, offset=-1))


def test_tensor_trace_gradient_is_the_identity():
    x = cr.tensor(rng.normal(size=(3, 3)), requires_grad=True)
    x.trace().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(3))


# ---- random subscripts: whatever NumPy accepts, cr.einsum computes and differentiates ----

SIZES = {"a": 2, "b": 3, "c": 1, "d": 2}


@st.composite
def einsum_problems(draw):
    letters = st.sampled_from(sorted(SIZES))
    terms = draw(st.lists(st.lists(letters, min_size=0, max_size=3), min_size=1, max_size=3))
    used = sorted({c for term in terms for c in term})
    out = draw(st.one_of(st.none(), st.permutations(used).flatmap(
        lambda p: st.integers(0, len(p)).map(lambda k: "".join(p[:k])))))
    subscripts = ",".join("".join(t) for t in terms) + ("" if out is None else "->" + out)
    return subscripts, [tuple(SIZES[c] for c in t) for t in terms]


@settings(max_examples=30, deadline=None)
@given(problem=einsum_problems())
def test_random_einsum_subscripts_match_numpy_and_differentiate(problem):
    subscripts, shapes = problem
    xs = [np.random.default_rng(len(subscripts)).normal(size=s) for s in shapes]
    expected = np.einsum(subscripts, *xs)
    out = cr.einsum(subscripts, *[cr.tensor(x) for x in xs])
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)
    assert cr.gradcheck(lambda *ts: cr.einsum(subscripts, *ts), *xs, modes=("rev", "fwd"))
