"""Test cases for the primitives PyTorch's surface added (src/chainrule/ops/activations.py)."""


import numpy as np

from op_specs import UNARY_SHAPES, unary

# erf's cases are in op_specs_special.py (one row serves GELU and scipy.special)
CASES = {"clone": unary(shapes=UNARY_SHAPES)}
REFERENCE = {"clone": np.copy}
