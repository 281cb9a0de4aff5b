"""torch.utils.data: datasets, samplers of minibatches, and the DataLoader that collates them.

A TensorDataset read without a custom `collate_fn` is batched by indexing
its tensors once per batch (no Python loop over the examples), so a loader
costs no more than slicing arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .. import creation
from ..core.errors import ChainruleError
from ..core.tensor import Tensor


class Dataset:
    """Base class of map-style datasets: define __getitem__(i) and __len__().

    Example:
        >>> from chainrule.utils.data import Dataset
        >>> class Squares(Dataset):
        ...     def __len__(self): return 4
        ...     def __getitem__(self, i): return i * i
        >>> len(Squares() + Squares())
        8
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class TensorDataset(Dataset):
    """Examples are the rows of tensors (or arrays) of equal first dimension, as tuples.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.utils.data import TensorDataset
        >>> ds = TensorDataset(cr.zeros((5, 2)), cr.arange(5.0))
        >>> len(ds), ds[3][1].item()
        (5, 3.0)
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ChainruleError("TensorDataset needs at least one tensor")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(np.asarray(t)) for t in tensors)
        sizes = {t.shape[0] if t.ndim else None for t in self.tensors}
        if len(sizes) != 1 or None in sizes:
            raise ChainruleError("Size mismatch between tensors: first dimensions "
                                 f"{[t.shape[:1] for t in self.tensors]}")

    def __getitem__(self, index):
        return tuple(Tensor._wrap(t._data[index]) for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The examples of `dataset` at `indices`.

    Example:
        >>> from chainrule.utils.data import Subset
        >>> Subset(list("abcde"), [4, 0])[0]
        'e'
    """

    def __init__(self, dataset, indices):
        self.dataset, self.indices = dataset, list(indices)

    def __getitem__(self, index):
        if isinstance(index, (list, np.ndarray)):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)


class ConcatDataset(Dataset):
    """Datasets one after another.

    Example:
        >>> from chainrule.utils.data import ConcatDataset
        >>> ds = ConcatDataset([[1, 2], [3]])
        >>> len(ds), ds[2]
        (3, 3)
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]))

    def __len__(self):
        return int(self.cumulative_sizes[-1]) if self.cumulative_sizes else 0

    def __getitem__(self, index):
        if index < 0:
            index += len(self)
        k = int(np.searchsorted(self.cumulative_sizes, index, side="right"))
        start = int(self.cumulative_sizes[k - 1]) if k else 0
        return self.datasets[k][index - start]


def random_split(dataset, lengths, generator=None):
    """Split into non-overlapping Subsets of the given lengths (or fractions summing to 1), at random.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.utils.data import random_split
        >>> a, b = random_split(range(10), [0.8, 0.2], generator=cr.Generator().manual_seed(0))
        >>> len(a), len(b), sorted(list(a.indices) + list(b.indices)) == list(range(10))
        (8, 2, True)
    """
    n = len(dataset)
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):  # the remainder goes round-robin, as PyTorch
            counts[i % len(counts)] += 1
        lengths = counts
    if sum(lengths) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = creation._numpy_rng(generator).permutation(n).tolist()
    out, start = [], 0
    for length in lengths:
        out.append(Subset(dataset, order[start:start + length]))
        start += length
    return out


def default_collate(batch):
    """Stack a list of examples: tensors, arrays and numbers into one tensor; tuples and dicts field by field.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.utils.data import default_collate
        >>> x, y = default_collate([(cr.zeros(2), 1), (cr.ones(2), 0)])
        >>> x.shape, y.tolist()
        ((2, 2), [1, 0])
    """
    first = batch[0]
    if isinstance(first, Tensor):
        return Tensor(np.stack([b._data for b in batch]))
    if isinstance(first, (np.ndarray, np.generic, int, float, bool)) and not isinstance(first, str):
        return Tensor(np.asarray(np.stack([np.asarray(b) for b in batch])))
    if isinstance(first, Mapping):
        return {key: default_collate([b[key] for b in batch]) for key in first}
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
        return type(first)(*(default_collate(list(field)) for field in zip(*batch)))
    if isinstance(first, Sequence) and not isinstance(first, str):
        fields = [default_collate(list(field)) for field in zip(*batch)]
        return tuple(fields) if isinstance(first, tuple) else fields
    return batch


class DataLoader:
    """Minibatches of a dataset, as torch.utils.data.DataLoader (in this process: num_workers is ignored).

    `shuffle=True` draws a new order each pass from `generator` (a
    cr.Generator) or from chainrule's global generator (cr.manual_seed
    repeats it); `drop_last` drops a short final batch; `collate_fn` turns a
    list of examples into a batch (default_collate stacks them). A plain
    array or a tuple of arrays is accepted as the dataset too.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.utils.data import DataLoader, TensorDataset
        >>> ds = TensorDataset(cr.arange(10.0).reshape(5, 2), cr.arange(5.0))
        >>> [y.tolist() for _, y in DataLoader(ds, batch_size=2)]
        [[0.0, 1.0], [2.0, 3.0], [4.0]]
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device=""):
        if isinstance(dataset, (tuple, list)) and dataset and all(isinstance(a, (np.ndarray, Tensor))
                                                                   for a in dataset):
            dataset = TensorDataset(*dataset)
        elif isinstance(dataset, np.ndarray):
            dataset = TensorDataset(dataset)
        if batch_size is not None and int(batch_size) < 1:
            raise ValueError(f"batch_size should be a positive integer value, but got batch_size={batch_size}")
        if shuffle and sampler is not None:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        self.dataset, self.batch_size, self.shuffle, self.sampler = dataset, batch_size, shuffle, sampler
        self.batch_sampler, self.collate_fn, self.drop_last = batch_sampler, collate_fn, drop_last
        self.generator, self.num_workers = generator, num_workers

    def _order(self):
        if self.sampler is not None:
            return list(iter(self.sampler))
        n = len(self.dataset)
        return creation._numpy_rng(self.generator).permutation(n) if self.shuffle else np.arange(n)

    def _batches(self):
        if self.batch_sampler is not None:
            yield from (list(b) for b in self.batch_sampler)
            return
        order = self._order()
        size = self.batch_size
        for start in range(0, len(order), size):
            idx = order[start:start + size]
            if self.drop_last and len(idx) < size:
                return
            yield idx

    def __iter__(self):
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is None
        collate = self.collate_fn or default_collate
        for idx in self._batches():
            if fast:  # one fancy index per tensor instead of a list of examples
                idx = np.asarray(idx, dtype=np.int64)
                yield [Tensor._wrap(t._data[idx]) for t in self.dataset.tensors]
            else:
                yield collate([self.dataset[int(i)] for i in idx])

    def __len__(self):
        if self.batch_sampler is not None:
            return len(self.batch_sampler)
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)
        full, rest = divmod(n, self.batch_size)
        return full if (self.drop_last or not rest) else full + 1


__all__ = ["Dataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "default_collate", "DataLoader"]
