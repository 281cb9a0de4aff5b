"""The arrays a plan writes gradients into that become `.grad`: new each call, as the eager sweep's are,
except when nothing outside the plan still holds the previous call's.

A `.grad` must be memory of its own, so that the next call does not overwrite an array the caller
kept. Whether anything kept it, the reference counts say exactly: this object holds each array once
(and a block once per view cut from it), and anything else holding one adds to its count. When only
this object refers to last call's arrays, the call gets them again: no allocation, no views cut out of
a block, and no fresh pages to fault in for a large gradient (an MNIST-size step's are 2 MB).
"""

from __future__ import annotations

from sys import getrefcount

import numpy as np


class FreshArrays:
    """`take()`: a tuple of new arrays, or last call's when nothing else holds any of them.

    With `block`, the tuple is (block, *views): the views, of `shapes`, lie end to end in the one
    block (SGD then scales all of them in one multiply); without, one array of each shape.

    Example:
        >>> import numpy as np
        >>> fresh = FreshArrays(np.float64, [(2,), (3,)], block=True)
        >>> block, a, b = fresh.take()
        >>> a.shape, b.shape, a.base is block
        ((2,), (3,), True)
        >>> kept = a                              # the caller keeps one: the next call gets new arrays
        >>> fresh.take()[1] is a
        False
        >>> del kept, a, b, block
        >>> first = fresh.take()[1]; del first    # nothing held: the same arrays again
        >>> fresh.take()[1] is fresh.arrays[1]
        True
    """

    def __init__(self, dtype, shapes, block=False):
        self.dtype, self.shapes, self.block = np.dtype(dtype), [tuple(s) for s in shapes], block
        self.arrays, self._free = None, None

    def take(self):
        """Last call's arrays when nothing else holds any of them, else new ones (see the class example)."""
        arrays = self.arrays
        # each count is at least what this object's own references make it, so equal sums mean all are free
        if arrays is not None and sum(map(getrefcount, arrays)) == self._free:
            return arrays
        return self._new()

    def _new(self):
        if self.block:
            sizes = [int(np.prod(s, dtype=np.int64)) for s in self.shapes]
            block = np.empty(sum(sizes), self.dtype)
            ends = np.cumsum([0] + sizes)
            self.arrays = (block, *(block[a:b].reshape(s) for a, b, s in zip(ends, ends[1:], self.shapes)))
            del block
        else:
            self.arrays = tuple(np.empty(s, self.dtype) for s in self.shapes)
        self._free = sum(map(getrefcount, self.arrays))  # counted as take() counts, with nothing else holding them
        return self.arrays
