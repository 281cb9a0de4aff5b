"""Flatten and Unflatten: reshape layers."""

from __future__ import annotations

from .. import ops
from .module import Module


class Flatten(Module):
    """Merge axes start_dim..end_dim (by default all but the batch axis).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Flatten()(cr.ones((2, 3, 4))).shape
        (2, 12)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return ops.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis `dim` into `unflattened_size`.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Unflatten(1, (3, 4))(cr.ones((2, 12))).shape
        (2, 3, 4)
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        shape = tuple(x.shape)
        dim = self.dim % len(shape)
        return ops.reshape(x, shape[:dim] + self.unflattened_size + shape[dim + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([Flatten, Unflatten], "nn.")
