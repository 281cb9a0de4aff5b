"""Nested arguments: tuples, lists and dicts of arrays, flattened and rebuilt.

Transforms accept `grad(loss)(params)` with `params` a dict of weight arrays
and hand back gradients in the same structure; these two functions are how.

Both walk with a stack of their own instead of a recursive closure: a closure
that calls itself sits in a reference cycle (function -> cell -> function),
so whatever it captured (the caller's arrays, the gradients) would wait for
the cyclic garbage collector instead of being freed when the call returns.
"""

from __future__ import annotations

_LEAF = None  # the structure of a single leaf
_DONE = object()  # what next() gives back for an exhausted child iterator
_CONTAINERS = (tuple, list, dict)


def flatten(tree):
    """(leaves, structure): the leaves in a fixed order, and how to rebuild.

    Tuples, lists and dicts are containers (dict entries in sorted key
    order); anything else is a leaf.

    Example:
        >>> from chainrule.tree import flatten, unflatten
        >>> leaves, structure = flatten({"w": 1.0, "b": (2.0, 3.0)})
        >>> leaves
        [2.0, 3.0, 1.0]
        >>> unflatten(structure, [10, 20, 30])
        {'b': (10, 20), 'w': 30}
    """
    if not isinstance(tree, _CONTAINERS):
        return [tree], _LEAF
    # one level of leaves (a dict of weights, a tuple of arrays): the common case, without the walk
    keys = tuple(sorted(tree)) if isinstance(tree, dict) else None
    children = tree if keys is None else [tree[k] for k in keys]
    if not any(isinstance(c, _CONTAINERS) for c in children):
        specs = (_LEAF,) * len(children)
        return list(children), ((dict, keys, specs) if keys is not None else (type(tree), specs))
    leaves = []
    # A frame per open container: (its type, its sorted keys or None, an iterator
    # over its children, the structures of the children seen so far).
    stack = [_open(tree)]
    while True:
        kind, keys, children, specs = stack[-1]
        child = next(children, _DONE)
        if child is _DONE:
            stack.pop()
            spec = (dict, keys, tuple(specs)) if kind is dict else (kind, tuple(specs))
            if not stack:
                return leaves, spec
            stack[-1][3].append(spec)
        elif isinstance(child, (tuple, list, dict)):
            stack.append(_open(child))
        else:
            leaves.append(child)
            specs.append(_LEAF)


def _open(node):
    if isinstance(node, dict):
        keys = tuple(sorted(node))
        return dict, keys, iter([node[k] for k in keys]), []
    return type(node), None, iter(node), []


def unflatten(structure, leaves):
    """Rebuild the structure from `flatten` with new leaves, taken in order.

    Example:
        >>> from chainrule.tree import flatten, unflatten
        >>> unflatten(flatten([1, (2, 3)])[1], "abc")
        ['a', ('b', 'c')]
    """
    it = iter(leaves)
    if structure is _LEAF:
        return next(it)
    if not any(structure[-1]):  # one level of leaves (a container's structure is a tuple, never empty)
        values = [next(it) for _ in structure[-1]]
        return dict(zip(structure[1], values)) if structure[0] is dict else structure[0](values)
    # A frame per container being rebuilt: (its structure, an iterator over its
    # children's structures, the children rebuilt so far).
    stack = [(structure, iter(structure[-1]), [])]
    while True:
        spec, children, values = stack[-1]
        child = next(children, _DONE)
        if child is _DONE:
            stack.pop()
            built = dict(zip(spec[1], values)) if spec[0] is dict else spec[0](values)
            if not stack:
                return built
            stack[-1][2].append(built)
        elif child is _LEAF:
            values.append(next(it))
        else:
            stack.append((child, iter(child[-1]), []))
