"""Optimisers and learning-rate schedules with PyTorch's names and update formulas."""

from . import lr_scheduler
from .adaptive import Adagrad, Adam, AdamW, RMSprop
from .extra import Adadelta, Adamax, NAdam
from .lbfgs import LBFGS
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, LambdaLR, OneCycleLR, ReduceLROnPlateau, StepLR
from .optimizer import HyperparameterError, Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "StepLR", "ExponentialLR",
           "CosineAnnealingLR",
           "lr_scheduler", "Adadelta", "Adamax", "NAdam", "LBFGS", "LambdaLR", "OneCycleLR", "ReduceLROnPlateau",
           "HyperparameterError"]


def __getattr__(name):  # torch names: a missing PyTorch name says what chainrule calls it
    from .._torch_hints import missing

    missing("chainrule.optim", name)
