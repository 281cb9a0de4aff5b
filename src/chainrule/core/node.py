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

numbering = itertools.count()  # shared with Op.__call__, which creates nodes inline


class Node:
    __slots__ = ("op", "inputs", "arrays", "params", "saved", "mutations", "origin", "index")

    def __init__(self, op, inputs, arrays, params, mutations):
        self.op = op
        self.inputs = inputs  # None once a backward pass has freed the graph
        self.arrays = arrays  # the inputs' arrays (constants as given), for rules run on arrays
        self.params = params
        self.saved = None  # a residual the forward pass handed on (defop(saves=True)), for array-mode rules
        # The global in-place counter when recorded: an input whose _version
        # (the counter at its last in-place change) is larger changed since.
        self.mutations = mutations
        self.origin = None  # user source line, kept only under detect_anomaly
        self.index = next(numbering)  # creation order: a topological order of the graph

    def __repr__(self):
        return f"<Node {self.op.name}>"

