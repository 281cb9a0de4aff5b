"""The batching column of the op table: which rule each built-in op has, by kind."""

from __future__ import annotations

from ..core.registry import OPS
from .convolutions import CONVOLUTIONS
from .products import PRODUCTS, fold_all_into_first_axis, fold_into_first_axis
from .rules import (
    _broadcast_to,
    _concatenate,
    _gather,
    _gather_adjoint,
    _getitem,
    _reshape,
    _scatter_add,
    _sum_to,
    _transpose,
    along_axes,
    along_axis,
    elementwise,
    loop,
    stacked_matrices,
)

# ---- the column of the table -----------------------------------------------------------
ELEMENTWISE = ("add", "sub", "div", "abs", "neg", "relu", "where", "equal", "not_equal", "greater",
               "greater_equal", "less", "less_equal", "cast", "alias", "real", "conj", "imag", "angle", "clone",
               "to_device", "betainc", "gammainc", "gammaincc", "stdtr", "gammasgn")
REDUCTIONS = ("sum", "prod", "max", "min", "logsumexp", "euclidean_norm", "softmax", "log_softmax", "hfft", "ihfft")
MANY_AXES = ("fftn", "ifftn", "rfftn", "irfftn")  # numpy.fft's n-dimensional transforms (axes=, s=)
FLATTENING = ("argmax", "argmin", "argsort", "cumsum", "cumprod")  # axis=None: along the flattened array
STACKED = ("cholesky", "det", "inv", "eigh_values", "eigh_vectors", "pinv", "qr_q", "qr_r",
           "slogdet_logabsdet", "slogdet_sign", "svd_u", "svd_vh", "svdvals", "sqrtm", "solve_sylvester")
OWN = {"reshape": _reshape, "transpose": _transpose, "broadcast_to": _broadcast_to, "sum_to": _sum_to,
       "concatenate": _concatenate, "getitem": _getitem, "scatter_add": _scatter_add,
       "gather": _gather, "gather_adjoint": _gather_adjoint}
FOLDED = ("max_pool2d",)  # one example (N, C, H, W): the batch joins N
FOLDED_ALL = ("max_pool2d_scatter", "max_pool2d_gather")  # the same, for every argument
# correct and slow, one call per example (none of the built-in ops since their forwards take stacks)
LOOPED: tuple[str, ...] = ()


def install(defbatch):
    """Fill the batching column for every built-in op that has a rule (chainrule.batching calls it once).

    Example:
        >>> import chainrule as cr
        >>> cr.core.OPS["reshape"].batch.__name__
        '_reshape'
    """
    for op in OPS.values():
        if op.partial is not None and op.batch is None:
            defbatch(op, elementwise)
    table = {**{n: elementwise for n in ELEMENTWISE}, **{n: along_axis() for n in REDUCTIONS},
             **{n: along_axis("flatten") for n in FLATTENING}, **{n: stacked_matrices for n in STACKED},
             **{n: loop for n in LOOPED}, **{n: fold_into_first_axis(4) for n in FOLDED},
             **{n: fold_all_into_first_axis(4) for n in FOLDED_ALL},
             **dict.fromkeys(MANY_AXES, along_axes), **OWN, **PRODUCTS, **CONVOLUTIONS}
    for name, rule in table.items():
        if name in OPS:
            defbatch(name, rule)
