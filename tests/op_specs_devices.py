"""Cases for the device-move row (ops/devices.py): on the CPU a move to 'cpu' is the identity.

tests/test_backend_strict.py runs the same row between the host and the strict test device.
"""

import numpy as np

from op_specs import sample

CASES = {"to_device": [((sample(s),), {"device": "cpu"}) for s in [(3, 4), (), (0,), (1,)]]}

REFERENCE = {"to_device": lambda x, device: np.asarray(x)}
