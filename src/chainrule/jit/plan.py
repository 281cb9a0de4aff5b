"""A plan: the recorded step as a flat list of NumPy calls on numbered buffers.

Every value the traced step touched has a slot `v[i]`: the arguments
(filled in each call), captured arrays and parameters (read where they
live), literals, and the result of each call. A step is `(func, ins, out)`:
`v[out] = func(*v[ins])`. Replaying is that loop and nothing else: no
Tensor, no Node, no rule lookup. Guards are steps whose function checks a
value Python branched on at trace time (see guards.py); steps that change
state outside the plan (a `.grad`, an optimizer's update) are marked
`commits`, so a guard failing before them can hand the call back to a
fresh trace without anything having happened.
"""

from __future__ import annotations

from sys import getrefcount

import numpy as np

from ..core.tensor import Tensor
from ..creation import get_default_dtype
from .code import layout
from .guards import GuardFailed, JitError


class Step:
    """One call of the plan: `v[out] = func(*(v[i] for i in ins))`; `out` may be a tuple or None."""

    __slots__ = ("func", "ins", "out", "text", "commits", "guard", "code", "names", "in_place")

    def __init__(self, func, ins, out, text, commits=False, guard=False, code=None, names=None, in_place=False):
        self.func, self.ins, self.out, self.text, self.commits = func, tuple(ins), out, text, commits
        self.guard, self.in_place = guard, in_place  # in_place: its buffer may be an input's (buffers.py)
        self.code, self.names = code, names  # a kernel pasted in as source (func is None), and its helpers


class Plan:
    """What `cr.jit` replays for one set of input shapes, dtypes and static arguments.

    `str(plan)` lists the calls one per line with the shape and dtype of each
    buffer they write.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> f = cr.jit(lambda x: cr.tanh(x) * 2.0)
        >>> _ = f(np.ones((2, 3)))
        >>> print(f.plan)
        v0 = argument 0                                 # (2, 3) float64
        v1 = np.tanh(v0, out=v1)                          # (2, 3) float64
        v3 = np.multiply(v1, 2.0, out=v3)   [v1's buffer]  # (2, 3) float64
    """

    def __init__(self, values, meta, arg_slots, captured, steps, outputs, structure):
        self.values = values  # slot -> array (constants, captured arrays; results are overwritten)
        self.meta = meta  # slot -> "shape dtype" text, for printing
        self.arg_slots = arg_slots  # [(slot, argument number)]
        self.captured = captured  # [(tensor, array)]: each tensor must still hold that array
        self.steps = steps
        self.outputs = outputs  # [(kind, slot or object)]
        self.structure = structure
        commit = [i for i, s in enumerate(steps) if s.commits]
        self.first_commit = commit[0] if commit else len(steps)
        self._lines, self._namespace = _source(values, arg_slots, steps)
        results = [x for kind, x in outputs if kind != "same"]
        self._run = _compile(self._lines + [f"    return ({''.join(f'v{o}, ' for o in results)})"],
                             self._namespace, "replay")
        self._fast = None

    def fast(self, signature, default_dtype):
        """The whole call as one function of the argument tuple: the checks a cached call makes, the plan,
        and its outputs as the caller gets them; MISS when a check fails (the caller takes the slow path).

        For a plan keyed by positional ndarrays (`signature`: their (shape, dtype, layout)) whose structure is a
        single leaf. Checked inline: the arguments' types, shapes, dtypes and layouts, the default dtype, and
        every captured tensor still holding its array.
        """
        if self._fast is not None:
            return self._fast
        ns = dict(self._namespace)
        ns.update(MISS=MISS, ndarray=np.ndarray, default_dtype=get_default_dtype)
        checks = [f"len(args) != {len(signature)}"]
        ns["layout"] = layout
        for k, (shape, dtype, laid) in enumerate(signature):
            ns[f"S{k}"], ns[f"D{k}"] = shape, dtype
            laid_out = "not args[{k}].flags.c_contiguous" if laid == "C" else f"layout(args[{k}]) != {laid!r}"
            checks.append(f"type(args[{k}]) is not ndarray or args[{k}].shape != S{k} or args[{k}].dtype != D{k} or "
                          + laid_out.format(k=k))
        ns["DD"] = default_dtype
        checks.append("default_dtype() != DD")
        for i, (t, a) in enumerate(self.captured):
            ns[f"T{i}"], ns[f"A{i}"] = t, a
            checks.append(f"T{i}._data is not A{i}")
        lines = ["def fast(args):", "    arrays = args"]
        lines += [f"    if {c}: return MISS" for c in checks]
        lines += self._lines[1:]
        ((kind, x),) = self.outputs
        if kind == "same":
            ns["SAME"] = x
            lines.append("    return SAME")
        elif kind == "item":
            lines.append(f"    return v{x}.item()")
        else:  # _output's own test (its counted references: this local's in place of the results tuple's)
            ns.update(output=_output, KIND=kind)
            lines.append(f"    return output(KIND, v{x})")
        self._fast = _compile(lines, ns, "fast")
        return self._fast

    def fits(self):
        """True while every captured tensor still holds the array the plan reads."""
        for t, a in self.captured:
            if t._data is not a:
                return False
        return True

    def replay(self, arrays):
        """Run the plan on the argument arrays; returns the output leaves or raises GuardFailed."""
        try:
            results = self._run(arrays)
        except GuardFailed as failed:
            self.check_commit(failed)
            raise
        it = iter(results)
        return [x if kind == "same" else _output(kind, next(it)) for kind, x in self.outputs]

    def check_commit(self, failed):
        """A guard failed: a JitError if the plan had already changed state (.grad, parameters) by then."""
        if failed.index > self.first_commit:
            raise JitError(f"{failed.where}: a value Python branched on at trace time changed after the "
                           "step had already updated state (.grad or parameters); move the check before "
                           "backward()/step(), or out of the jitted function") from None

    def __str__(self):
        lines = []
        for slot, i in self.arg_slots:
            lines.append(f"v{slot} = argument {i}".ljust(48) + f"# {self.meta.get(slot, '')}")
        for s in self.steps:
            if s.out is None:
                target = ""
            elif isinstance(s.out, int):
                target = f"v{s.out} = "
            else:
                target = ", ".join(f"v{o}" for o in s.out) + " = "
            shapes = [self.meta.get(o, "") for o in ((s.out,) if isinstance(s.out, int) else s.out or ())]
            line = s.text if target and s.text.startswith(target) else target + s.text  # "{out} = ..." kernels
            lines.append(line.ljust(48) + ("  # " + ", ".join(shapes) if shapes else ""))
        return "\n".join(lines)

    __repr__ = __str__


def _output(kind, value):
    """An output as the caller gets it: its own memory, which the next call cannot change.

    An array the replay has just made and nothing else holds (neither an argument, nor a constant or
    buffer of the plan, nor memory a view shares) is that already: handed out as it is, as eager hands
    out its results (per-example gradients are megabytes). The counted references are the caller's
    (the results tuple, or the fast function's local), this function's parameter and getrefcount's own;
    anything holding it more adds to them.
    """
    if kind == "item":
        return value.item()
    if not (type(value) is np.ndarray and value.base is None and getrefcount(value) <= 3):
        value = value.copy()
    return Tensor._wrap(np.asarray(value)) if kind == "tensor" else value


def describe(a):
    """'(3, 4) float64' for an array; the repr for anything else (printing only)."""
    if isinstance(a, np.ndarray) or isinstance(a, np.generic):
        return f"{tuple(a.shape)} {a.dtype}"
    return type(a).__name__


MISS = object()  # what a plan's fast function returns when the call is not one it was made for


def _source(values, arg_slots, steps):
    """The plan as source lines of one Python function (a line per step, buffers as names), and its globals."""
    namespace = {"GuardFailed": GuardFailed}
    produced = {slot for slot, _ in arg_slots} | {o for s in steps for o in _outs(s)}
    for slot, value in enumerate(values):
        if slot not in produced:
            namespace[f"v{slot}"] = namespace[f"c{slot}"] = value
    lines = ["def replay(arrays):"]
    lines += [f"    v{slot} = arrays[{i}]" for slot, i in arg_slots]
    namespace["np"] = np
    for k, s in enumerate(steps):
        if s.code is not None:  # a kernel's own NumPy source; its buffer is a global, never assigned here
            namespace.update(s.names)
            lines += ["    " + line for line in s.code.split("\n") if line]
            continue
        func = s.func
        if s.guard:
            func = _indexed_guard(func, k)
        namespace[f"f{k}"] = func
        call = f"f{k}({', '.join(f'v{i}' for i in s.ins)})"
        outs = _outs(s)
        lines.append(f"    {', '.join(f'v{o}' for o in outs)} = {call}" if outs else f"    {call}")
        if isinstance(s.out, tuple) and len(s.out) == 1:
            lines[-1] = lines[-1].replace(" = ", ", = ", 1)
    return lines, namespace


def _compile(lines, namespace, name):
    exec(compile("\n".join(lines), "<cr.jit plan>", "exec"), namespace)  # noqa: S102  (our own generated code)
    return namespace[name]


def _outs(step):
    if step.out is None:
        return ()
    return (step.out,) if isinstance(step.out, int) else tuple(step.out)


def _indexed_guard(check, k):
    def guard(*arrays):
        try:
            return check(*arrays)
        except GuardFailed as failed:
            failed.index = k
            raise

    return guard
