"""Optimisers and learning-rate schedules with PyTorch's names and update formulas."""

from .adaptive import Adagrad, Adam, AdamW, RMSprop
from .lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "StepLR", "ExponentialLR",
           "CosineAnnealingLR"]
