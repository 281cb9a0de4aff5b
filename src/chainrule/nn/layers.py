"""Layers: Linear, Sequential, MLP and one module per activation function.

The activation modules are the rows of the notes' table (linear, binary
step, sigmoid, tanh, ReLU, softplus, leaky ReLU, ELU) plus softmax and
log-softmax.
"""

from __future__ import annotations

import math

from .. import creation, ops
from ..core.errors import ChainruleError
from . import init
from ._defaults import default_dtype
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

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None, rng=None):  # torch's order
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        rng = rng if rng is not None else creation.default_rng()
        k = 1.0 / math.sqrt(in_features)
        dtype = default_dtype(dtype)
        self.weight = Parameter(rng.uniform(-k, k, (out_features, in_features)).astype(dtype))
        self.bias = Parameter(rng.uniform(-k, k, out_features).astype(dtype)) if bias else None
        self._place(device)  # drawn on the host (the same numbers on every device), then placed

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


class Identity(Module):
    """The linear activation f(x) = x (the notes' "linear" row); any arguments are taken and ignored, as
    PyTorch's (so it can stand in for a layer with the layer's own arguments).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Identity(54, unused_argument=0.1)(cr.tensor([-1.0, 2.0])).tolist()
        [-1.0, 2.0]
    """

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, x):
        return x


class Step(Module):
    """Binary step: 1 for x >= 0, else 0; its gradient is 0 everywhere (nothing to learn from).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Step()(cr.tensor([-0.5, 0.0, 2.0])).tolist()
        [0.0, 1.0, 1.0]
    """

    def forward(self, x):
        return ops.step(x)


class Sigmoid(Module):
    """σ(x) = 1 / (1 + e^-x), derivative σ(x)(1 - σ(x)) (at most 1/4: deep stacks vanish).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Sigmoid()(cr.tensor([0.0])).tolist()
        [0.5]
    """

    def forward(self, x):
        return ops.sigmoid(x)


class Tanh(Module):
    """Hyperbolic tangent, derivative 1 - tanh² x.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Tanh()(cr.tensor([0.0])).tolist()
        [0.0]
    """

    def forward(self, x):
        return ops.tanh(x)


class ReLU(Module):
    """max(0, x); derivative 1 for x > 0, 0 otherwise (ReLU'(0) = 0, as PyTorch).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.ReLU(inplace=True)(cr.tensor([-1.0, 3.0])).tolist()
        [0.0, 3.0]
    """

    def __init__(self, inplace=False):  # taken, as PyTorch's; the result is a new tensor either way
        super().__init__()

    def forward(self, x):
        return ops.relu(x)


class Softplus(Module):
    """log(1 + e^(βx)) / β, a smooth ReLU; linear above `threshold` (for stability), as PyTorch.

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.Softplus()(cr.tensor([0.0])).item(), 4)
        0.6931
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, x):
        return ops.softplus(x, beta=self.beta, threshold=self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class LeakyReLU(Module):
    """x for x > 0, else negative_slope·x.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.LeakyReLU(negative_slope=0.1)(cr.tensor([-2.0, 2.0]))
        tensor([-0.2,  2. ])
    """

    def __init__(self, negative_slope=0.01, inplace=False):  # inplace: taken, changes nothing
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return ops.leaky_relu(x, negative_slope=self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """x for x > 0, else α(e^x - 1).

    Example:
        >>> import chainrule as cr
        >>> cr.nn.ELU()(cr.tensor([1.0])).tolist()
        [1.0]
    """

    def __init__(self, alpha=1.0, inplace=False):  # inplace: taken, changes nothing
        super().__init__()
        self.alpha = alpha

    def forward(self, x):
        return ops.elu(x, alpha=self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class Softmax(Module):
    """Softmax along `dim`: exponentials normalised to sum to 1.

    Example:
        >>> import chainrule as cr
        >>> cr.nn.Softmax(dim=-1)(cr.zeros((1, 4))).tolist()
        [[0.25, 0.25, 0.25, 0.25]]
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return ops.softmax(x, axis=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log softmax along `dim`, computed stably (max shifted out).

    Example:
        >>> import chainrule as cr
        >>> round(cr.nn.LogSoftmax()(cr.zeros((1, 2))).numpy()[0, 0], 4)
        np.float32(-0.6931)
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return ops.log_softmax(x, axis=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


ACTIVATIONS = {"identity": Identity, "linear": Identity, "step": Step, "sigmoid": Sigmoid, "tanh": Tanh,
               "relu": ReLU, "softplus": Softplus, "leaky_relu": LeakyReLU, "elu": ELU}


def _activation_class(activation, what):
    make = ACTIVATIONS.get(activation) if isinstance(activation, str) else activation
    if not (isinstance(make, type) and issubclass(make, Module)):
        raise ChainruleError(f"unknown {what} {activation!r}; choose one of {sorted(ACTIVATIONS)} or a Module class")
    return make


class MLP(Sequential):
    """A multilayer perceptron: Linear layers of `sizes` with `activation` between them.

    A Sequential, so `net[0]` is the first Linear layer and the state-dict
    keys are "0.weight", "0.bias", "2.weight", ... (as `nn.Sequential`).
    `activation` is a name from the notes' table ("relu", "tanh", "sigmoid",
    "step", "softplus", "leaky_relu", "elu", "identity") or a Module class.
    `init_scheme` is "default" (PyTorch's Linear init) or a scheme of
    `nn.init.INITIALIZERS` ("zeros" is the notes' symmetry pitfall, "normal"
    is N(0, 1), the notes' exploding-gradient example); biases then start at 0.

    Example:
        >>> import chainrule as cr
        >>> net = cr.nn.MLP([2, 8, 3], activation="tanh")
        >>> net(cr.ones((4, 2))).shape, [type(m).__name__ for m in net]
        ((4, 3), ['Linear', 'Tanh', 'Linear'])
    """

    def __init__(self, sizes, activation="relu", output_activation=None, bias=True, init_scheme="default",
                 dtype=None, rng=None):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ChainruleError(f"MLP needs at least two positive layer sizes, got {sizes}")
        make = _activation_class(activation, "activation")
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
            layers.append(_activation_class(output_activation, "output activation")())
        super().__init__(*layers)
        self.sizes = tuple(sizes)
