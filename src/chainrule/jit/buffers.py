"""Buffers shared by liveness: a kernel's output buffer is the memory of a value no later step reads.

Each Code kernel allocates its output buffer once, at trace time. Kept apart, the plan would hold
one buffer per activation and per adjoint between calls; most are dead long before the step
ends (an adjoint is read by the next few kernels only). So before the plan is compiled, its steps
are walked in order and each buffered step takes, where one fits (same shape and dtype), a buffer
whose value is no longer read; an elementwise kernel (`Code.in_place`) may even write over the
input it reads last (`np.maximum(h, 0, out=h)` for relu, as the naive NumPy step does).

A value's life ends at the last step reading it or any view of it: a step whose output is not a
buffer of its own (a view such as `g.T`, an assignment, a rule or forward called as Python) is
taken to alias everything it reads, which keeps the walk safe without knowing what the call did.
The plan's outputs live to the end.
"""

from __future__ import annotations

import heapq
import itertools


def share_buffers(steps, buffered, output_slots):
    """Rebind buffered steps' output buffers (step.names['v<slot>']) to dead buffers where one fits.

    `buffered`: slot -> the Step writing it into its own buffer; `output_slots`: slots the plan
    returns. Returns the number of buffers given up (for tests and the plan's printout).

    Example (a relu after a linear layer writes over the linear's output, read nowhere else):
        >>> import numpy as np, chainrule as cr
        >>> f = cr.jit(lambda x, w: cr.relu(x @ w))
        >>> _ = f(np.ones((2, 3)), np.ones((3, 4)))
        >>> print(f.plan)  # doctest: +NORMALIZE_WHITESPACE
        v0 = argument 0                                 # (2, 3) float64
        v1 = argument 1                                 # (3, 4) float64
        v2 = np.dot(v0, v1, out=v2)                       # (2, 4) float64
        v3 = np.maximum(v2, 0, out=v3)   [v2's buffer]    # (2, 4) float64
    """
    root, group_last, members = _lifetimes(steps, buffered, output_slots)
    end = len(steps)
    pool, owned, released = {}, {}, set()  # owned: group root -> [(release after step, root, array, slot)]
    by_release, number = [], itertools.count()  # a heap of (release after step, number, item)
    saved = 0
    for k, step in enumerate(steps):
        while by_release and by_release[0][0] < k:
            item = heapq.heappop(by_release)[2]
            if id(item) not in released:
                released.add(id(item))
                pool.setdefault(_key(item[2]), []).append((item[2], item[3]))
        for o in _outs(step):
            if buffered.get(o) is not step:
                continue
            name = f"v{o}"
            own = step.names[name]
            free = pool.get(_key(own))
            taken = free.pop() if free else None
            if taken is None and step.in_place:
                taken = _over_an_input(step, k, own, owned, released, group_last, members, root)
            if taken is not None:
                step.names[name] = taken[0]
                step.text += f"   [v{taken[1]}'s buffer]"
                saved += 1
            r = root(o)
            item = (group_last.get(r, end), r, step.names[name], o)
            owned.setdefault(r, []).append(item)
            heapq.heappush(by_release, (item[0], next(number), item))
    return saved


def _lifetimes(steps, buffered, output_slots):
    """(root of a slot's alias group, {root: last step reading the group}, {root: its slots})."""
    parent = {}

    def root(s):
        while parent.get(s, s) != s:
            s = parent[s]
        return s

    last = {}
    for k, step in enumerate(steps):
        for s in step.ins:
            last[s] = k
        for o in _outs(step):
            if buffered.get(o) is not step:  # not a fresh buffer of its own: may view what it reads
                for s in step.ins:
                    ro, rs = root(o), root(s)
                    if ro != rs:
                        parent[ro] = rs
    for s in output_slots:
        last[s] = len(steps)
    group_last, members = {}, {}
    for s in set(last) | set(parent) | set(buffered):
        r = root(s)
        group_last[r] = max(group_last.get(r, -1), last.get(s, -1))
        members.setdefault(r, set()).add(s)
    return root, group_last, members


def _over_an_input(step, k, own, owned, released, group_last, members, root):
    """The buffer of an input read for the last time here, alone (no view of it alive), if it fits."""
    for s in step.ins:
        r = root(s)
        if group_last.get(r) != k or members.get(r) != {s} or list(step.ins).count(s) != 1:
            continue
        for item in owned.get(r, ()):
            if id(item) not in released and _key(item[2]) == _key(own):
                released.add(id(item))  # its life ends here; the new value owns the memory now
                return item[2], item[3]
    return None


def _key(a):
    return a.shape, a.dtype.str, a.flags.c_contiguous


def _outs(step):
    if step.out is None:
        return ()
    return (step.out,) if isinstance(step.out, int) else tuple(step.out)
