"""Keep Python's cyclic garbage collector from walking a large graph over and over.

A recorded graph has no reference cycles (a Node points at its inputs, never
back at its output), so reference counting frees all of it, and a
collection run while a graph is recorded finds nothing to free there. Yet
the collector starts a young collection every 700 new container objects,
and every so often a full one that walks every object in the process, the
graph so far included: recording a 100,000-node scalar graph took twice as
long with the collector running.

So while a large graph is being recorded (LARGE_GRAPH_NODES nodes made since
the last backward pass), the collector's first threshold is raised to
LARGE_GRAPH_GEN0 and its second to LARGE_GRAPH_GEN1: it still runs, on every
that-many new objects, and frees any cycles as before, but it walks the graph
far less often (a middle collection would walk every young survivor, the
graph, once more; a full one, every object in the process). The end of the
next backward pass puts the thresholds back (`restore`). The collector is
watched through `gc.callbacks` (called only when a collection starts), so
recording pays nothing for this. A scalar graph reaches 1,000 nodes before
its first middle collection (ten young ones), so the graph is rarely promoted
to the oldest generation, whose growth is what starts a full collection of
the whole process: with PyTorch loaded, a 60 ms pause that one in three
100,000-node steps paid when this count was 5,000. Thresholds a user has set
are never touched: the collector is adjusted only while its thresholds are
the ones found at import.

Example:
    >>> import gc
    >>> from chainrule.core import collector
    >>> collector.LARGE_GRAPH_NODES
    1000
"""

from __future__ import annotations

import gc
import threading

from .node import clock

LARGE_GRAPH_NODES = 1_000  # nodes made since the last backward pass that make a graph large
LARGE_GRAPH_GEN0 = 100_000  # the young generation's threshold while one is recorded
LARGE_GRAPH_GEN1 = 1_000  # and the middle one's (young collections between two of its own)

class _State:
    __slots__ = ("raised", "last_sweep")

    def __init__(self):
        self.raised = None  # the thresholds this module set, while they are in force
        self.last_sweep = next(clock)  # the clock's reading at the end of the latest backward pass


state = _State()  # the sweep writes `last_sweep` itself: a call per backward pass was 5% of a tiny one
_lock = threading.Lock()
_defaults = gc.get_threshold()  # the thresholds found at import: adjusted only while they hold


def _on_collection(phase, info):
    """gc.callbacks hook: before a collection, raise the threshold if a large graph grows."""
    if phase != "start" or state.raised is not None:
        return
    if next(clock) - state.last_sweep < LARGE_GRAPH_NODES:
        return
    with _lock:
        if state.raised is None and gc.get_threshold() == _defaults and _defaults[0] < LARGE_GRAPH_GEN0:
            state.raised = (LARGE_GRAPH_GEN0, max(_defaults[1], LARGE_GRAPH_GEN1), _defaults[2])
            gc.set_threshold(*state.raised)


def restore():
    """Put the collector's thresholds back (the end of a backward pass, once the graph is freed)."""
    with _lock:
        if state.raised is not None and gc.get_threshold() == state.raised:
            gc.set_threshold(*_defaults)
        state.raised = None


def raised() -> bool:
    """Whether the collector's threshold is raised now for a large graph being recorded.

    Example:
        >>> from chainrule.core import collector
        >>> collector.raised()
        False
    """
    return state.raised is not None


gc.callbacks.append(_on_collection)
