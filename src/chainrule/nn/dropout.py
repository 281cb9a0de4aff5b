"""Dropout: random zeros while training, the identity in eval mode."""

from __future__ import annotations

from .functional_layers import dropout
from .module import Module


class Dropout(Module):
    """Zero each entry with probability p while training (the rest scaled by 1/(1-p)); identity after eval().

    Example:
        >>> import chainrule as cr
        >>> drop = cr.nn.Dropout(0.5).eval()
        >>> drop(cr.ones(4)).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, x):
        return dropout(x, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([Dropout], "nn.")
