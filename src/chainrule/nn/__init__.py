"""Neural networks: Module, Parameter, layers, activations, losses, initialisation."""

from . import functional, init
from .layers import (
                     ACTIVATIONS,
                     ELU,
                     MLP,
                     Identity,
                     LeakyReLU,
                     Linear,
                     LogSoftmax,
                     ReLU,
                     Sequential,
                     Sigmoid,
                     Softmax,
                     Softplus,
                     Step,
                     Tanh,
)
from .module import IncompatibleKeys, Module, Parameter

__all__ = ["Module", "Parameter", "IncompatibleKeys", "Linear", "Sequential", "MLP", "Identity", "Step", "Sigmoid",
           "Tanh", "ReLU", "Softplus", "LeakyReLU", "ELU", "Softmax", "LogSoftmax", "ACTIVATIONS", "functional", "init"]
