"""Reverse mode: the backward pass (backpropagation) of the notes.

Visit the graph from the output back to the inputs, each tensor after every
tensor that used it. At each one, its adjoint v̄ (the derivative of the
output with respect to it) is complete, so pass it on to the inputs of the
op that made it with the op's VJP rule, v̄_i += v̄_j · ∂v_j/∂v_i, summing where
a value fans out. Broadcasting is undone here, once, for every op.
"""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np

from .engine_ops import cast, sum_to
from .errors import ChainruleError, GraphFreedError, InplaceModificationError
from .graph import leading_to, topological_order
from .modes import state
from .tensor import Tensor

ndarray = np.ndarray


def backward(root: Tensor, seed=None, retain_graph=None, create_graph=False):
    """`tensor.backward()`: accumulate d root / d leaf into every leaf's `.grad`."""
    if not root._rg:
        raise ChainruleError(
            "backward() on a tensor that does not require grad: no input of the "
            "computation had requires_grad=True (or it ran under cr.no_grad())")
    if seed is None:
        if root._data.size != 1:
            raise ChainruleError(
                f"backward() without a seed needs a single-element output, got shape {root.shape}; "
                "reduce it first (e.g. .sum()) or pass grad= of the same shape")
        data = root._data  # a 0-d loss is the usual root: np.array skips np.ones' Python wrapper
        seed = np.array(1, dtype=data.dtype) if data.ndim == 0 else np.ones(data.shape, data.dtype)
    else:
        seed = seed._data if isinstance(seed, Tensor) else np.asarray(seed, dtype=root.dtype)
        if seed.shape != root.shape:
            raise ChainruleError(f"backward(grad=...): seed has shape {seed.shape}, output has {root.shape}")
        seed = seed.copy()  # the user's array may change later; .grad must not
    retain = create_graph if retain_graph is None else retain_graph
    backward_pass([root], [seed], create_graph=create_graph, retain_graph=retain)


def backward_pass(roots, seeds, targets=None, create_graph=False, retain_graph=False, observer=None):
    """The reverse sweep from `roots` with adjoints `seeds`.

    Tensors are visited newest first: a tensor is always created after its
    inputs, so when the newest unvisited one is taken, every tensor that used
    it has passed its contribution on and its adjoint is complete. A heap
    keyed by creation number finds that tensor while the sweep discovers the
    graph, so the walk and the sort are one pass.

    With `targets` (tensors), return their adjoints and touch no `.grad`;
    the walk stops at the targets and skips branches that cannot reach them.
    Without, accumulate into the `.grad` of leaves (and retained non-leaves).
    `observer(output, argnum, input, contribution, total)` is told of every
    accumulation step, in sweep order (the adjoint trace tables use it).
    """
    target_ids = frozenset(id(t) for t in targets) if targets is not None else frozenset()
    needed = None
    if targets is not None or create_graph == "auto" or state.open_levels:
        order = topological_order(roots, stop=target_ids)  # a full walk first, only where it is needed
        if targets is not None:
            needed = leading_to(order, target_ids)
        if create_graph == "auto":  # record only if a leaf outside this sweep could differentiate us
            create_graph = any(t._node is None and t._rg and id(t) not in target_ids for t in order)
        # Rules get Tensors when their arithmetic must itself be recorded (higher
        # order) or carry tangents (forward-over-reverse); otherwise raw arrays.
        as_tensors = create_graph or any(t._tangents for t in order)
    else:
        as_tensors = create_graph
    # Adjoints keyed by the tensor itself: tensors hash by identity, and two
    # live objects never share a hash, so `==` (elementwise) is never called.
    adjoint, heap, leaves = {}, [], []
    for r, s in zip(roots, seeds):
        s = _as_kind(s, as_tensors)
        if s.dtype != r._data.dtype:  # every adjoint has its tensor's dtype (exact ops pass theirs on unchecked)
            s = cast(s, dtype=r.dtype)
        if r in adjoint:
            adjoint[r] = adjoint[r] + s
        else:
            adjoint[r] = s
            _enqueue(r, heap, leaves, target_ids)
    deposited = set()
    accumulate = targets is None
    pop, get = adjoint.pop, adjoint.get
    anomaly = state.anomaly
    last_change = state.mutations  # rules change nothing in place: fixed for the sweep
    saved_mode, state.grad_enabled = state.grad_enabled, bool(create_graph)  # record rules only for create_graph
    try:
        while heap:
            t = heappop(heap)[1]
            g = pop(t)
            if accumulate and t._retains_grad:
                _deposit(t, g, deposited)
            node = t._node
            inputs = node.inputs
            if inputs is None:
                raise GraphFreedError(
                    f"backward through {node.op.name} a second time: its graph was freed by the "
                    "first backward; call backward(retain_graph=True) the first time to keep it")
            if node.index < last_change:  # something changed in place since this op ran
                _check_versions(node)
            op = node.op
            rules, params, exact = op.vjp, node.params, op.exact
            if as_tensors:
                ans, values = t, inputs
            else:
                ans, values = t._data, node.arrays
                if op.saves:
                    params = {**params, "saved": node.saved}
            if not retain_graph:  # each node is visited once: free its saved values now
                node.inputs = node.arrays = None
                if op.saves:
                    node.saved = None
            for i, x in enumerate(inputs):
                if not (isinstance(x, Tensor) and x._rg) or (needed is not None and id(x) not in needed):
                    continue
                rule = rules[i]
                if rule is None:
                    continue
                # v̄_x += v̄_t · ∂t/∂x, by the op's VJP rule
                gi = rule(g, ans, *values, **params) if params else rule(g, ans, *values)
                # Undo broadcasting and match the dtype: here, once, for every op.
                if as_tensors or type(gi) is not ndarray:
                    gi = _match(gi, x, as_tensors)
                elif not exact:  # (an exact op's rules return the input's layout: skip the attribute reads)
                    value = values[i]
                    if gi.shape != value.shape or (gi.dtype is not value.dtype and gi.dtype != value.dtype):
                        gi = _match(gi, x, as_tensors)
                if anomaly:
                    from .anomaly import check_backward

                    check_backward(node, i, gi)
                prev = get(x)
                if prev is None:
                    adjoint[x] = total = gi
                    x_node = x._node  # _enqueue, inlined
                    if x_node is None or (target_ids and id(x) in target_ids):
                        leaves.append(x)
                    else:
                        heappush(heap, (-x_node.index, x))
                else:
                    adjoint[x] = total = prev + gi
                if observer is not None:
                    observer(t, i, x, gi, total)
    finally:
        state.grad_enabled = saved_mode
    if targets is not None:
        return [adjoint.get(t) for t in targets]
    for leaf in leaves:  # every contribution to a leaf is in: store it
        _deposit(leaf, adjoint[leaf], deposited)
    return None


def _enqueue(t, heap, leaves, target_ids):
    """Schedule t for its turn in the sweep (leaves and targets only collect adjoints)."""
    if t._node is None or id(t) in target_ids:
        leaves.append(t)
    else:
        heappush(heap, (-t._node.index, t))  # creation numbers are unique: tensors are never compared


def _as_kind(a, as_tensors):
    if as_tensors:
        return a if isinstance(a, Tensor) else Tensor._wrap(np.asarray(a))
    return a._data if isinstance(a, Tensor) else np.asarray(a)


def _match(g, x, as_tensors):
    """Bring a rule's result to x's shape and dtype (undo broadcasting here, once)."""
    g = _as_kind(g, as_tensors)
    if g.shape != x.shape:
        g = sum_to(g, shape=x.shape)
    if g.dtype != x.dtype:
        g = cast(g, dtype=x.dtype)
    return g


def _deposit(t, g, deposited):
    """Accumulate into t.grad, never sharing an array with another .grad."""
    if isinstance(g, Tensor):  # create_graph: keep its graph
        t.grad = g if t.grad is None else t.grad + g
        return
    if type(g) is not np.ndarray:  # adding two 0-d adjoints gives a NumPy scalar
        g = np.asarray(g)
    if t.grad is not None:
        t.grad = Tensor._wrap(np.asarray(t.grad._data + g))
    else:
        # Rules may pass one array to several inputs (add's g) or return a
        # view (broadcasting): copy those, keep fresh arrays as they are.
        if g.base is not None or id(g) in deposited or not g.flags.writeable:
            g = g.copy()
        deposited.add(id(g))
        t.grad = Tensor._wrap(g)


def _check_versions(node):
    for i, x in enumerate(node.inputs):
        if isinstance(x, Tensor) and x._version > node.index:
            raise InplaceModificationError(
                f"input {i} of {node.op.name} (shape {x.shape}) was modified in place after "
                "the op used it, so its gradient would be wrong. Change values before the "
                "forward pass or after backward(), or use .detach() copies")
