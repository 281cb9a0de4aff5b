"""Test cases for the NumPy-surface rows (issue 12): merged into tests/op_specs.py."""

import numpy as np

from op_specs import sample

CASES = {
    "cumsum": [((sample((3, 4)),), {"axis": 0}), ((sample((3, 4)),), {"axis": 1}), ((sample((3, 4)),), {}),
               ((sample(()),), {}), ((sample((1,)),), {"axis": 0}), ((sample((0, 3)),), {"axis": 1})],
}

REFERENCE = {
    "cumsum": lambda x, axis=None: np.cumsum(x, axis=axis),
}
