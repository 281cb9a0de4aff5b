"""einsum, and the contractions built on it: tensordot, inner, vdot, kron, trace, cross.

einsum is one primitive. It is linear in each operand, so its derivative
for one operand is again an einsum: the adjoint of operand i contracts the
output's adjoint with the other operands, landing on operand i's subscripts
(and the tangent replaces operand i by its tangent). Two details make that
hold for every subscript string NumPy accepts:

- a letter repeated on one operand ('ii->i', 'ii') reads a diagonal, so its
  adjoint is written on that diagonal: the repeat is renamed and an identity
  matrix ties the two letters (einsum cannot repeat an output letter);
- a letter only operand i has, summed away ('ij->i'), has adjoint constant
  along it: a vector of ones brings the axis back.

Subscripts are normalised once (ellipsis spelled out with spare letters, the
implicit output made explicit as NumPy defines it: the letters used once, in
alphabetical order, after the broadcast axes) so the rules only see explicit
strings.
"""

from __future__ import annotations

import string
from collections import Counter

import numpy as np

from ..core.registry import defop
from ._util import device_like, normalize_axes, value_of
from .elementwise import mul, sub
from .linalg_util import as_operand as _operand
from .reduce import sum
from .shape import concatenate, expand_dims, reshape, transpose

_LETTERS = string.ascii_letters


def normalize_subscripts(subscripts, shapes):
    """`subscripts` for operands of `shapes` as an explicit 'ab,bc->ac' string without '...'.

    Example:
        >>> from chainrule.ops.contractions import normalize_subscripts
        >>> normalize_subscripts("...ij,jk", [(5, 2, 3), (3, 4)])
        'aij,jk->aik'
    """
    if not isinstance(subscripts, str):
        raise TypeError("einsum: give the subscripts as a string, e.g. einsum('ij,jk->ik', a, b) "
                        "(the interleaved operand/sublist form is not supported)")
    subs = subscripts.replace(" ", "")
    lhs, arrow, out = subs.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(inputs)} operands, got {len(shapes)}")
    bad = set(subs) - set(_LETTERS) - set(",.->")
    if bad:
        raise ValueError(f"einsum: subscripts may use only letters, ',', '->' and '...'; got {sorted(bad)}")
    spare = [c for c in _LETTERS if c not in subs]
    n_broadcast, explicit = 0, []
    for i, (term, shape) in enumerate(zip(inputs, shapes)):
        letters = term.replace("...", "")
        if "..." in term:
            n_broadcast = max(n_broadcast, len(shape) - len(letters))
        if len(letters) > len(shape) or ("..." not in term and len(letters) != len(shape)):
            raise ValueError(f"einsum: operand {i} has {len(shape)} axes but subscripts {term!r} "
                             f"name {len(letters)}")
    broadcast = "".join(spare[:n_broadcast])
    for term, shape in zip(inputs, shapes):
        k = len(shape) - len(term.replace("...", ""))
        explicit.append(term.replace("...", broadcast[n_broadcast - k:] if k else ""))
    if arrow:
        if "..." not in out and n_broadcast:
            raise ValueError(f"einsum: the output {out!r} needs '...' for the broadcast axes of the operands")
        out = out.replace("...", broadcast)
    else:
        counts = Counter("".join(inputs).replace("...", ""))
        out = broadcast + "".join(sorted(c for c, n in counts.items() if n == 1))
    return ",".join(explicit) + "->" + out


def _loop_size(subscripts, xs):
    """How many terms a plain einsum loop visits: the product of every letter's size."""
    sizes = {}
    for term, x in zip(subscripts.split("->")[0].split(","), xs):
        sizes.update(zip(term, np.shape(x)))
    return int(np.prod(list(sizes.values()), dtype=np.int64))


def _einsum_forward(*xs, subscripts):
    # NumPy's contraction planner (BLAS, pairwise order) pays off for chains and large loops;
    # it costs more than it saves on small two-operand products, and on products that sum
    # nothing (outer products: one pass of the plain loop, half the time of the planner's route).
    if len(xs) > 2:
        return np.einsum(subscripts, *xs, optimize=True)
    lhs, arrow, out = subscripts.partition("->")
    sums = not arrow or any(c not in out for c in lhs if c != ",")
    return np.einsum(subscripts, *xs, optimize=sums and _loop_size(subscripts, xs) > 100_000)


def _einsum_vjp(i, g, ans, *xs, subscripts):
    lhs, out = subscripts.split("->")
    inputs = lhs.split(",")
    target, shape = inputs[i], np.shape(value_of(xs[i]))
    dtype = value_of(g).dtype
    fresh = iter(c for c in _LETTERS if c not in subscripts)
    others = set(out).union(*(inputs[j] for j in range(len(inputs)) if j != i))
    result, sizes, ties = [], {}, []
    for letter, n in zip(target, shape):
        if letter in sizes:  # a diagonal: write the adjoint on it through an identity
            renamed = next(fresh)
            ties.append((letter + renamed, np.eye(n, dtype=dtype, like=device_like(g))))
            result.append(renamed)
        else:
            sizes[letter] = n
            result.append(letter)
    tied = {pair[0][0] for pair in ties}
    spread = [(letter, np.ones(n, dtype=dtype, like=device_like(g))) for letter, n in sizes.items()
              if letter not in others and letter not in tied]  # summed away: the adjoint is constant along it
    terms = [out] + [inputs[j] for j in range(len(xs)) if j != i] + [t for t, _ in ties] + [s for s, _ in spread]
    operands = [g] + [xs[j] for j in range(len(xs)) if j != i] + [c for _, c in ties] + [c for _, c in spread]
    return einsum_op(*operands, subscripts=",".join(terms) + "->" + "".join(result))


def _einsum_jvp(i, t, ans, *xs, subscripts):
    return einsum_op(*xs[:i], t, *xs[i + 1:], subscripts=subscripts)


einsum_op = defop("einsum", _einsum_forward, vjp=_einsum_vjp, jvp=_einsum_jvp, variadic=True,
                  derivative="each operand's adjoint is an einsum of the output adjoint with the others",
                  convention="a repeated letter (a diagonal) gets its adjoint on that diagonal, 0 off it")


def einsum(subscripts, *operands, optimize=None):
    """Einstein summation, as numpy.einsum (string subscripts, implicit or explicit output, '...').

    `optimize` is accepted for NumPy compatibility; contraction order is NumPy's choice.

    Example:
        >>> import chainrule as cr
        >>> a = cr.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> cr.einsum("ii", a), cr.einsum("ij,j->i", a, cr.tensor([1.0, 1.0]))
        (tensor(5.), tensor([3., 7.]))
    """
    del optimize
    operands = [_operand(x) for x in operands]
    subs = normalize_subscripts(subscripts, [np.shape(value_of(x)) for x in operands])
    return einsum_op(*operands, subscripts=subs)


def _axes_list(axes, ndim):
    axes = [axes] if isinstance(axes, (int, np.integer)) else list(axes)
    return [normalize_axes(int(a), ndim)[0] for a in axes]


def tensordot(a, b, axes=2):
    """Sum products over the given axes, as numpy.tensordot (axes: an int N or a pair of axis lists).

    Example:
        >>> import chainrule as cr
        >>> cr.tensordot(cr.ones((2, 3, 4)), cr.ones((3, 4, 5))).shape
        (2, 5)
    """
    a, b = _operand(a), _operand(b)
    na, nb = np.ndim(value_of(a)), np.ndim(value_of(b))
    if isinstance(axes, (int, np.integer)):
        if axes < 0 or axes > min(na, nb):
            raise ValueError(f"tensordot: axes={axes} does not fit operands of {na} and {nb} axes")
        axes_a, axes_b = list(range(na - axes, na)), list(range(axes))
    else:
        axes_a, axes_b = (_axes_list(ax, n) for ax, n in zip(axes, (na, nb)))
    if len(axes_a) != len(axes_b):
        raise ValueError(f"tensordot: {len(axes_a)} axes of a paired with {len(axes_b)} axes of b")
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(axes_a, axes_b):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in axes_a] + [c for k, c in enumerate(sb) if k not in axes_b]
    return einsum_op(a, b, subscripts=f"{''.join(sa)},{''.join(sb)}->{''.join(out)}")


def inner(a, b):
    """Sum of products over the last axes, as numpy.inner (a scalar operand multiplies).

    Example:
        >>> import chainrule as cr
        >>> cr.inner(cr.tensor([1.0, 2.0]), cr.tensor([3.0, 4.0]))
        tensor(11.)
    """
    a, b = _operand(a), _operand(b)
    if np.ndim(value_of(a)) == 0 or np.ndim(value_of(b)) == 0:
        return mul(a, b)
    return tensordot(a, b, axes=([-1], [-1]))


def vdot(a, b):
    """The dot product of the two inputs flattened, as numpy.vdot (real inputs).

    Example:
        >>> import chainrule as cr
        >>> cr.vdot(cr.tensor([[1.0, 2.0], [3.0, 4.0]]), cr.ones((2, 2)))
        tensor(10.)
    """
    a, b = _operand(a), _operand(b)
    if np.size(value_of(a)) != np.size(value_of(b)):
        raise ValueError(f"vdot: operands of {np.size(value_of(a))} and {np.size(value_of(b))} elements")
    return einsum_op(reshape(a, (-1,)), reshape(b, (-1,)), subscripts="i,i->")


def kron(a, b):
    """The Kronecker product, as numpy.kron (block a_ij · b).

    Example:
        >>> import chainrule as cr
        >>> cr.kron(cr.tensor([1.0, 10.0]), cr.tensor([1.0, 2.0]))
        tensor([ 1.,  2., 10., 20.])
    """
    a, b = _operand(a), _operand(b)
    sa, sb = np.shape(value_of(a)), np.shape(value_of(b))
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    # a on the even axes, b on the odd ones: their product, merged pairwise, is the block layout
    wide_a = reshape(a, tuple(x for n in sa for x in (n, 1)))
    wide_b = reshape(b, tuple(x for n in sb for x in (1, n)))
    return reshape(wide_a * wide_b, tuple(p * q for p, q in zip(sa, sb)))


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum along a diagonal, as numpy.trace (offset > 0 above the main diagonal).

    (`cr.trace` is the teaching tool that tabulates a function's evaluation; this
    is `cr.linalg.trace`'s engine and the Tensor method `t.trace()`.)

    Example:
        >>> import chainrule as cr
        >>> cr.tensor([[1.0, 2.0], [3.0, 4.0]]).trace()
        tensor(5.)
    """
    return sum(diagonal(x, offset, axis1, axis2), axis=-1)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal over axes axis1, axis2, as numpy.diagonal: those axes go, the diagonal is the last axis.

    Example:
        >>> import chainrule as cr
        >>> from chainrule.ops.contractions import diagonal
        >>> diagonal(cr.tensor([[1.0, 2.0], [3.0, 4.0]]), offset=1)
        tensor([2.])
    """
    x = _operand(x)
    shape = np.shape(value_of(x))
    if len(shape) < 2:
        raise ValueError(f"diagonal needs at least 2 axes, got shape {shape}")
    a1, a2 = normalize_axes(axis1, len(shape))[0], normalize_axes(axis2, len(shape))[0]
    if a1 == a2:
        raise ValueError("diagonal: axis1 and axis2 must be different axes")
    rest = [k for k in range(len(shape)) if k not in (a1, a2)]
    moved = transpose(x, tuple(rest) + (a1, a2))
    n1, n2 = shape[a1], shape[a2]
    start_row, start_col = max(0, -offset), max(0, offset)
    k = max(0, min(n1 - start_row, n2 - start_col))
    rows, cols = np.arange(start_row, start_row + k), np.arange(start_col, start_col + k)
    return moved[(Ellipsis, rows, cols)]


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors, as numpy.cross (broadcasting over the other axes).

    Example:
        >>> import chainrule as cr
        >>> cr.cross(cr.tensor([1.0, 0.0, 0.0]), cr.tensor([0.0, 1.0, 0.0]))
        tensor([0., 0., 1.])
    """
    a, b = _operand(a), _operand(b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _move_last(a, axisa), _move_last(b, axisb)
    if np.shape(value_of(a))[-1] != 3 or np.shape(value_of(b))[-1] != 3:
        raise ValueError("cross: only 3-vectors are supported (NumPy 2 deprecates 2-vectors)")
    a0, a1, a2 = (a[..., k] for k in range(3))
    b0, b1, b2 = (b[..., k] for k in range(3))
    parts = [sub(a1 * b2, a2 * b1), sub(a2 * b0, a0 * b2), sub(a0 * b1, a1 * b0)]
    c = concatenate([expand_dims(p, -1) for p in parts], axis=-1)
    nd = np.ndim(value_of(c))
    return _move_from_last(c, normalize_axes(axisc, nd)[0])


def _move_last(x, axis):
    nd = np.ndim(value_of(x))
    axis = normalize_axes(axis, nd)[0]
    return transpose(x, tuple(k for k in range(nd) if k != axis) + (axis,))


def _move_from_last(x, axis):
    nd = np.ndim(value_of(x))
    order = list(range(nd - 1))
    order.insert(axis, nd - 1)
    return transpose(x, tuple(order))
