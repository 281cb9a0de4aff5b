"""Recurrent layers: PyTorch's parameter names, shapes, values and gradients; gradchecked in float64."""

import numpy as np
import pytest

import chainrule as cr

rng = np.random.default_rng(9)

CONFIGS = [
    ("RNN", dict(num_layers=2)),
    ("RNN", dict(nonlinearity="relu", batch_first=True)),
    ("LSTM", dict(num_layers=2, batch_first=True)),
    ("LSTM", dict(bidirectional=True, bias=False)),
    ("GRU", dict(num_layers=2, bidirectional=True)),
    ("GRU", dict(batch_first=True)),
]


def _pair(name, kw, torch):
    ours = getattr(cr.nn, name)(3, 4, dtype=np.float64, **kw)
    theirs = getattr(torch.nn, name)(3, 4, dtype=torch.float64, **kw)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    with torch.no_grad():
        for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert p.shape == tuple(q.shape)
            q.copy_(torch.tensor(p.numpy()))
    return ours, theirs


@pytest.mark.parametrize("name,kw", CONFIGS)
def test_recurrent_layers_match_torch(name, kw):
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(name, kw, torch)
    x = rng.normal(size=(2, 5, 3) if kw.get("batch_first") else (5, 2, 3))
    a, b = cr.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (out, hidden), (expected, expected_hidden) = ours(a), theirs(b)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    if name == "LSTM":
        hidden, expected_hidden = hidden[1], expected_hidden[1]  # the cell state
    np.testing.assert_allclose(hidden.numpy(), expected_hidden.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = rng.normal(size=out.shape)
    ((out * cr.tensor(seed)).sum() + hidden.sum()).backward()
    ((expected * torch.tensor(seed)).sum() + expected_hidden.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-9, atol=1e-12)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=n)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(name, {}, torch)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    hx = (cr.tensor(h), cr.tensor(h * 0.5)) if name == "LSTMCell" else cr.tensor(h)
    thx = (torch.tensor(h), torch.tensor(h * 0.5)) if name == "LSTMCell" else torch.tensor(h)
    out, expected = ours(cr.tensor(x), hx), theirs(torch.tensor(x), thx)
    if name == "LSTMCell":
        out, expected = out[1], expected[1]
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    unbatched = ours(cr.tensor(x[0]))
    assert (unbatched[0] if name == "LSTMCell" else unbatched).shape == (4,)


def test_gru_gradcheck_and_hidden_state_input():
    gru = cr.nn.GRU(2, 3, dtype=np.float64)
    h0 = rng.normal(size=(1, 4, 3))
    assert cr.gradcheck(lambda x, h: gru(x, h)[0], rng.normal(size=(3, 4, 2)), h0, modes=("rev", "fwd"))
    lstm = cr.nn.LSTM(2, 3, dtype=np.float64)
    out, (h, c) = lstm(cr.tensor(rng.normal(size=(3, 2))))  # unbatched
    assert out.shape == (3, 3) and h.shape == (1, 3)
    with pytest.raises(cr.ChainruleError, match="pair"):
        lstm(cr.ones((3, 1, 2)), cr.zeros((1, 1, 3)))
