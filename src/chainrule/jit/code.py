"""The form of a kernel (Code) and the small helpers every kernel module shares.

A kernel is NumPy source the plan pastes in as lines of its own; kernels.py (forwards and VJPs)
and updates.py (sums, in-place writes, optimizers) build them.
"""

from __future__ import annotations

import string

import numpy as np

_ndarray = np.ndarray


class Code:
    """A kernel written as NumPy source: the plan pastes it in as a line of its own (no Python call).

    `template` names the inputs {0}, {1}, ..., the adjoint {g}, the op's output {ans}, the saved
    residual {saved} and the buffer written {out}; other names ({mask}, {f}, ...) are the helpers
    in `names`. `text` is what the plan prints. Calling a Code runs it on arrays, with the
    signature of the rule or forward it stands for (`(*inputs)`, or `(g, ans, *inputs[, saved])`
    for a VJP): the tests use that.

    What the plan may do with it: `constants` maps an input number to the value the plan passes
    in place of a Python number there (a 0-d array of the loop's dtype: NumPy resolves it faster,
    with the same bits); `in_place` says the buffer may be the memory of an input read only here
    (an elementwise ufunc: NumPy handles out= the same array); `view` says the template binds
    {out} to a view of its inputs (a constant's view is then made once, when the plan is built).
    """

    def __init__(self, kind, template, out=None, text=None, in_place=False, view=False, **names):
        self.kind, self.template, self.out, self.names = kind, template, out, names
        self.text = text or template
        self.in_place, self.view, self.constants = in_place, view, {}

    def reads(self):
        """The placeholders the template reads: input numbers, and "g" / "ans" / "saved"."""
        found = set()
        for _, field, _, _ in string.Formatter().parse(self.template):
            if field is not None and (field.isdigit() or field in ("g", "ans", "saved")):
                found.add(int(field) if field.isdigit() else field)
        return found

    def render(self, inputs, g=None, saved=None, out=None, prefix="", ans=None):
        """(source, {name: object}) with the plan's names for the inputs and buffer and `prefix` for helpers."""
        helpers = {k: prefix + k for k in self.names}
        source = self.template.format(*inputs, g=g, saved=saved, out=out, ans=ans, **helpers)
        return source, {prefix + k: v for k, v in self.names.items()}

    def describe(self, inputs, g=None, out=None, ans=None):
        """The line the plan prints, with its names for the inputs and buffer."""
        return self.text.format(*inputs, g=g, saved="saved", out=out, ans=ans or "ans", **{k: k for k in self.names})

    def __call__(self, *args):
        if self.kind in ("forward", "update"):
            g, ans, saved, inputs = None, None, None, list(args)
        else:
            g, ans, *inputs = args
            saved = inputs.pop() if "{saved}" in self.template else None
        inputs = [self.constants.get(i, x) for i, x in enumerate(inputs)]
        names = {f"a{i}": x for i, x in enumerate(inputs)}
        source, helpers = self.render(list(names), g="ag", saved="asaved", out="aout", prefix="h_", ans="aans")
        scope = {"np": np, "ag": g, "aans": ans, "asaved": saved, "aout": self.out, **names, **helpers}
        exec(source, scope)  # noqa: S102
        return scope["aout"]  # the buffer, or what a template assigning {out} bound to it


def _arrays_of(dtype, *xs):
    return all(isinstance(x, _ndarray) and x.dtype == dtype for x in xs)


def layout(a):
    """'C', 'F' or 'S' (strided): part of a plan's key, since the dot kernels are chosen for the traced layout."""
    return "C" if a.flags.c_contiguous else "F" if a.flags.f_contiguous else "S"


def _blas_laid_out(*xs):
    """True when no array is strided: on C and F layouts np.dot gives np.matmul's bits (NumPy hands both the
    same BLAS call); a strided array np.dot copies first, and np.matmul loops over it, with other roundings."""
    return all(layout(x) != "S" for x in xs)


def _buffer(like):
    return np.empty(np.shape(like), np.asarray(like).dtype)
