"""Node: one recorded application of a primitive.

A Tensor produced while recording keeps a reference to its Node; the Node
keeps the op, the op's inputs (Tensors and constants, in call order) and its
keyword parameters (axis, shape, ...). That is the whole graph: following
`tensor._node.inputs` from the output reaches every value the output depends
on, which is what the reverse sweep, traces and drawings walk.

The Node does not point back at its output (that would be a reference
cycle); the sweep always reaches a Node through its output, so it has the
output in hand when it applies the VJP rule.
"""

from __future__ import annotations

import itertools

# One clock numbers both events the engine must order: the creation of a
# node and an in-place change of a tensor. A node's number is a topological
# order of the graph (inputs exist before the ops that use them), and an
# input whose last change has a larger number than the node changed after
# the node saved it. Read as next(clock): the builtin is quicker to call
# than the bound method clock.__next__.
clock = itertools.count(1)


class _LastChange:
    """The clock's reading at the latest in-place change of any tensor.

    A node numbered after it cannot have seen its inputs change, so the
    sweep checks versions only for nodes numbered before it.
    """

    __slots__ = ("reading",)

    def __init__(self):
        self.reading = 0


last_change = _LastChange()


class Node:
    # `saved` holds a residual of ops declared with saving_forward=, `origin`
    # the user's source line under detect_anomaly: rarely set, so they are
    # class-level defaults an instance overrides in its own (lazily made) __dict__.
    __slots__ = ("op", "inputs", "arrays", "params", "edges", "index", "__dict__")
    saved = None
    origin = None

    def __init__(self, op, inputs, arrays, params, edges=None):
        self.op = op
        self.inputs = inputs  # None once a backward pass has freed the graph
        self.arrays = arrays  # the inputs' arrays (constants as given), for rules run on arrays
        self.params = params
        # The positions of the inputs that required grad when the op ran: the
        # edges the sweep passes adjoints along (as in PyTorch, the graph is
        # fixed when recorded). Op.__call__ knows them; others let them be found.
        self.edges = differentiable_positions(inputs) if edges is None else edges
        self.index = next(clock)  # creation order: a topological order of the graph

    def __repr__(self):
        return f"<Node {self.op.name}>"


def differentiable_positions(inputs):
    """The positions of the inputs that are tensors requiring grad."""
    return tuple(i for i, x in enumerate(inputs) if getattr(x, "_rg", False))


# The edges of a node of up to three inputs, by the bit mask of those that
# require grad (bit i: input i), made once: EDGES[0b101] == (0, 2).
EDGES = tuple(tuple(i for i in range(3) if mask >> i & 1) for mask in range(8))
