"""torch.nn.utils: gradient clipping and parameters as one flat vector."""

from __future__ import annotations

import math

import numpy as np

from ..core.backend import as_array
from ..core.errors import ChainruleError
from ..core.tensor import Tensor


def _params(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale every gradient by max_norm / total_norm when the total norm exceeds max_norm (in place).

    Returns the total norm of the gradients (before clipping) as a 0-d tensor.

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([3.0, 4.0]); w.grad = cr.tensor([3.0, 4.0])
        >>> cr.nn.utils.clip_grad_norm_([w], 1.0).item(), [round(g, 6) for g in w.grad.tolist()]
        (5.0, [0.6, 0.8])
    """
    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    if not grads:
        return Tensor(np.array(0.0))
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        total = max(float(np.abs(g._data).max()) if g._data.size else 0.0 for g in grads)
    else:
        total = sum(float(np.sum(np.abs(g._data) ** norm_type)) for g in grads) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise ChainruleError(f"the total norm of order {norm_type} of the gradients is non-finite ({total}), so "
                             "it cannot be clipped; pass error_if_nonfinite=False to clip anyway")
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g._data *= coef  # in place, as PyTorch: the .grad arrays themselves are scaled
    return Tensor(np.array(total))


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clip every gradient entry to [-clip_value, clip_value] (in place).

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0, 1.0]); w.grad = cr.tensor([-3.0, 0.5])
        >>> cr.nn.utils.clip_grad_value_([w], 1.0); w.grad.tolist()
        [-1.0, 0.5]
    """
    for p in _params(parameters):
        if p.grad is not None:
            np.clip(p.grad._data, -clip_value, clip_value, out=p.grad._data)


def parameters_to_vector(parameters):
    """Every parameter's values, flattened and concatenated (a new tensor, not recorded).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.utils.parameters_to_vector(cr.nn.Linear(3, 2).parameters()).shape
        (8,)
    """
    return Tensor(np.concatenate([np.ravel(p._data) for p in _params(parameters)]))


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of `vec` into the parameters (in place).

    Example:
        >>> import chainrule as cr
        >>> net = cr.nn.Linear(3, 2)
        >>> cr.nn.utils.vector_to_parameters(cr.zeros(8), net.parameters()); net.bias.tolist()
        [0.0, 0.0]
    """
    values = vec._data if isinstance(vec, Tensor) else as_array(vec)
    params = _params(parameters)
    needed = sum(p._data.size for p in params)
    if values.ndim != 1 or values.size != needed:
        raise ChainruleError(f"vector_to_parameters: the parameters hold {needed} values, got a vector of shape "
                             f"{values.shape}")
    start = 0
    for p in params:
        n = p._data.size
        p.data = values[start:start + n].reshape(p.shape).astype(p.dtype)
        start += n
