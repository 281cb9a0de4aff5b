"""Nested arguments: tuples, lists and dicts of arrays, flattened and rebuilt.

Transforms accept `grad(loss)(params)` with `params` a dict of weight arrays
and hand back gradients in the same structure; these two functions are how.
"""

from __future__ import annotations


def flatten(tree):
    """(leaves, structure): the leaves in a fixed order, and how to rebuild.

    Example:
        >>> from chainrule.tree import flatten, unflatten
        >>> leaves, structure = flatten({"w": 1.0, "b": (2.0, 3.0)})
        >>> leaves
        [2.0, 3.0, 1.0]
        >>> unflatten(structure, [10, 20, 30])
        {'b': (10, 20), 'w': 30}
    """
    leaves = []

    def walk(node):
        if isinstance(node, (tuple, list)):
            return (type(node), [walk(child) for child in node])
        if isinstance(node, dict):
            keys = sorted(node)
            return (dict, keys, [walk(node[k]) for k in keys])
        leaves.append(node)
        return None

    return leaves, walk(tree)


def unflatten(structure, leaves):
    """Rebuild the structure from `flatten` with new leaves."""
    it = iter(leaves)

    def build(spec):
        if spec is None:
            return next(it)
        if spec[0] is dict:
            return {k: build(s) for k, s in zip(spec[1], spec[2])}
        return spec[0](build(s) for s in spec[1])

    return build(structure)
