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


class Node:
    __slots__ = ("op", "inputs", "params", "versions", "origin")

    def __init__(self, op, inputs, params, versions, origin=None):
        self.op = op
        self.inputs = inputs  # None once a backward pass has freed the graph
        self.params = params
        self.versions = versions  # inputs' version counters when recorded
        self.origin = origin  # user source line, kept only under detect_anomaly

    def __repr__(self):
        return f"<Node {self.op.name}>"
