"""Convolution and pooling: gradchecked in float64, and equal to PyTorch's forward and gradients."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

rng = np.random.default_rng(7)

CONV2D = [  # (x shape, weight shape, keyword arguments)
    ((2, 4, 7, 6), (6, 2, 3, 3), dict(stride=2, padding=1, groups=2)),
    ((1, 3, 5, 5), (2, 3, 2, 2), dict(dilation=2)),
    ((2, 2, 6, 6), (4, 2, 3, 2), dict(padding="same")),
    ((2, 2, 6, 6), (4, 2, 3, 3), dict(padding="valid", stride=(2, 1))),
    ((3, 5, 5), (2, 3, 3, 3), dict(padding=(1, 0))),  # unbatched
]
MAX_POOL2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
              dict(kernel_size=3, stride=2, ceil_mode=True),
              dict(kernel_size=2, dilation=2, stride=1), dict(kernel_size=(2, 3), stride=(1, 2)),
              dict(kernel_size=(5, 4), stride=1, padding=(2, 1))]  # over 16 entries: the running comparison
AVG_POOL2D = [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
              dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
              dict(kernel_size=3, stride=2, ceil_mode=True),
              dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
              dict(kernel_size=2, divisor_override=3)]


@pytest.mark.parametrize("xs,ws,kw", CONV2D)
def test_conv2d_gradcheck(xs, ws, kw):
    x, w, b = rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])
    assert cr.gradcheck(lambda x, w, b: F.conv2d(x, w, b, **kw), x, w, b, modes=("rev", "fwd"))


def test_conv_second_derivatives():
    x, w = rng.normal(size=(1, 2, 4, 4)), rng.normal(size=(2, 2, 2, 2))
    assert cr.gradcheck(lambda x, w: (F.conv2d(x, w, stride=2) ** 2).sum(), x, w, order=2, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize("kw", MAX_POOL2D)
def test_max_pool2d_gradcheck(kw):
    assert cr.gradcheck(lambda x: F.max_pool2d(x, **kw), rng.normal(size=(2, 2, 7, 6)), modes=("rev", "fwd"))


@pytest.mark.parametrize("kw", AVG_POOL2D)
def test_avg_pool2d_gradcheck(kw):
    assert cr.gradcheck(lambda x: F.avg_pool2d(x, **kw), rng.normal(size=(2, 2, 7, 6)), modes=("rev", "fwd"))


def test_one_d_and_adaptive_gradcheck():
    x, w = rng.normal(size=(2, 3, 9)), rng.normal(size=(4, 3, 3))
    assert cr.gradcheck(lambda x, w: F.conv1d(x, w, stride=2, padding=1), x, w, modes=("rev", "fwd"))
    assert cr.gradcheck(lambda x: F.max_pool1d(x, 3, 2, 1), x)
    assert cr.gradcheck(lambda x: F.avg_pool1d(x, 3, 2), x)
    assert cr.gradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), rng.normal(size=(1, 2, 5, 7)), modes=("rev", "fwd"))


def test_max_pool_ties_go_to_the_first_maximum():
    x = cr.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1.0, 0.0], [0.0, 0.0]])


def test_bad_shapes_say_what_is_wrong():
    with pytest.raises(ValueError, match="channels"):
        F.conv2d(cr.ones((1, 3, 4, 4)), cr.ones((2, 2, 3, 3)))
    with pytest.raises(ValueError, match="does not fit"):
        F.conv2d(cr.ones((1, 1, 2, 2)), cr.ones((1, 1, 3, 3)))
    with pytest.raises(ValueError, match="half the kernel"):
        F.max_pool2d(cr.ones((1, 1, 4, 4)), 2, padding=2)


# ---- against PyTorch ------------------------------------------------------------------------------
def _compare(cr_fn, torch_fn, *arrays):
    torch = pytest.importorskip("torch")
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = cr_fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = rng.normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.tensor(seed))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("xs,ws,kw", CONV2D)
def test_conv2d_matches_torch(xs, ws, kw):
    torch = pytest.importorskip("torch")
    _compare(lambda x, w, b: F.conv2d(x, w, b, **kw), lambda x, w, b: torch.nn.functional.conv2d(x, w, b, **kw),
             rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0]))


def test_conv1d_matches_torch():
    torch = pytest.importorskip("torch")
    kw = dict(stride=2, padding=2, dilation=2, groups=3)
    _compare(lambda x, w: F.conv1d(x, w, **kw), lambda x, w: torch.nn.functional.conv1d(x, w, **kw),
             rng.normal(size=(2, 3, 11)), rng.normal(size=(6, 1, 3)))


@pytest.mark.parametrize("kw", MAX_POOL2D)
def test_max_pool2d_matches_torch(kw):
    torch = pytest.importorskip("torch")
    _compare(lambda x: F.max_pool2d(x, **kw), lambda x: torch.nn.functional.max_pool2d(x, **kw),
             rng.normal(size=(2, 3, 7, 8)))


@pytest.mark.parametrize("kw", AVG_POOL2D)
def test_avg_pool2d_matches_torch(kw):
    torch = pytest.importorskip("torch")
    _compare(lambda x: F.avg_pool2d(x, **kw), lambda x: torch.nn.functional.avg_pool2d(x, **kw),
             rng.normal(size=(2, 3, 7, 8)))


@pytest.mark.parametrize("size", [(3, 5), 2, (None, 3), (7, 8)])
def test_adaptive_avg_pool2d_matches_torch(size):
    torch = pytest.importorskip("torch")
    _compare(lambda x: F.adaptive_avg_pool2d(x, size), lambda x: torch.nn.functional.adaptive_avg_pool2d(x, size),
             rng.normal(size=(2, 3, 7, 8)))


def test_one_d_pools_match_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = rng.normal(size=(2, 3, 9))
    _compare(lambda x: F.max_pool1d(x, 3, 2, 1), lambda x: tf.max_pool1d(x, 3, 2, 1), x)
    _compare(lambda x: F.avg_pool1d(x, 3, 2, 1), lambda x: tf.avg_pool1d(x, 3, 2, 1), x)
    _compare(lambda x: F.adaptive_avg_pool1d(x, 4), lambda x: tf.adaptive_avg_pool1d(x, 4), x)


def test_conv_modules_match_torch():
    torch = pytest.importorskip("torch")
    ours = cr.nn.Conv2d(3, 4, 3, stride=2, padding=1, dtype=np.float64)
    theirs = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    x = rng.normal(size=(2, 3, 8, 8))
    np.testing.assert_allclose(ours(cr.tensor(x)).numpy(), theirs(torch.tensor(x)).detach().numpy(), atol=1e-12)
    assert ours.weight.shape == tuple(theirs.weight.shape)
    bound = 1 / np.sqrt(3 * 9)  # PyTorch's default init: U(-1/√fan_in, 1/√fan_in)
    assert np.abs(ours.weight.numpy()).max() <= bound and np.abs(ours.bias.numpy()).max() <= bound
    conv1 = cr.nn.Conv1d(3, 6, 5, groups=3, bias=False)
    assert conv1.weight.shape == (6, 1, 5) and conv1.bias is None


def test_max_pool_ties_and_nan_match_torch():
    torch = pytest.importorskip("torch")
    x = np.round(rng.normal(size=(2, 2, 6, 6)))  # many ties
    x[0, 0, 1, 1] = np.nan
    for kw in [dict(kernel_size=3, stride=1), dict(kernel_size=2), dict(kernel_size=(5, 4), stride=1)]:
        ours, theirs = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out, expected = F.max_pool2d(ours, **kw), torch.nn.functional.max_pool2d(theirs, **kw)
        np.testing.assert_array_equal(out.numpy(), expected.detach().numpy())
        seed = rng.normal(size=out.shape)
        out.backward(seed)
        expected.backward(torch.tensor(seed))
        clean = ~np.isnan(x)  # where NaNs sit, PyTorch keeps the last NaN of a window and we the first
        np.testing.assert_allclose(ours.grad.numpy()[clean], theirs.grad.numpy()[clean], atol=1e-12)
