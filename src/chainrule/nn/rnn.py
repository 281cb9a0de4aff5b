"""Recurrent layers with PyTorch's parameters, gate order and shapes: RNN, LSTM, GRU and their cells.

The input projection x·W_ihᵀ + b_ih of every time step is one matrix
product; only the recurrent part h·W_hhᵀ + b_hh runs step by step.
Gates, as PyTorch:

    RNN:  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)                (or relu)
    LSTM: i, f, g, o = σ, σ, tanh, σ of the four row blocks;  c' = f·c + i·g;  h' = o·tanh(c')
    GRU:  r, z = σ(blocks 1, 2);  n = tanh(x_n + r·(W_hn h + b_hn));  h' = (1 - z)·n + z·h
"""

from __future__ import annotations

import math

import numpy as np

from .. import ops
from ..core import backend
from ..core.errors import ChainruleError
from ..core.tensor import Tensor
from ._defaults import uniform
from .functional_layers import dropout
from .module import Module, Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _split(x, parts):
    """x's last axis in `parts` equal blocks."""
    return ops.split(x, parts, axis=-1)


def _rnn_step(mode, xw, h, c, w_hh, b_hh):
    """One time step from the projected input xw = x W_ihᵀ + b_ih; returns (h', c')."""
    hw = ops.linear(h, w_hh) if b_hh is None else ops.linear(h, w_hh, b_hh)
    if mode == "RNN_TANH":
        return ops.tanh(xw + hw), None
    if mode == "RNN_RELU":
        return ops.relu(xw + hw), None
    if mode == "LSTM":
        i, f, g, o = _split(xw + hw, 4)
        c = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)
        return ops.sigmoid(o) * ops.tanh(c), c
    xr, xz, xn = _split(xw, 3)
    hr, hz, hn = _split(hw, 3)
    r, z = ops.sigmoid(xr + hr), ops.sigmoid(xz + hz)
    n = ops.tanh(xn + r * hn)
    return (1 - z) * n + z * h, None


class _RNNBase(Module):
    _mode = "RNN_TANH"

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, rng=None, _mode=None):
        super().__init__()
        if _mode is not None:
            object.__setattr__(self, "_mode", _mode)
        if not 0 <= dropout <= 1:
            raise ValueError(f"dropout should be a number in range [0, 1], got {dropout}")
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError("hidden_size and num_layers must be positive")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, float(dropout), bidirectional
        gates = _GATES[self._mode] * hidden_size
        bound = 1.0 / math.sqrt(hidden_size)  # PyTorch: every weight and bias from U(±1/√hidden)
        directions = 2 if bidirectional else 1
        for layer in range(num_layers):
            for suffix in ["", "_reverse"][:directions]:
                n_in = input_size if layer == 0 else hidden_size * directions
                draw = lambda shape: Parameter(uniform(shape, bound, dtype, rng))  # noqa: E731
                setattr(self, f"weight_ih_l{layer}{suffix}", draw((gates, n_in)))
                setattr(self, f"weight_hh_l{layer}{suffix}", draw((gates, hidden_size)))
                if bias:
                    setattr(self, f"bias_ih_l{layer}{suffix}", draw((gates,)))
                    setattr(self, f"bias_hh_l{layer}{suffix}", draw((gates,)))
        self._place(device)

    def _weights(self, layer, suffix):
        get = lambda name: getattr(self, f"{name}_l{layer}{suffix}", None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _initial(self, hx, batch, like):
        directions = 2 if self.bidirectional else 1
        shape = (self.num_layers * directions, batch, self.hidden_size)
        dtype = self.weight_ih_l0.dtype
        if hx is None:
            zeros = Tensor(np.zeros(shape, dtype, like=backend.like(self.weight_ih_l0._data)))  # on the model's device
            return (zeros, zeros) if self._mode == "LSTM" else (zeros, None)
        if self._mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise ChainruleError("LSTM takes hx as a pair (h_0, c_0)")
            return hx[0], hx[1]
        return hx, None

    def forward(self, input, hx=None):
        x = input
        nd = np.ndim(x._data if isinstance(x, Tensor) else x)
        if nd not in (2, 3):
            raise ValueError(f"{type(self).__name__}: expected input to be 2D or 3D, got {nd}D instead")
        unbatched = nd == 2
        if unbatched:
            x = ops.expand_dims(x, 1)
            if hx is not None:
                hx = tuple(ops.expand_dims(h, 1) for h in hx) if self._mode == "LSTM" else ops.expand_dims(hx, 1)
        elif self.batch_first:
            x = ops.swapaxes(x, 0, 1)  # (time, batch, features) inside
        steps, batch = x.shape[0], x.shape[1]
        h0, c0 = self._initial(hx, batch, x)
        directions = 2 if self.bidirectional else 1
        last_h, last_c = [], []
        for layer in range(self.num_layers):
            outputs = []
            for d, suffix in enumerate(["", "_reverse"][:directions]):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, suffix)
                xw = ops.linear(x, w_ih) if b_ih is None else ops.linear(x, w_ih, b_ih)  # every step at once
                k = layer * directions + d
                h = ops.index(h0, k)
                c = ops.index(c0, k) if c0 is not None else None
                seq = [None] * steps
                for t in (range(steps - 1, -1, -1) if d else range(steps)):
                    h, c = _rnn_step(self._mode, ops.index(xw, t), h, c, w_hh, b_hh)
                    seq[t] = h
                outputs.append(ops.stack(seq, axis=0))
                last_h.append(h)
                last_c.append(c)
            x = outputs[0] if directions == 1 else ops.concatenate(outputs, axis=-1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = dropout(x, self.dropout, True)
        h_n = ops.stack(last_h, axis=0)
        c_n = ops.stack(last_c, axis=0) if self._mode == "LSTM" else None
        if unbatched:
            x, h_n = ops.squeeze(x, 1), ops.squeeze(h_n, 1)
            c_n = ops.squeeze(c_n, 1) if c_n is not None else None
        elif self.batch_first:
            x = ops.swapaxes(x, 0, 1)
        return (x, (h_n, c_n)) if self._mode == "LSTM" else (x, h_n)

    def extra_repr(self):
        extra = "".join(f", {k}={getattr(self, k)}" for k in ("num_layers", "batch_first", "dropout", "bidirectional")
                        if getattr(self, k) not in (1, False, 0.0))
        return f"{self.input_size}, {self.hidden_size}{extra}"


class RNN(_RNNBase):
    """Elman RNN, h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (nonlinearity='relu' for relu), as torch.nn.RNN.

    Input (L, N, H_in), or (N, L, H_in) with batch_first, or unbatched (L, H_in); returns (output, h_n).

    Example:
        >>> import chainrule as cr
        >>> out, h = cr.nn.RNN(3, 5, num_layers=2, batch_first=True)(cr.ones((4, 7, 3)))
        >>> out.shape, h.shape
        ((4, 7, 5), (2, 4, 5))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device, dtype, rng, _mode="RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU")
        self.nonlinearity = nonlinearity


class LSTM(_RNNBase):
    """Long short-term memory, gates (i, f, g, o) as torch.nn.LSTM; returns (output, (h_n, c_n)).

    Example:
        >>> import chainrule as cr
        >>> out, (h, c) = cr.nn.LSTM(3, 5)(cr.ones((7, 4, 3)))
        >>> out.shape, h.shape, c.shape
        ((7, 4, 5), (1, 4, 5), (1, 4, 5))
    """

    _mode = "LSTM"


class GRU(_RNNBase):
    """Gated recurrent unit, gates (r, z, n) as torch.nn.GRU; returns (output, h_n).

    Example:
        >>> import chainrule as cr
        >>> out, h = cr.nn.GRU(3, 5, bidirectional=True)(cr.ones((7, 4, 3)))
        >>> out.shape, h.shape
        ((7, 4, 10), (2, 4, 5))
    """

    _mode = "GRU"


class _CellBase(Module):
    _mode = "RNN_TANH"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None, rng=None, _mode=None):
        super().__init__()
        if _mode is not None:
            object.__setattr__(self, "_mode", _mode)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gates = _GATES[self._mode] * hidden_size
        bound = 1.0 / math.sqrt(hidden_size)
        self.weight_ih = Parameter(uniform((gates, input_size), bound, dtype, rng))
        self.weight_hh = Parameter(uniform((gates, hidden_size), bound, dtype, rng))
        self.bias_ih = Parameter(uniform((gates,), bound, dtype, rng)) if bias else None
        self.bias_hh = Parameter(uniform((gates,), bound, dtype, rng)) if bias else None
        self._place(device)

    def forward(self, input, hx=None):
        x = input
        unbatched = np.ndim(x._data if isinstance(x, Tensor) else x) == 1
        if unbatched:
            x = ops.expand_dims(x, 0)
        weight = self.weight_ih._data
        zeros = Tensor(np.zeros((x.shape[0], self.hidden_size), weight.dtype, like=backend.like(weight)))
        if self._mode == "LSTM":
            h, c = (zeros, zeros) if hx is None else hx
            if unbatched and hx is not None:
                h, c = ops.expand_dims(h, 0), ops.expand_dims(c, 0)
        else:
            h, c = (zeros if hx is None else (ops.expand_dims(hx, 0) if unbatched else hx)), None
        xw = ops.linear(x, self.weight_ih) if self.bias_ih is None else ops.linear(x, self.weight_ih, self.bias_ih)
        h, c = _rnn_step(self._mode, xw, h, c, self.weight_hh, self.bias_hh)
        if unbatched:
            h = ops.squeeze(h, 0)
            c = ops.squeeze(c, 0) if c is not None else None
        return (h, c) if self._mode == "LSTM" else h

    def extra_repr(self):
        return f"{self.input_size}, {self.hidden_size}"


class RNNCell(_CellBase):
    """One step of an Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.RNNCell(3, 5)(cr.ones((4, 3))).shape
        (4, 5)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None, rng=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, device, dtype, rng,
                         _mode="RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU")
        self.nonlinearity = nonlinearity


class LSTMCell(_CellBase):
    """One LSTM step; returns (h', c').

    Example:
        >>> import chainrule as cr
        >>> h, c = cr.nn.LSTMCell(3, 5)(cr.ones((4, 3)))
        >>> h.shape, c.shape
        ((4, 5), (4, 5))
    """

    _mode = "LSTM"


class GRUCell(_CellBase):
    """One GRU step.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.GRUCell(3, 5)(cr.ones(3)).shape
        (5,)
    """

    _mode = "GRU"


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell], "nn.")
