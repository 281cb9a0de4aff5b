"""Test cases and references for the loss derivative ops (ops/nn_ops.py): softmax_cross_entropy_backward.

The reference is the textbook adjoint written out: g (shared out as the reduction shares it) times
softmax(z) - onehot(y), with the softmax and the one-hot computed the obvious way.
"""

import numpy as np

from op_specs import sample


def xent_backward_reference(g, z, y, reduction="none"):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    onehot = (y[..., None] == np.arange(z.shape[-1])).astype(z.dtype)
    direction = e / e.sum(axis=-1, keepdims=True) - onehot
    if reduction == "none":
        return g[..., None] * direction
    return (g / max(y.size, 1) if reduction == "mean" else g) * direction


_Y2 = np.array([0, 3, 1, 1, 2])
_Y3 = np.array([[0, 1, 2], [3, 3, 0]])

CASES = {
    "softmax_cross_entropy_backward": [
        ((sample((5,)), sample((5, 4)), _Y2), {}),
        ((sample((2, 3)), sample((2, 3, 4)), _Y3), {"reduction": "none"}),
        ((sample(()), sample((5, 4)), _Y2), {"reduction": "mean"}),
        ((sample(()), sample((2, 3, 4)), _Y3), {"reduction": "sum"}),
        ((sample(()), sample((1, 4)), np.array([2])), {"reduction": "mean"}),
        ((sample(()), sample((4,)), np.array(1)), {"reduction": "mean"}),
    ],
}

REFERENCE = {"softmax_cross_entropy_backward": xent_backward_reference}
