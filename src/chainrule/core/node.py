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
# the node saved it. Shared with Op.__call__, which creates nodes inline.
clock = itertools.count(1)


class Node:
    # `saved` is set only for ops declared with saves=True and `origin` only
    # under detect_anomaly: the recording hot path skips both stores.
    __slots__ = ("op", "inputs", "arrays", "params", "index", "saved", "origin")

    def __init__(self, op, inputs, arrays, params):
        self.op = op
        self.inputs = inputs  # None once a backward pass has freed the graph
        self.arrays = arrays  # the inputs' arrays (constants as given), for rules run on arrays
        self.params = params
        self.index = next(clock)  # creation order: a topological order of the graph
        self.saved = None  # a residual the forward pass handed on (defop(saves=True)), for array-mode rules
        self.origin = None  # user source line, kept only under detect_anomaly

    def __repr__(self):
        return f"<Node {self.op.name}>"


def origin(node):
    """The user source line that recorded `node`, or None outside detect_anomaly."""
    return getattr(node, "origin", None)
