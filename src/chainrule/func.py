"""torch.func's transforms with its signatures: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap,
and its functional_call / stack_module_state (a module as a function of its parameters: nn/stateless.py).

They are chainrule's own transforms (chainrule.transforms) with PyTorch's
extras: `argnums` tuples for the Jacobians and Hessians (a tuple of results,
one per argument) and `has_aux` (f returns (output, aux); aux is passed
through untouched).

Example:
    >>> import chainrule as cr
    >>> jx, jy = cr.func.jacrev(lambda x, y: x * y, argnums=(0, 1))(cr.tensor([1.0, 2.0]), cr.tensor([3.0, 4.0]))
    >>> jx.tolist(), jy.tolist()
    ([[3.0, 0.0], [0.0, 4.0]], [[1.0, 0.0], [0.0, 2.0]])
"""

from __future__ import annotations

from . import transforms as T
from .core.errors import ChainruleError
from .nn.stateless import functional_call, stack_module_state
from .vmap import vmap as _vmap


def _split_aux(f, box):
    def f_out(*args, **kwargs):
        result = f(*args, **kwargs)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise ChainruleError("has_aux=True needs f to return a pair (output, aux)")
        box.append(result[1])
        return result[0]
    return f_out


def grad(func, argnums=0, has_aux=False):
    """The gradient of a scalar function (a tuple of them for an argnums tuple); with has_aux, (grad, aux).

    Example:
        >>> import chainrule as cr
        >>> cr.func.grad(lambda x: (x ** 2).sum())(cr.tensor([1.0, 2.0]))
        tensor([2., 4.])
    """
    return T.grad(func, argnums, has_aux)


def grad_and_value(func, argnums=0, has_aux=False):
    """(gradient, value) in one pass (torch.func's order: gradient first).

    Example:
        >>> import chainrule as cr
        >>> g, v = cr.func.grad_and_value(lambda x: x * x)(cr.tensor(3.0))
        >>> g.item(), v.item()
        (6.0, 9.0)
    """
    value_and_grad = T.value_and_grad(func, argnums, has_aux)

    def wrapped(*args, **kwargs):
        value, g = value_and_grad(*args, **kwargs)
        return g, value
    return wrapped


def vjp(func, *primals, has_aux=False):
    """(func(*primals), vjp_fn[, aux]): vjp_fn(cotangent) returns a tuple with one adjoint per primal.

    Example:
        >>> import chainrule as cr
        >>> out, back = cr.func.vjp(lambda x: x * 3.0, cr.tensor([1.0, 2.0]))
        >>> back(cr.ones(2))
        (tensor([3., 3.]),)
    """
    if not has_aux:
        return T.vjp(func, *primals)
    box = []
    out, back = T.vjp(_split_aux(func, box), *primals)
    return out, back, box[0]


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """(func(*primals), J·tangents[, aux]) by forward mode; primals and tangents are tuples.

    Example:
        >>> import chainrule as cr
        >>> out, t = cr.func.jvp(lambda x: x ** 2, (cr.tensor(3.0),), (cr.tensor(1.0),))
        >>> out.item(), t.item()
        (9.0, 6.0)
    """
    if not isinstance(primals, tuple) or not isinstance(tangents, tuple):
        raise ChainruleError("jvp(func, primals, tangents): primals and tangents must be tuples, "
                             "e.g. jvp(f, (x,), (v,))")
    if not has_aux:
        return T.jvp(func, primals, tangents)
    box = []
    out, t = T.jvp(_split_aux(func, box), primals, tangents)
    return out, t, box[0]


def _jacobian(transform, func, argnums, has_aux):
    many = isinstance(argnums, (tuple, list))
    nums = tuple(argnums) if many else (argnums,)

    def jac(*args, **kwargs):
        box = []
        inner = _split_aux(func, box) if has_aux else func
        g = lambda *a: inner(*a, **kwargs)  # noqa: E731
        results = tuple(transform(g, n)(*args) for n in nums)
        out = results if many else results[0]
        return (out, box[0]) if has_aux else out
    return jac


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """Jacobian by reverse mode, shape output.shape + input.shape; a tuple of them for an argnums tuple.

    Example:
        >>> import chainrule as cr
        >>> cr.func.jacrev(lambda x: x ** 2)(cr.tensor([1.0, 2.0])).tolist()
        [[2.0, 0.0], [0.0, 4.0]]
    """
    return _jacobian(T.jacrev, func, argnums, has_aux)


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """Jacobian by forward mode; a tuple of them for an argnums tuple.

    Example:
        >>> import chainrule as cr
        >>> cr.func.jacfwd(lambda x, y: x * y, argnums=1)(cr.tensor([1.0, 2.0]), cr.tensor([3.0, 4.0])).tolist()
        [[1.0, 0.0], [0.0, 2.0]]
    """
    return _jacobian(T.jacfwd, func, argnums, has_aux)


def hessian(func, argnums=0):
    """Second derivatives (forward over reverse); for an argnums tuple, the nested tuple H[i][j].

    Example:
        >>> import chainrule as cr
        >>> cr.func.hessian(lambda x: (x ** 3).sum())(cr.tensor([1.0, 2.0])).tolist()
        [[6.0, 0.0], [0.0, 12.0]]
    """
    if not isinstance(argnums, (tuple, list)):
        return jacfwd(jacrev(func, argnums), argnums)
    nums = tuple(argnums)

    def hess(*args, **kwargs):
        return tuple(tuple(T.jacfwd(T.jacrev(lambda *a: func(*a, **kwargs), i), j)(*args) for j in nums)
                     for i in nums)
    return hess


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """torch.func.vmap: chainrule's `vmap` with PyTorch's argument names (in_dims, out_dims).

    `randomness` is torch.func's: random draws inside func (dropout while training) are refused
    ("error"), drawn for each example ("different") or once for all ("same"). `chunk_size` is accepted
    for PyTorch's signature; every op runs on the whole batch at once.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> cr.func.vmap(lambda x: (x * x).sum())(np.array([[1.0, 2.0], [3.0, 4.0]]))
        tensor([ 5., 25.], dtype=float64)
    """
    return _vmap(func, in_axes=in_dims, out_axes=out_dims, randomness=randomness)


__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap", "functional_call",
           "stack_module_state"]
