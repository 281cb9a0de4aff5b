"""PyTorch's losses (cr.nn.functional) under vmap: each equals the loop over examples, or refuses loudly.

Per-example targets (in_axes 0) and shared ones (None); every reduction; values and per-example gradients.
A loss that made a mask, an index or a weight from one example's array would give every example that
example's answer: these tests are what catches it.
"""

import numpy as np
import pytest

import chainrule as cr

F = cr.nn.functional
rng = np.random.default_rng(21)
B, N, C = 4, 3, 5  # a batch of 4 examples, each of 3 rows of 5 classes


def _classes(ignore=False):
    y = rng.integers(0, C, size=(B, N))
    if ignore:
        y[1, 2] = y[3, 0] = -1  # ignore_index=-1: rows skipped (mean over the others)
    return y


# name -> (loss(x, t), batch of inputs, batch of targets)
CASES = {
    "cross_entropy": (lambda x, t: F.cross_entropy(x, t), rng.normal(size=(B, N, C)), _classes()),
    "cross_entropy sum": (lambda x, t: F.cross_entropy(x, t, reduction="sum"), rng.normal(size=(B, N, C)),
                          _classes()),
    "cross_entropy none": (lambda x, t: F.cross_entropy(x, t, reduction="none"), rng.normal(size=(B, N, C)),
                           _classes()),
    "cross_entropy weight": (lambda x, t: F.cross_entropy(x, t, weight=np.linspace(0.5, 2.0, C)),
                             rng.normal(size=(B, N, C)), _classes()),
    "cross_entropy ignore_index": (lambda x, t: F.cross_entropy(x, t, ignore_index=-1), rng.normal(size=(B, N, C)),
                                   _classes(ignore=True)),
    "cross_entropy label_smoothing": (lambda x, t: F.cross_entropy(x, t, label_smoothing=0.2),
                                      rng.normal(size=(B, N, C)), _classes()),
    "cross_entropy probabilities": (lambda x, t: F.cross_entropy(x, t), rng.normal(size=(B, N, C)),
                                    rng.dirichlet(np.ones(C), size=(B, N))),
    "nll_loss": (lambda x, t: F.nll_loss(F.log_softmax(x, dim=1), t), rng.normal(size=(B, N, C)), _classes()),
    "nll_loss weight ignore_index": (
        lambda x, t: F.nll_loss(F.log_softmax(x, dim=1), t, weight=np.linspace(2.0, 0.5, C), ignore_index=-1),
        rng.normal(size=(B, N, C)), _classes(ignore=True)),
    "mse_loss": (lambda x, t: F.mse_loss(x, t), rng.normal(size=(B, N)), rng.normal(size=(B, N))),
    "l1_loss": (lambda x, t: F.l1_loss(x, t, reduction="sum"), rng.normal(size=(B, N)), rng.normal(size=(B, N))),
    "smooth_l1_loss": (lambda x, t: F.smooth_l1_loss(x, t, beta=0.5), rng.normal(size=(B, N)) * 2,
                       rng.normal(size=(B, N))),
    "huber_loss": (lambda x, t: F.huber_loss(x, t, delta=0.7), rng.normal(size=(B, N)) * 2, rng.normal(size=(B, N))),
    "binary_cross_entropy": (lambda x, t: F.binary_cross_entropy(cr.sigmoid(x), t), rng.normal(size=(B, N)),
                             rng.uniform(size=(B, N))),
    "binary_cross_entropy_with_logits": (
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=np.full(N, 1.5)), rng.normal(size=(B, N)),
        rng.integers(0, 2, size=(B, N)).astype(float)),
    "kl_div": (lambda x, t: F.kl_div(F.log_softmax(x, dim=-1), t, reduction="batchmean"), rng.normal(size=(B, N, C)),
               np.where(rng.uniform(size=(B, N, C)) < 0.3, 0.0, rng.dirichlet(np.ones(C), size=(B, N)))),
    "kl_div log_target": (lambda x, t: F.kl_div(F.log_softmax(x, dim=-1), t, log_target=True),
                          rng.normal(size=(B, N, C)), np.log(rng.dirichlet(np.ones(C), size=(B, N)))),
    "hinge_loss": (lambda x, t: F.hinge_loss(x, t), rng.normal(size=(B, N)),
                   rng.choice([-1.0, 1.0], size=(B, N))),
}

# Losses whose targets index the computation with NumPy: with per-example targets under vmap they raise
# BatchedValueError (never one example's answer for all). This set may only shrink.
REFUSE_PER_EXAMPLE_TARGETS = {"multi_margin_loss"}


def _np(x):
    return np.asarray(x.numpy() if isinstance(x, cr.Tensor) else x)


def _loop(fn, X, T):
    return np.stack([_np(fn(X[b], T[b])) for b in range(B)])


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_under_vmap_equals_the_loop_over_examples(name):
    loss, X, T = CASES[name]
    np.testing.assert_allclose(np.asarray(cr.vmap(loss)(X, T)), _loop(loss, X, T), rtol=1e-10, atol=1e-12)
    # targets shared by every example (in_axes None): the first example's, for all
    shared = cr.vmap(loss, in_axes=(0, None))(X, T[0])
    np.testing.assert_allclose(np.asarray(shared), _loop(loss, X, np.stack([T[0]] * B)), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_per_example_gradients_of_the_loss_equal_the_loop(name):
    loss, X, T = CASES[name]

    def scalar(x, t):
        out = loss(cr.tanh(x) * 1.5, t)  # something to differentiate through before the loss
        return out.sum() if out.ndim else out

    got = np.asarray(cr.vmap(cr.grad(scalar))(X, T))
    want = np.stack([np.asarray(cr.grad(scalar)(X[b], T[b])) for b in range(B)])
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    assert np.abs(want).max() > 1e-6  # the gradients are not trivially zero


def test_cross_entropy_of_one_example_per_call_written_out():
    # the per-example gradient of -log softmax(z)[y] is softmax(z) - onehot(y), for each example's own y
    X, y = rng.normal(size=(6, C)), np.array([0, 4, 2, 2, 1, 3])
    got = np.asarray(cr.vmap(cr.grad(lambda z, t: F.cross_entropy(z[None], t[None])))(X, y))
    e = np.exp(X - X.max(axis=1, keepdims=True))
    np.testing.assert_allclose(got, e / e.sum(axis=1, keepdims=True) - np.eye(C)[y], rtol=1e-12, atol=1e-14)


def test_losses_that_cannot_batch_their_targets_refuse_loudly():
    X, y = rng.normal(size=(B, N, C)), _classes()
    for name in REFUSE_PER_EXAMPLE_TARGETS:
        with pytest.raises(cr.batching.BatchedValueError):
            cr.vmap(getattr(F, name))(X, y)
    # with targets shared by the batch they batch as any loss
    shared = cr.vmap(F.multi_margin_loss, in_axes=(0, None))(X, y[0])
    np.testing.assert_allclose(np.asarray(shared), [F.multi_margin_loss(X[b], y[0]).item() for b in range(B)],
                               rtol=1e-12)


def test_target_checks_read_every_example():
    # an out-of-range class in any example (not only the first) is reported, as without vmap
    X, y = rng.normal(size=(B, N, C)), _classes()
    y[2, 1] = C
    with pytest.raises(cr.OpError, match="targets must lie"):
        cr.vmap(lambda x, t: F.nll_loss(x, t))(X, y)
    p = rng.uniform(size=(B, N))
    p[3, 0] = 1.5
    with pytest.raises(cr.ChainruleError, match="probabilities in"):
        cr.vmap(F.binary_cross_entropy)(p, rng.uniform(size=(B, N)))
