"""Functional forms of layers, with PyTorch's signatures (re-exported by nn.functional).

Variances here are the biased (population) ones normalisation uses, written
out as mean((x - mean)²) so they do not depend on `var`'s default.
"""

from __future__ import annotations

import numpy as np

from .. import creation, ops
from ..batching import BatchedValueError, drawn_for
from ..core.backend import as_array, like
from ..core.errors import ChainruleError
from ..core.tensor import Tensor, array_of
from ..ops._util import constant_like, every_value, is_stand_in, value_of
from ..ops.gather import gather, wrapped
from ..ops.shape import scatter_add


def linear(input, weight, bias=None):
    """x Wᵀ + b, W of shape (out_features, in_features), as torch.nn.functional.linear.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.linear(cr.ones((2, 3)), cr.ones((4, 3))).shape
        (2, 4)
    """
    return ops.linear(input, weight) if bias is None else ops.linear(input, weight, bias)


def _softmax_axis(name, dim, axis):
    if dim is not None and axis is not None and dim != axis:
        raise ChainruleError(f"{name}: give dim (PyTorch) or axis (NumPy), not both")
    return dim if dim is not None else (axis if axis is not None else -1)


def softmax(input, dim=None, _stacklevel=3, dtype=None, *, axis=None):
    """exp(x) / Σ exp(x) along `dim` (PyTorch's keyword; NumPy's axis= too), stable.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.softmax(cr.zeros((1, 2)), dim=1).tolist()
        [[0.5, 0.5]]
    """
    x = input if dtype is None else input.astype(dtype)
    return ops.softmax(x, axis=_softmax_axis("softmax", dim, axis))


def log_softmax(input, dim=None, _stacklevel=3, dtype=None, *, axis=None):
    """log softmax along `dim` (PyTorch's keyword; NumPy's axis= too), stable.

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.functional.log_softmax(cr.zeros(2), dim=0).tolist()[0], 6)
        -0.693147
    """
    x = input if dtype is None else input.astype(dtype)
    return ops.log_softmax(x, axis=_softmax_axis("log_softmax", dim, axis))


def relu(input, inplace=False):
    """max(0, x), derivative 0 at 0; `inplace` is accepted and the result is a new tensor.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.relu(cr.tensor([-1.0, 2.0]), inplace=True).tolist()
        [0.0, 2.0]
    """
    return ops.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0 else negative_slope·x; `inplace` is accepted and the result is a new tensor.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.leaky_relu(cr.tensor([-1.0, 2.0]), 0.1)
        tensor([-0.1,  2. ])
    """
    return ops.leaky_relu(input, negative_slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0 else α(eˣ - 1); `inplace` is accepted and the result is a new tensor.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.elu(cr.tensor([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return ops.elu(input, alpha=alpha)


def _generator(generator):
    """A NumPy Generator from `generator=` (a chainrule Generator, a NumPy one, or None: the global one)."""
    if generator is None:
        return creation.default_rng()
    return getattr(generator, "rng", generator)


def dropout(input, p=0.5, training=True, inplace=False, generator=None):
    """Zero each entry with probability p and scale the rest by 1/(1-p) while training; identity otherwise.

    Example:
        >>> import chainrule as cr
        >>> x = cr.ones(1000)
        >>> cr.nn.functional.dropout(x, 0.5, training=False) is x
        True
        >>> y = cr.nn.functional.dropout(x, 0.5)
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    x = value_of(input)
    if p == 1.0:
        return input * constant_like(np.zeros(x.shape), input)
    rng = _generator(generator)
    # the kept entries' scale 1/(1-p), else 0; under vmap one draw per example or one for all, as it asks
    scale = drawn_for(input, lambda shape: ((rng.random(shape) >= p) / (1.0 - p)).astype(x.dtype), "dropout")
    return input * (scale if isinstance(scale, Tensor) else constant_like(scale, input))


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of `weight` picked by the integer `input`; the row `padding_idx` gets no gradient.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.nn.functional.embedding(np.array([[0, 2]]), cr.eye(3)).shape
        (1, 2, 3)
    """
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not supported")
    idx = as_array(every_value(input))  # (under vmap, every example's: checked here)
    if idx.dtype.kind not in "iu":
        raise ChainruleError(f"embedding needs integer indices, got dtype {idx.dtype}")
    rows = array_of(weight).shape[0]  # (one example's shape, for a vmap stand-in)
    if idx.size and (idx.min() < -rows or idx.max() >= rows):
        raise IndexError(f"embedding: index {idx.max() if idx.max() >= rows else idx.min()} is out of range "
                         f"for {rows} rows")
    if is_stand_in(input):  # per-example indices under vmap: the pick is an op with the indices as its input
        picked = gather(weight, input)
        if padding_idx is None:
            return picked
        padded = ops.expand_dims(ops.equal(wrapped(input, rows), padding_idx % rows), -1)
        return ops.where(padded, picked.detach(), picked)
    picked = ops.index(weight, idx)
    if padding_idx is None:
        return picked
    padding_idx = padding_idx % rows
    padded = np.expand_dims(idx % rows == padding_idx, -1)
    frozen = picked.detach() if isinstance(picked, Tensor) else picked
    return ops.where(padded, frozen, picked)  # same values; no gradient flows into the padding row


def one_hot(tensor, num_classes=-1):
    """Integer classes as one-hot int64 rows (num_classes=-1: one more than the largest class).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.nn.functional.one_hot(np.array([0, 2])).tolist()
        [[1, 0, 0], [0, 0, 1]]
    """
    idx = as_array(every_value(tensor))  # (under vmap, every example's: num_classes is the batch's)
    if idx.dtype.kind not in "iu":
        raise ChainruleError(f"one_hot is only applicable to index tensors, got dtype {idx.dtype}")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        raise ChainruleError(f"one_hot: classes must lie in [0, {num_classes}), got {idx.min()}..{idx.max()}")
    eye = np.eye(num_classes, dtype=np.int64, like=like(idx))
    if is_stand_in(tensor):  # per-example classes under vmap: rows of the identity picked by an op
        return gather(eye, tensor)
    return Tensor(eye[idx])


def _normalize(x, axes, eps):
    mean = ops.mean(x, axis=axes, keepdims=True)
    centred = x - mean
    var = ops.mean(centred * centred, axis=axes, keepdims=True)
    return centred / ops.sqrt(var + eps), value_of(mean), value_of(var)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel (axis 1) by the batch statistics (training) or the running ones.

    While training, the running statistics are updated in place as PyTorch:
    running = (1 - momentum)·running + momentum·batch, with the unbiased batch
    variance. (BatchNorm modules turn momentum=None into the cumulative average.)

    Example:
        >>> import numpy as np, chainrule as cr
        >>> x = cr.tensor([[1.0], [3.0]])
        >>> mean, var = np.zeros(1), np.ones(1)
        >>> cr.nn.functional.batch_norm(x, mean, var, training=True)
        tensor([[-0.999995],
                [ 0.999995]])
        >>> mean.tolist(), var.tolist()
        ([0.2], [1.1])
    """
    x_shape = value_of(input).shape
    if len(x_shape) < 2:
        raise ChainruleError(f"batch_norm needs a (N, C, ...) input, got shape {x_shape}")
    shape = (1, x_shape[1]) + (1,) * (len(x_shape) - 2)
    axes = (0,) + tuple(range(2, len(x_shape)))
    if training:
        count = int(np.prod([x_shape[a] for a in axes]))
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {x_shape}")
        out, mean, var = _normalize(input, axes, eps)
        if is_stand_in(mean) and (running_mean is not None or running_var is not None):
            # (torch.func refuses it too: one buffer cannot take every example's statistics)
            raise BatchedValueError("batch_norm while training under vmap would update its running statistics "
                                    "with every example's batch statistics at once; build the layer with "
                                    "track_running_stats=False (or pass running_mean=None, running_var=None), "
                                    "or call model.eval()")
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(-1), momentum)
        if running_var is not None:
            _update_running(running_var, var.reshape(-1) * count / (count - 1), momentum)
    else:
        if running_mean is None or running_var is None:
            raise ChainruleError("batch_norm in evaluation mode needs running_mean and running_var")
        mean = constant_like(np.reshape(value_of(running_mean), shape), input)
        var = constant_like(np.reshape(value_of(running_var), shape), input)
        out = (input - mean) / ops.sqrt(var + eps)
    if weight is not None:
        out = out * ops.reshape(weight, shape)
    if bias is not None:
        out = out + ops.reshape(bias, shape)
    return out


def _update_running(buffer, batch, momentum):
    array = value_of(buffer)  # in place: the module's buffer (or the caller's array) is the running statistic
    array *= 1 - momentum
    array += momentum * batch.astype(array.dtype, copy=False)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last len(normalized_shape) axes, then scale by weight and shift by bias.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.layer_norm(cr.tensor([[1.0, 3.0]]), (2,))
        tensor([[-0.999995,  0.999995]])
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x_shape = value_of(input).shape
    if tuple(x_shape[len(x_shape) - len(shape):]) != shape:
        raise ChainruleError(f"layer_norm: normalized_shape {shape} does not end the input shape {x_shape}")
    axes = tuple(range(len(x_shape) - len(shape), len(x_shape)))
    out = _normalize(input, axes, eps)[0]
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def normalize(input, p=2.0, dim=1, eps=1e-12):
    """x / max(‖x‖_p, eps) along `dim`.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.normalize(cr.tensor([[3.0, 4.0]]))
        tensor([[0.6, 0.8]])
    """
    norm = ops.sum(ops.abs(input) ** p, axis=dim, keepdims=True) ** (1.0 / p)
    return input / ops.maximum(norm, eps)


def pad(input, pad, mode="constant", value=0.0):
    """Pad the last len(pad)/2 axes by (before, after) pairs, last axis first, as torch.nn.functional.pad.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.functional.pad(cr.ones((1, 2)), (1, 2)).tolist()
        [[0.0, 1.0, 1.0, 0.0, 0.0]]
    """
    if mode != "constant":
        raise NotImplementedError(f"pad: only mode='constant' is supported, got {mode!r}")
    pad = tuple(int(p) for p in pad)
    x_shape = value_of(input).shape
    if len(pad) % 2 or len(pad) // 2 > len(x_shape):
        raise ChainruleError(f"pad: {pad} needs an even length of at most 2·{len(x_shape)}")
    if min(pad, default=0) < 0:
        raise NotImplementedError("pad: negative padding (cropping) is not supported; index instead")
    pairs = [(0, 0)] * len(x_shape)
    for i in range(len(pad) // 2):
        pairs[len(x_shape) - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    shape = tuple(n + a + b for n, (a, b) in zip(x_shape, pairs))
    index = tuple(slice(a, a + n) for n, (a, _) in zip(x_shape, pairs))
    out = scatter_add(input, index=index, shape=shape)
    if value:
        border = np.full(shape, float(value))
        border[index] = 0.0
        out = out + constant_like(border, input)
    return out


from .._keywords import explain_keywords  # noqa: E402  (wraps the functions above)

explain_keywords(globals(), ["linear", "relu", "leaky_relu", "elu", "softmax", "log_softmax", "dropout", "embedding",
                             "one_hot", "batch_norm", "layer_norm", "normalize", "pad"], "nn.functional.")
