"""Test cases for the primitives PyTorch's surface added (src/chainrule/ops/activations.py)."""

import math

import numpy as np

from op_specs import UNARY_SHAPES, unary

CASES = {"erf": unary(shapes=UNARY_SHAPES), "clone": unary(shapes=UNARY_SHAPES)}
REFERENCE = {"erf": np.vectorize(math.erf, otypes=[np.float64]), "clone": np.copy}
