"""The port of HIPS autograd's test suite: a fixed NumPy seed for every test, as autograd's own conftest."""

import numpy
import pytest


@pytest.fixture(autouse=True)
def random_seed():
    numpy.random.seed(42)
