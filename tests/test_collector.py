"""The garbage collector's threshold while a large graph is recorded (core/collector.py)."""

import gc

import numpy as np
import pytest

import chainrule as cr
from chainrule.core import collector


def _record(nodes):
    x = cr.tensor(np.array([0.5]), requires_grad=True)
    y = x
    for _ in range(nodes // 2):
        y = cr.tanh(y) * 0.5
    return x, y


@pytest.fixture
def default_thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(*collector._defaults)
    yield
    gc.set_threshold(*saved)


def test_a_large_graph_raises_the_threshold_until_its_backward_pass(default_thresholds):
    x, y = _record(collector.LARGE_GRAPH_NODES + 100)
    gc.collect(0)  # a collection starts: the hook sees a large graph growing
    # the young threshold, and the middle one: a middle collection would walk every young survivor again
    assert collector.raised() and gc.get_threshold() == (
        collector.LARGE_GRAPH_GEN0, max(collector._defaults[1], collector.LARGE_GRAPH_GEN1), collector._defaults[2])
    y.sum().backward()
    assert not collector.raised() and gc.get_threshold() == collector._defaults
    assert np.isfinite(x.grad.numpy()).all()


def test_small_graphs_leave_the_collector_alone(default_thresholds):
    _, y = _record(10)
    y.sum().backward()  # the clock's reading at this sweep starts the count again
    _, y = _record(10)
    gc.collect(1)
    assert not collector.raised() and gc.get_threshold() == collector._defaults


def test_thresholds_a_user_set_are_never_touched(default_thresholds):
    gc.set_threshold(1234, 5, 6)
    _, y = _record(collector.LARGE_GRAPH_NODES + 100)
    gc.collect(1)
    assert not collector.raised() and gc.get_threshold() == (1234, 5, 6)
    y.sum().backward()
    assert gc.get_threshold() == (1234, 5, 6)


def test_cycles_are_still_collected_while_raised(default_thresholds):
    _, y = _record(collector.LARGE_GRAPH_NODES + 100)
    gc.collect(1)
    assert collector.raised()

    class Cyclic:
        pass

    a = Cyclic()
    a.me = a
    del a
    assert gc.collect() >= 1  # the collector runs and frees cycles; only its young threshold moved
    y.sum().backward()
