"""Test setup shared by every suite: the float dtype derivative checks run in.

chainrule follows PyTorch where it uses PyTorch's names, so `cr.tensor([0.3, -1.2])`, the creation
functions and new layers give float32 (`cr.get_default_dtype()`). Most suites here compare derivatives
with central finite differences, which are only meaningful in float64, and they build their inputs from
Python lists. So every test runs with float64 as the default dtype (the fixture below), and the default
is put back afterwards.

Tests of the real defaults (float32 from Python floats, layers' parameters, the ported PyTorch programs)
are marked `library_defaults` (a test, or a module through `pytestmark`) and run with chainrule's own
default. Doctests in src/, docs/ and README.md are not under this folder: they always show the real one.
"""

import pytest

import chainrule as cr

# this file has no doctests, and collecting it as a module would clash with autograd_port/conftest.py's name
collect_ignore = ["conftest.py"]

LIBRARY_DEFAULT = cr.get_default_dtype()  # read at import, before any test could change it


def pytest_configure(config):
    config.addinivalue_line("markers", "library_defaults: run with chainrule's own default dtype (float32), "
                                       "not the float64 the derivative checks use")


@pytest.fixture(autouse=True)
def _float64_for_derivative_checks(request):
    marked = request.node.get_closest_marker("library_defaults") is not None
    cr.set_default_dtype(LIBRARY_DEFAULT if marked else cr.float64)
    yield
    cr.set_default_dtype(LIBRARY_DEFAULT)
