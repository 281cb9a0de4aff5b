"""`cr.optimize.minimize`: scipy.optimize.minimize with chainrule's gradients and Hessian products.

SciPy's optimisers take a function of one flat float64 vector and,
optionally, its gradient (`jac`) and a Hessian-vector product (`hessp`).
`minimize` builds all three from your function of any parameter structure
(an array, or a tuple / list / dict of arrays, as `cr.grad` takes): the
vector is unflattened into that structure, `cr.value_and_grad` gives value
and gradient in one sweep, and `cr.hvp` (forward over reverse) gives H·v
without forming H. SciPy is imported only when `minimize` is called
(install the `optimize` extra: `pip install chainrule[optimize]`).

Example:
    >>> import chainrule as cr, chainrule.numpy as np
    >>> def rosenbrock(x):
    ...     return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    >>> result = cr.optimize.minimize(rosenbrock, np.array([-1.2, 1.0]), method="BFGS")
    >>> [round(float(v), 4) for v in result.x]
    [1.0, 1.0]
"""

from __future__ import annotations

import numpy as np

from .core.errors import ChainruleError
from .core.tensor import Tensor
from .transforms import hvp, value_and_grad
from .tree import flatten, unflatten

# methods of scipy.optimize.minimize that use a Hessian-vector product when given one
_USES_HESSP = {"newton-cg", "trust-ncg", "trust-krylov", "trust-constr"}
# methods that use no derivative at all
_DERIVATIVE_FREE = {"nelder-mead", "powell", "cobyla", "cobyqa"}


def _scipy_minimize():
    try:
        from scipy.optimize import minimize as scipy_minimize
    except ImportError:
        raise ChainruleError("cr.optimize.minimize needs SciPy; install it with `pip install chainrule[optimize]` "
                             "(or `pip install scipy`)") from None
    return scipy_minimize


class Flattener:
    """Between a parameter structure and one flat float64 vector (what SciPy optimises).

    Example:
        >>> import numpy as np
        >>> flat = Flattener({"w": np.ones((2, 2)), "b": np.zeros(2)})
        >>> flat.vector.shape, flat.unflatten(np.arange(6.0))["w"].shape
        ((6,), (2, 2))
    """

    def __init__(self, params):
        leaves, self.structure = flatten(params)
        arrays = [np.asarray(leaf._data if isinstance(leaf, Tensor) else leaf, dtype=np.float64) for leaf in leaves]
        self.shapes = [a.shape for a in arrays]
        self.sizes = [a.size for a in arrays]
        self.vector = np.concatenate([a.ravel() for a in arrays]) if arrays else np.zeros(0)

    def unflatten(self, vector):
        """The structure rebuilt from a flat vector (ndarrays, or Tensors if the vector is one).

        Example:
            >>> Flattener((np.zeros(1), np.zeros((1, 2)))).unflatten(np.arange(3.0))[1]
            array([[1., 2.]])
        """
        from .ops import reshape
        from .ops.shape import getitem

        pieces, start = [], 0
        for shape, size in zip(self.shapes, self.sizes):
            piece = getitem(vector, index=slice(start, start + size)) if isinstance(vector, Tensor) else (
                np.asarray(vector[start:start + size]))
            pieces.append(reshape(piece, shape))
            start += size
        return unflatten(self.structure, pieces)

    def flatten(self, params):
        """A structure like the original as one flat float64 vector.

        Example:
            >>> Flattener([np.zeros(2)]).flatten([np.ones(2)])
            array([1., 1.])
        """
        leaves, _ = flatten(params)
        return np.concatenate([np.asarray(leaf, dtype=np.float64).ravel() for leaf in leaves]) if leaves else (
            np.zeros(0))


def minimize(fun, x0, args=(), method="BFGS", *, hessp=None, callback=None, **kwargs):
    """Minimise `fun(params, *args)` with scipy.optimize.minimize, gradients by chainrule.

    `x0` is an array or a structure of arrays (tuple / list / dict). The
    gradient is always supplied (`jac`), and for Newton-CG, trust-ncg,
    trust-krylov and trust-constr also the Hessian-vector product
    (`hessp`), unless you pass `hessp=False`. Other keyword arguments
    (`bounds`, `tol`, `options`, ...) go to SciPy unchanged. Returns SciPy's
    OptimizeResult with `x` in the structure of `x0` (and `x_flat`).

    Example (L-BFGS-B with bounds):
        >>> import chainrule as cr, chainrule.numpy as np
        >>> r = cr.optimize.minimize(lambda x: np.sum((x - 3.0) ** 2), np.zeros(2), method="L-BFGS-B",
        ...                          bounds=[(0, 2), (0, 5)])
        >>> [round(float(v), 6) for v in r.x]
        [2.0, 3.0]
    """
    scipy_minimize = _scipy_minimize()
    flat = Flattener(x0)
    method_name = method.lower() if isinstance(method, str) else method

    def objective(vector):
        return fun(flat.unflatten(vector), *args)

    value_and_gradient = value_and_grad(objective)

    def value_and_jac(vector):
        value, gradient = value_and_gradient(np.asarray(vector, dtype=np.float64))
        return float(np.asarray(value)), flat.flatten([gradient])

    def hessian_vector_product(vector, direction):
        _, hv = hvp(objective, (np.asarray(vector, dtype=np.float64),), (np.asarray(direction, dtype=np.float64),))
        return np.asarray(hv, dtype=np.float64).ravel()

    options = dict(kwargs)
    if method_name in _DERIVATIVE_FREE:
        def value_only(vector):
            return float(np.asarray(objective(np.asarray(vector, dtype=np.float64))))
        result = scipy_minimize(value_only, flat.vector, method=method, callback=callback, **options)
    else:
        if hessp is None and method_name in _USES_HESSP:
            options["hessp"] = hessian_vector_product
        elif callable(hessp):
            options["hessp"] = hessp
        result = scipy_minimize(value_and_jac, flat.vector, method=method, jac=True, callback=callback, **options)
    result.x_flat = result.x
    result.x = flat.unflatten(result.x) if not isinstance(x0, np.ndarray) else result.x.reshape(np.shape(x0))
    return result


__all__ = ["minimize", "Flattener"]
