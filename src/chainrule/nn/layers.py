"""Layers: Linear, Sequential, MLP and one module per activation function.

The activation modules are the rows of the notes' table (linear, binary
step, sigmoid, tanh, ReLU, softplus, leaky ReLU, ELU) plus softmax and
log-softmax.
"""

from __future__ import annotations

import math

import numpy as np

from .. import creation, ops
from ..core.errors import ChainruleError
from . import init
from .module import Module, Parameter


class Linear(Module):
    """y = x Wᵀ + b, with W of shape (out_features, in_features) as in PyTorch.

    Default initialisation (PyTorch's): W and b drawn from U(-k, k) with
    k = 1/√in_features (kaiming_uniform_ with a = √5 gives exactly this bound).

    Example:
        >>> import chainrule as cr
        >>> layer = cr.nn.Linear(3, 2)
        >>> layer.weight.shape, layer(cr.ones((5, 3))).shape
        ((2, 3), (5, 2))
    """

    def __init__(self, in_features, out_features, bias=True, dtype=np.float64, rng=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        rng = rng if rng is not None else creation.default_rng()
        k = 1.0 / math.sqrt(in_features)
        self.weight = Parameter(rng.uniform(-k, k, (out_features, in_features)).astype(dtype))
        self.bias = Parameter(rng.uniform(-k, k, out_features).astype(dtype)) if bias else None

    def forward(self, x):
        bias = self.bias
        return ops.linear(x, self.weight) if bias is None else ops.linear(x, self.weight, bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Modules applied in order; indexable and iterable.

    Example:
        >>> import chainrule as cr
        >>> net = cr.nn.Sequential(cr.nn.Linear(2, 4), cr.nn.Tanh(), cr.nn.Linear(4, 1))
        >>> len(net), type(net[1]).__name__
        (3, 'Tanh')
    """

    def __init__(self, *modules):
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise ChainruleError(f"Sequential takes Modules, argument {i} is a {type(m).__name__}")
            setattr(self, str(i), m)

    def forward(self, x):
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i):
        return list(self._modules.values())[i]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())


def _activation_module(fn, name, doc, **defaults):
    def __init__(self, **kwargs):
        Module.__init__(self)
        unknown = set(kwargs) - set(defaults)
        if unknown:
            raise ChainruleError(f"{name} got unexpected arguments {sorted(unknown)}")
        for key, value in {**defaults, **kwargs}.items():
            object.__setattr__(self, key, value)

    def forward(self, x):
        return fn(x, **{k: getattr(self, k) for k in defaults})

    def forward_plain(self, x):  # no keyword arguments to gather (ReLU, Tanh, ...): called every step
        return fn(x)

    def extra_repr(self):
        return ", ".join(f"{k}={getattr(self, k)}" for k in defaults)

    return type(name, (Module,), {"__init__": __init__, "forward": forward if defaults else forward_plain,
                                  "extra_repr": extra_repr,
                                  "__doc__": doc})


Identity = _activation_module(lambda x: x, "Identity", "The linear activation f(x) = x.")
Step = _activation_module(ops.step, "Step", "Binary step: 1 for x >= 0 else 0; zero gradient.")
Sigmoid = _activation_module(ops.sigmoid, "Sigmoid", "σ(x) = 1 / (1 + e^-x).")
Tanh = _activation_module(ops.tanh, "Tanh", "Hyperbolic tangent.")
ReLU = _activation_module(ops.relu, "ReLU", "max(0, x); derivative 0 at 0.")
Softplus = _activation_module(ops.softplus, "Softplus", "log(1 + e^(βx)) / β.", beta=1.0, threshold=20.0)
LeakyReLU = _activation_module(ops.leaky_relu, "LeakyReLU", "x for x > 0 else slope·x.", negative_slope=0.01)
ELU = _activation_module(ops.elu, "ELU", "x for x > 0 else α(e^x - 1).", alpha=1.0)
Softmax = _activation_module(lambda x, dim: ops.softmax(x, axis=dim), "Softmax", "Softmax along dim.", dim=-1)
LogSoftmax = _activation_module(lambda x, dim: ops.log_softmax(x, axis=dim), "LogSoftmax",
                                "log softmax along dim.", dim=-1)

ACTIVATIONS = {"identity": Identity, "linear": Identity, "step": Step, "sigmoid": Sigmoid, "tanh": Tanh,
               "relu": ReLU, "softplus": Softplus, "leaky_relu": LeakyReLU, "elu": ELU}


def MLP(sizes, activation="relu", output_activation=None, bias=True, init_scheme="default", dtype=np.float64,
        rng=None):
    """A multilayer perceptron: Linear layers of `sizes` with `activation` between them.

    `activation` is a name from the notes' table ("relu", "tanh", "sigmoid",
    "step", "softplus", "leaky_relu", "elu", "identity") or a Module class.
    `init_scheme` is "default" (PyTorch's Linear init), "zeros" (the notes'
    symmetry pitfall), "xavier_uniform", "xavier_normal", "kaiming_uniform",
    "kaiming_normal", "normal" or "uniform"; biases then start at 0.

    Example:
        >>> import chainrule as cr
        >>> net = cr.nn.MLP([2, 8, 3], activation="tanh")
        >>> net(cr.ones((4, 2))).shape
        (4, 3)
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ChainruleError(f"MLP needs at least two positive layer sizes, got {sizes}")
    make = ACTIVATIONS.get(activation) if isinstance(activation, str) else activation
    if make is None:
        raise ChainruleError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
    if init_scheme not in init.INITIALIZERS:
        raise ChainruleError(f"unknown init {init_scheme!r}; choose one of {sorted(init.INITIALIZERS)}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = Linear(n_in, n_out, bias=bias, dtype=dtype, rng=rng)
        if init_scheme != "default":
            scheme = init.INITIALIZERS[init_scheme]
            scheme(layer.weight, **({"rng": rng} if init_scheme != "zeros" else {}))
            if layer.bias is not None:
                init.zeros_(layer.bias)
        layers.append(layer)
        if i < len(sizes) - 2:
            layers.append(make())
    if output_activation is not None:
        out = ACTIVATIONS.get(output_activation) if isinstance(output_activation, str) else output_activation
        layers.append(out())
    return Sequential(*layers)
