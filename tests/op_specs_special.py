"""Test inputs and SciPy references for the scipy.special rows (src/chainrule/ops/special.py)."""

import numpy as np
import scipy.signal as signal
import scipy.special as sp

from op_specs import rng, sample, unary

SHAPES = [(3, 4), (4,), (), (1,), (0,)]


def between(lo, hi, shapes=SHAPES):
    return [((rng.uniform(lo, hi, s),), {}) for s in shapes]


def pair(da="positive", db="positive"):
    return [((sample(a, da), sample(b, db)), {}) for a, b in [((3, 4), (4,)), ((), ()), ((0,), (0,)), ((3, 1), (1, 2))]]


def with_order(domain, orders):
    return [((sample((5,), domain),), {"v": v}) for v in orders] + [((sample((), domain),), {"v": orders[0]})]


CASES = {
    "erf": unary(), "erfc": unary(), "erfinv": unary("unit"), "erfcinv": between(0.2, 1.8),
    "ndtr": unary(), "log_ndtr": unary() + [((np.array([-30.0, -5.0, 5.0]),), {})],
    "ndtri": between(0.05, 0.95),
    "polygamma": [((sample((3, 4), "positive"),), {"n": 1}), ((sample((4,), "positive"),), {"n": 3}),
                  ((sample((), "positive"),), {"n": 2})],
    "digamma": unary("positive"), "gammaln": unary("positive") + [((np.array([-2.5, -0.5]),), {})],
    "gamma": unary("positive"), "rgamma": unary("positive"),
    "beta": pair(), "betaln": pair(),
    "gammainc": [((1.7, sample((3, 4), "positive")), {}), ((0.8, sample((), "positive")), {}),
                 ((2.5, sample((0,), "positive")), {})],
    "gammaincc": [((1.7, sample((3, 4), "positive")), {}), ((3.0, sample((2,), "positive")), {})],
    "logit": between(0.05, 0.95),
    "gammasgn": [((np.array([-2.5, -1.5, 0.5, 3.0]),), {})],
    "betainc": [((2.0, 3.5, rng.uniform(0.05, 0.95, (3, 4))), {}), ((0.7, 1.3, rng.uniform(0.05, 0.95, ())), {}),
                ((1.5, 2.5, rng.uniform(0.05, 0.95, (0,))), {})],
    "xlogy": pair("real", "positive") + [((np.array([0.0, 1.5]), np.array([2.0, 0.5])), {})],
    "xlog1py": pair("real", "positive"), "entr": unary("positive"),
    "jv": with_order("positive", [0, 1.5, -2.5]), "yv": with_order("positive", [0, 1, 2.5]),
    "iv": with_order("positive", [0, 1.5, 3]), "ive": with_order("nonzero", [0, 1, 2]),
    "j0": unary(), "j1": unary(), "y0": unary("positive"), "y1": unary("positive"),
    "i0": unary(), "i1": unary(), "i0e": unary("nonzero"), "i1e": unary("nonzero"),
    "kv": with_order("positive", [0, 1.5, 3]), "kve": with_order("positive", [0, 2.5]),
    "k0": unary("positive"), "k1": unary("positive"), "k0e": unary("positive"), "k1e": unary("positive"),
    "erfcx": unary() + [((np.array([-3.0, 10.0, 30.0]),), {})],
    "log_expit": unary() + [((np.array([-40.0, 40.0]),), {})],
    "exp1": unary("positive"), "expi": unary("nonzero"),
    "stdtr": [((3.5, sample((3, 4))), {}), ((1.0, sample(())), {}), ((7.0, sample((0,))), {})],
    # scipy.signal.convolve (src/chainrule/ops/signal.py)
    "convolve": [((sample(a), sample(b)), {"mode": mode}) for a, b, mode in [
        ((5,), (3,), "full"), ((5,), (3,), "same"), ((5,), (3,), "valid"), ((2,), (4,), "valid"),
        ((3,), (4,), "same"), ((4, 5), (2, 3), "full"), ((4, 5), (3, 2), "same"), ((4, 5), (2, 3), "valid"),
        ((2, 3, 4), (2, 2, 2), "full"), ((), (), "full"), ((1,), (1,), "same")]],
    # the canonical valid convolution under autograd's convolve(A, B, axes, dot_axes)
    "conv_valid": [((sample(a), sample(b)), {"ignore_a": ia, "ignore_b": ib, "dot": d}) for a, b, ia, ib, d in [
        ((6,), (3,), 0, 0, 0), ((2, 5), (3, 2), 1, 1, 0), ((2, 3, 5, 4), (4, 3, 2, 2), 1, 1, 1),
        ((3, 4, 4), (3, 2, 3), 0, 0, 1), ((3,), (3,), 0, 0, 0), ((2, 1), (1,), 1, 0, 0)]],
}


def _conv_valid(a, b, ignore_a, ignore_b, dot):
    """Σ over the dot axes of scipy's 'valid' convolutions, slice by slice."""
    lead_a, lead_b, dots = a.shape[:ignore_a], b.shape[:ignore_b], a.shape[ignore_a:ignore_a + dot]
    out = None
    for i in np.ndindex(lead_a):
        for j in np.ndindex(lead_b):
            for d in np.ndindex(dots):
                part = signal.convolve(a[i + d], b[j + d], mode="valid")
                if out is None:
                    out = np.zeros(lead_a + lead_b + part.shape)
                out[i + j] += part
    return out

# numpy.fft rows (src/chainrule/ops/fft.py). Complex inputs are drawn by `spectrum`; tests/test_ops.py
# differentiates them in their real and imaginary parts.
def spectrum(shape):
    return sample(shape) + 1j * sample(shape)


CASES.update({
    "fftn": [((sample((5,)),), {"axes": (0,)}), ((spectrum((3, 4)),), {"norm": "ortho"}),
             ((spectrum((3, 4)),), {"s": (5,), "axes": (0,)})],
    "ifftn": [((spectrum((2, 3, 4)),), {"axes": (0, 2)}), ((sample((4,)),), {"s": (6,), "axes": (0,)})],
    "rfftn": [((sample((6,)),), {"axes": (0,)}), ((sample((3, 5)),), {"s": (4, 6), "axes": (0, 1)})],
    "irfftn": [((spectrum((4,)),), {"axes": (0,)}), ((spectrum((2, 5)),), {"s": (3, 4), "axes": (0, 1)})],
    "hfft": [((spectrum((4,)),), {}), ((spectrum((3, 4)),), {"n": 7, "axis": 0, "norm": "ortho"})],
    "ihfft": [((sample((6,)),), {}), ((sample((5,)),), {"n": 8, "norm": "forward"})],
})


REFERENCE = {
    "erf": sp.erf, "erfc": sp.erfc, "erfinv": sp.erfinv, "erfcinv": sp.erfcinv, "ndtr": sp.ndtr,
    "log_ndtr": sp.log_ndtr, "ndtri": sp.ndtri, "polygamma": lambda x, n: sp.polygamma(n, x),
    "digamma": sp.digamma, "gammaln": sp.gammaln, "gamma": sp.gamma, "rgamma": sp.rgamma,
    "beta": sp.beta, "betaln": sp.betaln, "gammainc": sp.gammainc,
    "gammasgn": sp.gammasgn, "betainc": sp.betainc, "gammaincc": sp.gammaincc,
    "logit": sp.logit, "xlogy": sp.xlogy, "xlog1py": sp.xlog1py, "entr": sp.entr,
    "jv": lambda x, v: sp.jv(v, x), "yv": lambda x, v: sp.yv(v, x), "iv": lambda x, v: sp.iv(v, x),
    "ive": lambda x, v: sp.ive(v, x), "j0": sp.j0, "j1": sp.j1, "y0": sp.y0, "y1": sp.y1,
    "i0": sp.i0, "i1": sp.i1, "i0e": sp.i0e, "i1e": sp.i1e, "stdtr": sp.stdtr,
    "kv": lambda x, v: sp.kv(v, x), "kve": lambda x, v: sp.kve(v, x), "k0": sp.k0, "k1": sp.k1, "k0e": sp.k0e,
    "k1e": sp.k1e, "erfcx": sp.erfcx, "log_expit": sp.log_expit, "exp1": sp.exp1, "expi": sp.expi,
    "convolve": lambda x, k, mode="full": signal.convolve(x, k, mode=mode), "conv_valid": _conv_valid,
    "fftn": np.fft.fftn, "ifftn": np.fft.ifftn, "rfftn": np.fft.rfftn, "irfftn": np.fft.irfftn,
    "hfft": np.fft.hfft, "ihfft": np.fft.ihfft,
}
