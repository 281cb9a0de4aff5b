"""Walking the recorded graph without recursion.

Trace tables, graph drawings and the planning step of a reverse sweep need
the tensors an output depends on, each listed before the tensors it was
computed from (the sweep itself discovers the graph as it goes, see
reverse.py). Recursion would hit Python's limit on long chains, so the walk
keeps its own stack (graphs of any depth work), then orders what it found by
creation: each Node is numbered when recorded, and an op's output is always
numbered after its inputs' Nodes.
"""

from __future__ import annotations

from operator import attrgetter

from .tensor import Tensor


def topological_order(roots, stop=frozenset(), only_requiring_grad=True):
    """Tensors reachable from `roots`, every tensor before all of its inputs.

    `stop` holds ids of tensors whose inputs are not followed (a transform's
    own inputs: the walk must not wander into the caller's graph).

    Example:
        >>> import chainrule as cr
        >>> x = cr.tensor(1.0, requires_grad=True)
        >>> y = cr.exp(x) * x
        >>> [t.shape for t in cr.core.graph.topological_order([y])]
        [(), (), ()]
    """
    seen = set()
    made_by_ops, leaves = [], []
    stack = list(roots)
    while stack:
        t = stack.pop()
        key = id(t)
        if key in seen:
            continue
        seen.add(key)
        node = t._node
        if node is None:
            leaves.append(t)
            continue
        made_by_ops.append(t)
        if node.inputs is None or key in stop:
            continue
        for x in node.inputs:
            if isinstance(x, Tensor) and (x._rg or not only_requiring_grad) and id(x) not in seen:
                stack.append(x)
    # A tensor is always created after its inputs, so newest-first is a
    # topological order: every tensor comes before all of its inputs. Leaves
    # have no inputs, so they can all go last.
    made_by_ops.sort(key=_creation_index, reverse=True)
    return made_by_ops + leaves


_creation_index = attrgetter("_node.index")


def leading_to(order, target_ids):
    """Ids of the tensors in `order` from which some target can be reached."""
    reaches = set(target_ids)
    for t in reversed(order):  # inputs before outputs
        node = t._node
        if node is None or node.inputs is None or id(t) in reaches:
            continue
        for x in node.inputs:  # (a constant input is alive, as every tensor counted is: its id is none of theirs)
            if id(x) in reaches:
                reaches.add(id(t))
                break
    return reaches
