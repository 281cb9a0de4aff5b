"""Neural networks: Module, Parameter, layers, activations, losses, initialisation."""

from . import functional, init, utils
from .activation import (
    CELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    ReLU6,
    SiLU,
    Softmin,
    Softsign,
    Tanhshrink,
)
from .containers import ModuleDict, ModuleList
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .flatten import Flatten, Unflatten
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
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import IncompatibleKeys, Module, Parameter
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .sparse import Embedding

__all__ = ["Module", "Parameter", "IncompatibleKeys", "Linear", "Sequential", "MLP", "Identity", "Step", "Sigmoid",
           "Tanh", "ReLU", "Softplus", "LeakyReLU", "ELU", "Softmax", "LogSoftmax", "ACTIVATIONS", "functional", "init",
           # torch names
           "utils", "CELU", "GELU", "SELU", "Hardsigmoid", "Hardswish", "Hardtanh", "LogSigmoid", "Mish", "ReLU6",
           "SiLU", "Softmin", "Softsign", "Tanhshrink", "ModuleDict", "ModuleList", "Conv1d", "Conv2d", "Dropout",
           "Flatten", "Unflatten", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss",
           "L1Loss", "MSELoss", "NLLLoss", "SmoothL1Loss", "BatchNorm1d", "BatchNorm2d", "LayerNorm",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AvgPool1d", "AvgPool2d", "MaxPool1d", "MaxPool2d", "Embedding",
           "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]


def __getattr__(name):  # torch names: a missing PyTorch name says what chainrule calls it
    from .._torch_hints import missing

    missing("chainrule.nn", name)
