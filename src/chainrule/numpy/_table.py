"""The name table of chainrule.numpy: what each NumPy name becomes.

Read a row as "NumPy's `name` is chainrule's `candidate`": the first
candidate found among chainrule's ops is used (looked up when the name is
first asked for, so ops added to the table later appear by themselves),
then a composite of the same name in this package, else the name is
missing and asking for it raises AttributeError saying it has no rule yet.

Kinds of row:
- UNARY / BINARY: elementwise, called like the ufunc (out=, dtype= as NumPy);
- REDUCTIONS: `(a, axis=None, dtype=None, out=None, keepdims=False)`;
- FUNCTIONS: called with NumPy's arguments unchanged;
- SEQUENCE_FUNCTIONS: FUNCTIONS whose first argument is a sequence of arrays;
- PASSTHROUGH: no derivative: run by NumPy on the arrays, plain results.
"""

from __future__ import annotations

UNARY = {
    "sin": "sin", "cos": "cos", "tan": "tan", "arcsin": "arcsin asin", "arccos": "arccos acos",
    "arctan": "arctan atan", "sinh": "sinh", "cosh": "cosh", "tanh": "tanh", "arcsinh": "arcsinh asinh",
    "arccosh": "arccosh acosh", "arctanh": "arctanh atanh", "exp": "exp", "exp2": "exp2", "expm1": "expm1",
    "log": "log", "log2": "log2", "log10": "log10", "log1p": "log1p", "sqrt": "sqrt", "cbrt": "cbrt",
    "square": "square", "reciprocal": "reciprocal", "negative": "neg negative", "positive": "positive",
    "absolute": "abs absolute", "abs": "abs", "fabs": "fabs", "sign": "sign",
    "deg2rad": "deg2rad", "radians": "radians deg2rad", "rad2deg": "rad2deg", "degrees": "degrees rad2deg",
    "real": "real", "imag": "imag", "conj": "conj", "conjugate": "conjugate conj", "angle": "angle",
    "real_if_close": "real_if_close", "sinc": "sinc", "i0": "i0", "nan_to_num": "nan_to_num",
}

BINARY = {
    "add": "add", "subtract": "sub subtract", "multiply": "mul multiply", "divide": "div divide",
    "true_divide": "div true_divide", "power": "pow power", "float_power": "pow", "maximum": "maximum",
    "minimum": "minimum", "fmax": "fmax", "fmin": "fmin", "logaddexp": "logaddexp", "logaddexp2": "logaddexp2",
    "arctan2": "arctan2 atan2", "hypot": "hypot", "remainder": "remainder mod", "mod": "mod remainder",
    "fmod": "fmod", "matmul": "matmul",
}

REDUCTIONS = {
    "sum": "sum", "prod": "prod", "max": "max", "min": "min", "amax": "max", "amin": "min",
    "mean": "mean", "var": "var", "std": "std",
}

FUNCTIONS = {
    # shape
    "reshape": "reshape", "transpose": "transpose", "swapaxes": "swapaxes", "moveaxis": "moveaxis",
    "rollaxis": "rollaxis", "expand_dims": "expand_dims", "squeeze": "squeeze", "ravel": "ravel",
    "broadcast_to": "broadcast_to", "atleast_1d": "atleast_1d", "atleast_2d": "atleast_2d",
    "atleast_3d": "atleast_3d", "split": "split", "array_split": "array_split", "vsplit": "vsplit",
    "hsplit": "hsplit", "dsplit": "dsplit", "flip": "flip", "fliplr": "fliplr", "flipud": "flipud",
    "rot90": "rot90", "roll": "roll", "repeat": "repeat", "tile": "tile", "pad": "pad",
    # indexing and selection
    "where": "where", "clip": "clip", "take": "take", "take_along_axis": "take_along_axis", "select": "select",
    "sort": "sort", "partition": "partition", "diag": "diag", "diagonal": "diagonal", "trace": "trace",
    "tril": "tril", "triu": "triu", "diff": "diff", "append": "append", "gradient": "gradient",
    "cumsum": "cumsum", "cumprod": "cumprod",
    # products
    "dot": "dot", "vdot": "vdot", "inner": "inner", "outer": "outer", "tensordot": "tensordot",
    "einsum": "einsum", "kron": "kron", "cross": "cross",
    # statistics
    "average": "average", "cov": "cov", "corrcoef": "corrcoef", "median": "median",
    "convolve": "convolve", "interp": "interp",
}

SEQUENCE_FUNCTIONS = {
    "concatenate": "concatenate", "stack": "stack", "vstack": "vstack", "hstack": "hstack",
    "dstack": "dstack", "column_stack": "column_stack", "row_stack": "row_stack vstack",
}

# composites of this package used even where an op of the same name exists (NumPy's meaning differs)
PREFER_COMPOSITE = {"dot"}

PASSTHROUGH = set("""
floor ceil round around rint fix trunc all any argmax argmin argpartition argsort argwhere nonzero
flatnonzero count_nonzero searchsorted ndim shape size floor_divide logical_and logical_or logical_not
logical_xor isfinite isinf isnan isneginf isposinf allclose isclose array_equal array_equiv greater
greater_equal less less_equal equal not_equal iscomplexobj iscomplex isrealobj isscalar isreal signbit
result_type unique digitize bincount histogram histogram2d histogramdd unravel_index ravel_multi_index
indices tril_indices triu_indices diag_indices tril_indices_from triu_indices_from diag_indices_from
zeros ones empty eye identity arange logspace geomspace meshgrid tri zeros_like ones_like
empty_like full_like copyto can_cast promote_types min_scalar_type issubdtype seterr geterr errstate
set_printoptions get_printoptions printoptions array2string array_repr array_str format_float_positional
format_float_scientific broadcast_shapes save savez savez_compressed load loadtxt savetxt genfromtxt
fromfile frombuffer fromiter fromstring fromfunction may_share_memory shares_memory iterable gcd lcm
bitwise_and bitwise_or bitwise_xor invert left_shift right_shift isdtype lexsort nanargmax nanargmin
iinfo finfo busday_count datetime_as_string isnat setdiff1d intersect1d union1d in1d isin
""".split())

LINALG = {
    "inv": "linalg.inv inv", "det": "linalg.det det", "slogdet": "linalg.slogdet slogdet",
    "solve": "linalg.solve solve", "cholesky": "linalg.cholesky cholesky", "eigh": "linalg.eigh eigh",
    "eigvalsh": "linalg.eigvalsh eigvalsh", "svd": "linalg.svd svd", "norm": "linalg.norm norm",
    "pinv": "linalg.pinv pinv", "qr": "linalg.qr qr", "lstsq": "linalg.lstsq lstsq",
    "matrix_power": "linalg.matrix_power matrix_power", "eig": "linalg.eig eig",
    "eigvals": "linalg.eigvals eigvals", "tensorsolve": "linalg.tensorsolve",
    "tensorinv": "linalg.tensorinv", "multi_dot": "linalg.multi_dot multi_dot",
    "matrix_norm": "linalg.matrix_norm", "vector_norm": "linalg.vector_norm", "matmul": "matmul",
    "tensordot": "tensordot", "vecdot": "linalg.vecdot",
}
LINALG_PASSTHROUGH = {"matrix_rank", "cond", "LinAlgError"}

FFT = {name: f"fft.{name} fft_{name} {name}" for name in (
    "fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
    "hfft", "ihfft", "fftshift", "ifftshift")}
FFT_PASSTHROUGH = {"fftfreq", "rfftfreq"}
