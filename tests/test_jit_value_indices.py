"""cr.jit and indices computed from the traced values (x[x > 0], take(x, argmax(x)), a branch on .all()).

A parameter of an op that holds a traced result's values is baked into the plan; the replay checks that the
result holds the same values again and traces anew when it does not, so no call replays another's index.
"""

import numpy as np
import pytest

import chainrule as cr
from chainrule.jit import JitError

rng = np.random.default_rng(61)

FUNCTIONS = {
    "boolean mask": lambda x: x[x > 0].sum(),
    "masked_select": lambda x: x.masked_select(x < 0.5) * 2,
    "take at argmax": lambda x: cr.take(x, cr.argmax(x, axis=0)[None]),
    "take wrapping an index": lambda x: cr.take(x, cr.argmax(x, axis=0)[None] + 4, mode="wrap"),
    "take clipping an index": lambda x: cr.take(x, cr.argmax(x, axis=0)[None] + 4, mode="clip"),
    "index_select by argsort": lambda x: x.index_select(0, x.argsort()),
    "gather by argsort": lambda x: x[None].gather(1, x.argsort()[None]),
    "branch on all()": lambda x: x * 2 if (x > -1).all() else x * 3,
    "branch on any()": lambda x: x.sum() if (x > 1).any() else -x.sum(),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_call_gets_its_own_indices(name):
    f = FUNCTIONS[name]
    jitted = cr.jit(f)
    inputs = [rng.normal(size=6) for _ in range(4)]
    for x in inputs + inputs[:2]:  # new values, then values seen before (a plan kept for each)
        np.testing.assert_allclose(np.asarray(jitted(x)), np.asarray(f(cr.tensor(x))), rtol=1e-12)
    assert jitted.traces <= 4


def test_the_same_indices_replay_without_tracing():
    jitted = cr.jit(lambda x: x[x > 0].sum())
    x = np.array([1.0, -2.0, 3.0])
    for scale in (1.0, 2.0, 0.5):  # the mask stays the same
        assert float(jitted(x * scale)) == pytest.approx(4.0 * scale)
    assert jitted.traces == 1


def test_indices_that_change_every_call_are_refused_in_the_end():
    jitted = cr.jit(lambda x: x[x > 0].sum())
    with pytest.raises(JitError, match="changed outcome"):
        for _ in range(50):
            jitted(rng.normal(size=8))
