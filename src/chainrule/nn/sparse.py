"""Embedding: a lookup table of vectors indexed by integers."""

from __future__ import annotations

import numpy as np

from .. import creation
from ._defaults import default_dtype
from .functional_layers import embedding
from .module import Module, Parameter


class Embedding(Module):
    """weight[index] for integer indices; weight (num_embeddings, embedding_dim) drawn from N(0, 1),
    the row padding_idx zero and never updated (no gradient reaches it).

    Example:
        >>> import numpy as np, chainrule as cr
        >>> emb = cr.nn.Embedding(10, 3, padding_idx=0)
        >>> emb(np.array([[1, 2], [0, 9]])).shape, emb.weight[0].tolist()
        ((2, 2, 3), [0.0, 0.0, 0.0])
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None,
                 rng=None):
        super().__init__()
        if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
            raise ValueError("padding_idx must be within num_embeddings")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.padding_idx = None if padding_idx is None else padding_idx % num_embeddings
        self.max_norm, self.scale_grad_by_freq, self.sparse = max_norm, scale_grad_by_freq, sparse
        if _weight is None:
            rng = rng if rng is not None else creation.default_rng()
            data = rng.standard_normal((num_embeddings, embedding_dim)).astype(default_dtype(dtype))
            if self.padding_idx is not None:
                data[self.padding_idx] = 0
        else:
            data = np.array(_weight.data if hasattr(_weight, "data") else _weight)
        self.weight = Parameter(data)
        if _freeze:
            self.weight.requires_grad = False
        self._place(device)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, **kwargs):
        """An Embedding holding `embeddings` (frozen unless freeze=False).

        Example:
            >>> import chainrule as cr
            >>> cr.nn.Embedding.from_pretrained(cr.eye(2)).weight.requires_grad
            False
        """
        rows, dim = np.shape(embeddings.data if hasattr(embeddings, "data") else embeddings)
        return cls(rows, dim, padding_idx=padding_idx, _weight=embeddings, _freeze=freeze, **kwargs)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm,
                         scale_grad_by_freq=self.scale_grad_by_freq, sparse=self.sparse)

    def extra_repr(self):
        return f"{self.num_embeddings}, {self.embedding_dim}" + (
            f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([Embedding], "nn.")
