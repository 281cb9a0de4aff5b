"""Nested arguments: flatten and unflatten round-trip any nesting, deep ones too, in a fixed order."""

import pytest

from chainrule.tree import flatten, unflatten


@pytest.mark.parametrize("tree", [1.0, [], (), {}, [1, (2, 3)], {"b": [1, {"z": 2, "a": (3,)}], "a": ()},
                                  ((), [[]]), [(1, 2), 3], {"w": None, "b": "s"}])
def test_round_trip_keeps_structure_types_and_order(tree):
    leaves, structure = flatten(tree)
    rebuilt = unflatten(structure, leaves)
    assert rebuilt == tree and type(rebuilt) is type(tree)
    assert flatten(rebuilt) == (leaves, structure)


def test_leaves_come_depth_first_with_dict_keys_sorted():
    leaves, structure = flatten({"w": 1, "b": (2, [3, 4]), "a": {"y": 5, "x": 6}})
    assert leaves == [6, 5, 2, 3, 4, 1]
    assert unflatten(structure, "abcdef") == {"a": {"x": "a", "y": "b"}, "b": ("c", ["d", "e"]), "w": "f"}


def test_deep_nesting_needs_no_recursion():
    deep = 1.0
    for _ in range(20_000):  # far past Python's recursion limit
        deep = [deep]
    leaves, structure = flatten(deep)
    assert leaves == [1.0]
    rebuilt = unflatten(structure, [2.0])
    for _ in range(20_000):
        rebuilt = rebuilt[0]
    assert rebuilt == 2.0
