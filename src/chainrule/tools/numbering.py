"""One numbering of a computation's values, shared by traces, graph pictures and the explainer.

The notes number the n inputs v_{1-n} ... v_0 and the intermediates v_1,
v_2, ... in a topological order. Two orders are offered:

- "evaluation": the order the program computed them (creation order);
- "depth": level by level, as seed 002 numbers f(x1, x2) = ln x1 + x1 x2 - sin x2:
  first every op on the inputs alone (ln, ×, sin), then the ops using those, ...;
  within a level, evaluation order.

Both are topological orders, so a reverse sweep may visit the values in
reverse numbering order.
"""

from __future__ import annotations

from ..core.errors import ChainruleError
from ..core.graph import topological_order
from ..core.tensor import Tensor

ORDERS = ("evaluation", "depth")


def number_values(inputs, output, order="evaluation"):
    """(labels, made): labels maps id(tensor) to 'v_k'; made lists op results in numbering order.

    Only values computed from `inputs` (tensors that require grad) are numbered.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.tools.numbering import number_values
        >>> x1, x2 = cr.tensor(2.0, requires_grad=True), cr.tensor(5.0, requires_grad=True)
        >>> y = cr.log(x1) + x1 * x2 - cr.sin(x2)
        >>> labels, made = number_values([x1, x2], y, order="depth")
        >>> [t._node.op.name for t in made]
        ['log', 'mul', 'sin', 'add', 'sub']
    """
    if order not in ORDERS:
        raise ChainruleError(f"order={order!r}: use one of {', '.join(ORDERS)}")
    n = len(inputs)
    labels = {id(x): f"v_{i - n + 1}" for i, x in enumerate(inputs)}
    made = [t for t in topological_order([output]) if t._node is not None and id(t) not in labels]
    made.sort(key=lambda t: t._node.index)
    if order == "depth":
        level = {id(x): 0 for x in inputs}
        for t in made:  # creation order: inputs are levelled before the ops that use them
            level[id(t)] = 1 + max([level.get(id(a), 0) for a in t._node.inputs or () if isinstance(a, Tensor)]
                                   + [0])
        made.sort(key=lambda t: level[id(t)])  # stable: evaluation order within a level
    for k, t in enumerate(made, start=1):
        labels[id(t)] = f"v_{k}"
    return labels, made


def output_name(input_names):
    """What to call the function's value: 'y', unless an input is already called y.

    Example:
        >>> from chainrule.tools.numbering import output_name
        >>> output_name(["x1", "x2"]), output_name(["x", "y"])
        ('y', 'f')
    """
    for name in ("y", "f", "out", "result"):
        if name not in input_names:
            return name
    return "y_out"
