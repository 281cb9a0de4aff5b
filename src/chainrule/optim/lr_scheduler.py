"""Learning-rate schedules, stepped once per epoch, with PyTorch's formulas."""

from __future__ import annotations

import math


class _Scheduler:
    def __init__(self, optimizer):
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group.setdefault("initial_lr", group["lr"])
        self.base_lrs = [g["initial_lr"] for g in optimizer.param_groups]
        self.last_epoch = 0

    def step(self):
        """Advance one epoch and set each group's lr."""
        self.last_epoch += 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self.lr_at(base, self.last_epoch)

    def get_last_lr(self):
        """The current lr of each group."""
        return [g["lr"] for g in self.optimizer.param_groups]


class StepLR(_Scheduler):
    """lr = base · gamma^⌊epoch / step_size⌋.

    Example:
        >>> import chainrule as cr
        >>> opt = cr.optim.SGD([cr.nn.Parameter([1.0])], lr=1.0)
        >>> s = cr.optim.StepLR(opt, step_size=2, gamma=0.5)
        >>> [s.step() or s.get_last_lr()[0] for _ in range(4)]
        [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def lr_at(self, base, epoch):
        return base * self.gamma ** (epoch // self.step_size)


class ExponentialLR(_Scheduler):
    """lr = base · gamma^epoch.

    Example:
        >>> import chainrule as cr
        >>> opt = cr.optim.SGD([cr.nn.Parameter([1.0])], lr=1.0)
        >>> s = cr.optim.ExponentialLR(opt, gamma=0.5); s.step(); s.get_last_lr()
        [0.5]
    """

    def __init__(self, optimizer, gamma):
        self.gamma = gamma
        super().__init__(optimizer)

    def lr_at(self, base, epoch):
        return base * self.gamma ** epoch


class CosineAnnealingLR(_Scheduler):
    """lr = eta_min + (base - eta_min)·(1 + cos(π·epoch / T_max)) / 2.

    Example:
        >>> import chainrule as cr
        >>> opt = cr.optim.SGD([cr.nn.Parameter([1.0])], lr=1.0)
        >>> s = cr.optim.CosineAnnealingLR(opt, T_max=2); s.step(); s.get_last_lr()
        [0.5]
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer)

    def lr_at(self, base, epoch):
        return self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
