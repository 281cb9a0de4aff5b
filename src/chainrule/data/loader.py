"""Minibatches from arrays or tuples of arrays."""

from __future__ import annotations

import numpy as np

from ..core import backend
from ..core.errors import ChainruleError


class DataLoader:
    """Iterate over minibatches of `data` (an array, or a tuple of arrays of equal length).

    With `shuffle=True` each pass draws a new order from a Generator seeded
    by `seed`, so runs repeat exactly. `drop_last` drops a short final batch.

    Example:
        >>> import numpy as np
        >>> from chainrule.data import DataLoader
        >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
        >>> [b[1].tolist() for b in DataLoader((X, y), batch_size=2)]
        [[0, 1], [2, 3], [4]]
    """

    def __init__(self, data, batch_size=32, shuffle=False, seed=None, drop_last=False):
        self.is_tuple = isinstance(data, (tuple, list))
        self.arrays = [backend.as_array(a) for a in (data if self.is_tuple else (data,))]  # a GPU array stays one
        lengths = {len(a) for a in self.arrays}
        if len(lengths) != 1:
            raise ChainruleError(f"DataLoader arrays have different lengths {sorted(lengths)}")
        if int(batch_size) < 1:
            raise ChainruleError(f"batch_size must be at least 1, got {batch_size}")
        self.n = lengths.pop()
        self.batch_size, self.shuffle, self.drop_last = int(batch_size), shuffle, drop_last
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        full, rest = divmod(self.n, self.batch_size)
        return full if (self.drop_last or not rest) else full + 1

    def __iter__(self):
        order = self.rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        for k in range(len(self)):
            idx = order[k * self.batch_size:(k + 1) * self.batch_size]
            batch = tuple(a[idx] for a in self.arrays)
            yield batch if self.is_tuple else batch[0]

