"""Optimizer base class: parameter groups, per-parameter state, zero_grad.

Subclasses implement `_update(p, grad, state, group)` on NumPy arrays: update
the array p in place and return None, or return the new value. The base
class walks the groups, skips parameters without a gradient, writes the
update into the parameter's own array (its dtype kept: a float32 model stays
float32; views of it stay views) and bumps its version, so a graph that
saved the old value refuses to backpropagate through it.
"""

from __future__ import annotations

import weakref

import numpy as np

from ..core import backend
from ..core.errors import ChainruleError
from ..core.tensor import Tensor


class HyperparameterError(ChainruleError, ValueError):
    """An optimizer or scheduler was given a hyper-parameter outside its range (PyTorch raises ValueError).

    Example:
        >>> import chainrule as cr
        >>> try:
        ...     cr.optim.Adam([cr.nn.Parameter([1.0])], lr=-1)
        ... except ValueError as exc:
        ...     print(exc)
        Invalid learning rate: -1
    """


def check(condition, message):
    """Raise HyperparameterError(message) unless condition holds (PyTorch's wording in the message).

    Example:
        >>> from chainrule.optim.optimizer import check
        >>> check(0.9 < 1, "Invalid rho value: 0.9") is None
        True
    """
    if not condition:
        raise HyperparameterError(message)


def check_common(lr=0.0, eps=0.0, weight_decay=0.0, betas=None):
    """The checks PyTorch's optimizers share: lr, eps, weight_decay >= 0 and betas in [0, 1).

    Example:
        >>> from chainrule.optim.optimizer import check_common
        >>> check_common(lr=0.1, betas=(0.9, 0.999)) is None
        True
    """
    check(lr >= 0.0, f"Invalid learning rate: {lr}")
    check(eps >= 0.0, f"Invalid epsilon value: {eps}")
    check(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
    if betas is not None:
        for i, beta in enumerate(betas):
            check(0.0 <= beta < 1.0, f"Invalid beta parameter at index {i}: {beta}")


_LIVE = weakref.WeakSet()
_ndarray = np.ndarray  # read in every step's loop: a global, not np's attribute


def state_follows(params, device):
    """Move the per-parameter state of every live optimizer over `params` to `device` (Module.to calls it).

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0]); opt = cr.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward(); opt.step(); state_follows([w], "cpu")
        >>> type(opt.state[w]["momentum_buffer"]).__name__
        'ndarray'
    """
    for opt in list(_LIVE):
        for p in params:
            state = opt.state.get(p)
            if state:
                for key, value in state.items():
                    if type(value) is np.ndarray or backend.is_foreign(value):
                        state[key] = backend.to_device(value, device)


class Optimizer:
    """Base class: `step()` updates every parameter that has a `.grad`.

    Example:
        >>> import chainrule as cr
        >>> w = cr.nn.Parameter([1.0])
        >>> opt = cr.optim.SGD([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); w
        Parameter([0.8])
    """

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        params = list(params)
        if not params:
            raise ChainruleError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.param_groups = []
        for group in groups:
            self.add_param_group(group)
        self.state = {}  # Tensor -> dict of arrays and counters
        _LIVE.add(self)  # so that Module.to(device) can move this state with the parameters

    def add_param_group(self, group):
        """Add a group of parameters with its own hyper-parameters."""
        group = dict(group)
        group["params"] = list(group["params"])
        for p in group["params"]:
            if not isinstance(p, Tensor) or not p.requires_grad or not p.is_leaf:
                raise ChainruleError("optimizers update leaf tensors that require grad (nn.Parameter)")
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        unknown = set(group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ChainruleError(f"{type(self).__name__} has no hyper-parameters {sorted(unknown)}")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients of every parameter."""
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none or p.grad is None:
                    p.grad = None
                else:
                    p.grad = Tensor(np.zeros_like(p.data))

    def step(self):
        """Apply one update to every parameter with a gradient."""
        states, update = self.state, self._update  # looked up once: this loop runs every step
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                data = p._data
                if type(data) is _ndarray and not data.flags.writeable:  # read-only or broadcast: update a copy
                    p._data = data = data.copy()
                state = states.get(p)
                if state is None:
                    state = states[p] = {}
                new = update(data, grad._data, state, group)
                if new is not None:
                    np.copyto(data, new, casting="same_kind")
                p._bump_version()

    def _update(self, p, grad, state, group):
        raise NotImplementedError

    def state_dict(self):
        """Hyper-parameters and per-parameter state, parameters named by position."""
        index = {id(p): i for i, p in enumerate(p for g in self.param_groups for p in g["params"])}
        groups = [{**{k: v for k, v in g.items() if k != "params"}, "params": [index[id(p)] for p in g["params"]]}
                  for g in self.param_groups]
        state = {index[id(p)]: {k: (v.copy() if isinstance(v, np.ndarray) or backend.is_foreign(v) else v)
                                for k, v in s.items()}
                 for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore what `state_dict` returned (same parameters, same order)."""
        params = [p for g in self.param_groups for p in g["params"]]
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ChainruleError("load_state_dict: the number of parameter groups differs")
        for own, saved in zip(self.param_groups, groups):
            own.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {params[int(i)]: {k: (_placed(v, params[int(i)]) if isinstance(v, np.ndarray)
                                           or backend.is_foreign(v) else v) for k, v in s.items()}
                      for i, s in state_dict["state"].items()}


def _placed(array, p):
    """A copy of a saved state array on its parameter's device (a host checkpoint resumes on a GPU)."""
    return backend.to_device(np.array(array, like=backend.like(array)), backend.device_of(p._data))
