"""chainrule: derivatives of NumPy programs by the chain rule, shown step by step.

Example:
    >>> import chainrule as cr
    >>> x = cr.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (cr.tanh(x) ** 2).sum()
    >>> y.backward()
    >>> x.grad.shape
    (2,)
"""

from . import _interrupt  # noqa: F401, I001  (first: a Ctrl-C while the command loads is one line)
import numpy as _np
from . import autograd, core, cuda, data, fft, func, inputs, linalg, nn, optim, optimize, special, train, utils
from . import numpy  # noqa: F401, I001  (NumPy's names; registers what numpy.sin(t) dispatches to)
from . import batching  # noqa: I001  (the op table's batching column, vmap's rules)
from .core import (
                   AnomalyError,
                   ChainruleError,
                   DeviceError,
                   GraphFreedError,
                   InplaceModificationError,
                   Op,
                   OpError,
                   Tensor,
                   defop,
                   detect_anomaly,
                   enable_grad,
                   is_grad_enabled,
                   no_grad,
                   set_grad_enabled,
)
from .creation import (
                   get_default_dtype,
                   set_default_dtype,  # torch names
                   Generator,
                   arange,
                   as_tensor,
                   empty,
                   eye,
                   full,
                   linspace,
                   manual_seed,
                   multinomial,
                   normal,
                   ones,
                   ones_like,
                   rand,
                   randint,
                   randn,
                   randperm,
                   tensor,
                   uniform,
                   zeros,
                   zeros_like,
)
from .cuda import device  # torch names
from .io import load, save
from .jit import JitError, jit
from .ops import *  # noqa: F403  (the op table is the public math API)
from .ops import __all__ as _ops_all
from .special import digamma, erf, erfc, erfinv, logit, polygamma, xlogy  # torch's names, at the top
from .special import gammaln as lgamma
from .tools.check_gradient import check_gradient
from .tools.dual import dual, dual_parts
from .tools.explain import explain
from .tools.gradcheck import GradcheckError, gradcheck
from .tools.graphviz import draw_graph
from .tools.trace import Trace, trace
from .transforms import custom_vjp, grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, value_and_grad, vjp
from .vmap import vmap

__version__ = "0.1.0"

# dtypes under PyTorch's names (cr.float32, cr.float, cr.long, ...): NumPy dtypes. Not in __all__, so a
# star import never shadows Python's float, int and bool.
float16 = half = _np.dtype("float16")
float32 = float = _np.dtype("float32")  # noqa: A001
float64 = double = _np.dtype("float64")
complex64, complex128 = _np.dtype("complex64"), _np.dtype("complex128")
cfloat, cdouble = complex64, complex128
int8, int16, int32, int64, uint8 = (_np.dtype(n) for n in ("int8", "int16", "int32", "int64", "uint8"))
int = int32  # noqa: A001
long = int64
bool = _np.dtype("bool")  # noqa: A001

__all__ = [
    "Tensor", "Op", "defop", "batching", "core", "data", "inputs", "linalg", "nn", "optim", "train", "save", "load",
    "tensor", "as_tensor", "zeros", "ones", "full", "zeros_like", "ones_like", "arange", "linspace", "eye",
    "randn", "rand", "normal", "uniform", "manual_seed", "set_default_dtype", "get_default_dtype", "empty",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "detect_anomaly",
    "grad", "value_and_grad", "vjp", "jvp", "jacrev", "jacfwd", "jacobian", "hessian", "hvp", "custom_vjp", "vmap",
    "jit", "JitError",
    "gradcheck", "GradcheckError", "trace", "Trace", "check_gradient", "dual", "dual_parts", "draw_graph", "explain",
    "optimize",
    "ChainruleError", "GraphFreedError", "InplaceModificationError", "AnomalyError", "OpError", *_ops_all,
    "fft", "special", "erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "logit", "xlogy",
    # torch names
    "autograd", "cuda", "func", "utils", "device", "DeviceError", "Generator", "multinomial", "randint", "randperm",
]


def __getattr__(name):  # torch names: a missing PyTorch name says what chainrule calls it
    from ._torch_hints import missing

    missing("chainrule", name)
