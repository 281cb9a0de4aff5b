"""Module and Parameter: the PyTorch-shaped way of holding weights.

A Module keeps its Parameters and sub-Modules in registration order, so
`parameters()` and `state_dict()` list them deterministically, and
`named_parameters()` gives the dotted names PyTorch users expect
("0.weight", "encoder.1.bias").
"""

from __future__ import annotations

import sys
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ..core import backend
from ..core.errors import ChainruleError
from ..core.tensor import Tensor
from ..ops.devices import is_dtype_name
from ._defaults import default_dtype

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])
IncompatibleKeys.__doc__ = "What `load_state_dict` did not match: (missing_keys, unexpected_keys), as PyTorch."


def _check_entry(name, value, p):
    """(problem or None, the array cast to p's dtype) for one state-dict entry."""
    try:
        array = value._data if isinstance(value, Tensor) else backend.as_array(value)
    except (ValueError, TypeError) as exc:
        return f"{name} is not an array ({exc})", None
    if array.shape != p.shape:
        return f"{name} has shape {array.shape}, the model's is {p.shape}", None
    if array.dtype.kind not in "biuf" or not np.can_cast(array.dtype, p.dtype, "same_kind"):
        return f"{name} has dtype {array.dtype}, which does not cast to the model's {p.dtype}", None
    # a copy in the model's dtype, on the model's device (a host state dict loads into a GPU model)
    return None, backend.to_device(array.astype(p.dtype, copy=True), backend.device_of(p._data))


def _device_types():
    """The classes that name a device besides strings (cr.device)."""
    from ..cuda import device

    return (device,)


class Parameter(Tensor):
    """A Tensor that is a module's weight: a leaf that requires grad unless made with requires_grad=False
    (PyTorch's `nn.Parameter(data, requires_grad=True)`; no data is an empty one).

    Example:
        >>> import chainrule as cr
        >>> p = cr.nn.Parameter([1.0, 2.0])
        >>> p.requires_grad, p.is_leaf
        (True, True)
        >>> cr.nn.Parameter([1.0], requires_grad=False).requires_grad
        False
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True, *, dtype=None):
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Parameter(data, requires_grad): requires_grad must be True or False, got "
                            f"{requires_grad!r} (pass a dtype as dtype=)")
        if data is None:  # PyTorch's Parameter(): an empty one
            data = np.empty(0, default_dtype())
        if isinstance(data, Tensor):
            array = data._data
        elif backend.is_foreign(data):  # a CuPy array: it stays on its device
            array = data if dtype is None else data.astype(dtype)
        else:
            array = np.asarray(data, dtype=dtype)
        if not isinstance(data, (Tensor, np.ndarray, np.generic)) and dtype is None and array.dtype.kind in "iuf":
            array = array.astype(default_dtype())  # Python numbers: the default float dtype, as cr.tensor
        super().__init__(array, requires_grad=bool(requires_grad))

    def __repr__(self):
        text = np.array2string(self.numpy(), separator=", ", prefix="Parameter(")
        return "Parameter(" + text + ("" if self.device == "cpu" else f", device={self.device!r}") + ")"


class Module:
    """Base class of layers and models: subclass it and write `forward`.

    Example:
        >>> import chainrule as cr
        >>> class Scale(cr.nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.s = cr.nn.Parameter(2.0)
        ...     def forward(self, x):
        ...         return x * self.s
        >>> m = Scale()
        >>> m(cr.tensor(3.0)).item(), [name for name, _ in m.named_parameters()]
        (6.0, ['s'])
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", [])
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise ChainruleError(f"{type(self).__name__}.__init__ must call super().__init__() "
                                 "before assigning attributes")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        elif name in self.__dict__.get("_buffers", {}):  # `self.running_mean = ...` replaces the buffer
            self._buffers[name] = value
        object.__setattr__(self, name, value)

    def register_buffer(self, name, tensor, persistent=True):
        """Keep `tensor` as state that is not a parameter (running statistics): in state_dict, never trained.

        Example:
            >>> import chainrule as cr
            >>> m = cr.nn.Module()
            >>> m.register_buffer("count", cr.tensor(0.0))
            >>> list(m.state_dict()), [n for n, _ in m.named_parameters()]
            (['count'], [])
        """
        if not isinstance(tensor, Tensor | type(None)):
            raise ChainruleError(f"register_buffer({name!r}): a buffer is a Tensor (or None), "
                                 f"got {type(tensor).__name__}")
        self._buffers[name] = tensor
        if not persistent:
            self.__dict__.setdefault("_non_persistent", set()).add(name)
        object.__setattr__(self, name, tensor)

    def named_buffers(self, prefix=""):
        """(dotted name, Tensor) for every buffer of this module and its descendants."""
        for module_name, module in self.named_modules(prefix):
            for name, b in module._buffers.items():
                if b is not None:
                    yield (f"{module_name}.{name}" if module_name else name), b

    def buffers(self):
        """Every buffer of this module and its descendants."""
        return (b for _, b in self.named_buffers())

    def _persistent_buffers(self):
        for module_name, module in self.named_modules():
            skip = module.__dict__.get("_non_persistent", ())
            for name, b in module._buffers.items():
                if b is not None and name not in skip:
                    yield (f"{module_name}.{name}" if module_name else name), b

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        out = self.forward(*args, **kwargs)
        for hook in self._forward_hooks:
            hook(self, args, out)
        return out

    def register_forward_hook(self, hook):
        """Call `hook(module, inputs, output)` after every forward; returns a remover.

        Example:
            >>> import chainrule as cr
            >>> seen = []
            >>> remove = cr.nn.Tanh().register_forward_hook(lambda m, i, o: seen.append(o.shape))
            >>> callable(remove)
            True
        """
        self._forward_hooks.append(hook)
        return lambda: self._forward_hooks.remove(hook) if hook in self._forward_hooks else None

    # ---- traversal ------------------------------------------------------------
    def children(self):
        """The direct sub-modules, in registration order."""
        return iter(self._modules.values())

    def named_modules(self, prefix=""):
        """(name, module) for this module and every descendant, depth first."""
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self):
        """This module and every descendant."""
        return (m for _, m in self.named_modules())

    def named_parameters(self, prefix=""):
        """(dotted name, Parameter) for every parameter, each once."""
        seen = set()
        for module_name, module in self.named_modules(prefix):
            for name, p in module._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{module_name}.{name}" if module_name else name), p

    def parameters(self):
        """Every Parameter of this module and its descendants.

        Example:
            >>> import chainrule as cr
            >>> sum(p.size for p in cr.nn.Linear(3, 2).parameters())
            8
        """
        return (p for _, p in self.named_parameters())

    # ---- modes and gradients ------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (and return self), recursively."""
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self):
        """Set evaluation mode (and return self)."""
        return self.train(False)

    def to(self, *args, device=None, dtype=None):
        """Move every parameter and buffer to `device` and/or cast the floating ones to `dtype`, in place;
        returns self, as torch's Module.to. The state of an optimizer over these parameters moves with them.

        Example:
            >>> import chainrule as cr
            >>> m = cr.nn.Linear(2, 1).to("cpu", dtype=cr.float32)
            >>> m.weight.device, m.weight.dtype
            ('cpu', dtype('float32'))
        """
        for arg in args:
            if isinstance(arg, Tensor):  # another tensor: its device and dtype, as torch's Module.to(tensor)
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, (str, *_device_types())) and not is_dtype_name(arg):
                device = arg
            else:
                dtype = arg
        if dtype is not None and np.dtype(dtype).kind not in "fc":
            raise TypeError(f"{type(self).__name__}.to only accepts floating point or complex dtypes, got {dtype}")
        tensors = list({id(t): t for t in [*self.parameters(), *self.buffers()]}.values())
        for t in tensors:
            for holder in (t, t.grad):
                if holder is None:
                    continue
                if device is not None:
                    holder._data = backend.to_device(holder._data, device)
                if dtype is not None and holder._data.dtype.kind == "f":
                    holder._data = holder._data.astype(dtype, copy=False)
            t._bump_version()
        optim = sys.modules.get("chainrule.optim.optimizer")  # loaded only if an optimizer may hold state
        if optim is not None and device is not None:
            optim.state_follows(tensors, device)
        return self

    def cpu(self):
        """Move every parameter and buffer to the host (torch's Module.cpu()); returns self.

        Example:
            >>> import chainrule as cr
            >>> cr.nn.Linear(2, 1).cpu().bias.device
            'cpu'
        """
        return self.to("cpu")

    def _place(self, device):
        """The end of a layer's constructor given `device=`: its parameters and buffers move there (None: stay)."""
        if device is not None:
            self.to(device)

    def cuda(self, device=None):
        """Move every parameter and buffer to a CUDA GPU (needs CuPy); returns self.

        Example:
            >>> import chainrule as cr
            >>> m = cr.nn.Linear(2, 1)
            >>> m.cuda().weight.device if cr.cuda.is_available() else "cuda:0"
            'cuda:0'
        """
        return self.to("cuda" if device is None else (f"cuda:{device}" if isinstance(device, int) else device))

    def zero_grad(self, set_to_none=True):
        """Forget accumulated gradients: every `.grad` set to None (or to zeros with set_to_none=False)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor(np.zeros_like(p._data))

    def requires_grad_(self, requires_grad=True):
        """Switch gradients on or off for every parameter (freezing a part of a model); returns self."""
        for p in self.parameters():
            p.requires_grad = requires_grad
        return self

    def apply(self, fn):
        """Call fn on every submodule and then on self (how models initialise their weights); returns self.

        Example:
            >>> import chainrule as cr
            >>> seen = []
            >>> _ = cr.nn.Sequential(cr.nn.Linear(1, 1), cr.nn.ReLU()).apply(lambda m: seen.append(type(m).__name__))
            >>> seen
            ['Linear', 'ReLU', 'Sequential']
        """
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ---- dtypes (the devices: Module.to / cpu / cuda above) ---------------------------------
    def float(self):
        """Parameters and buffers in float32; returns self."""
        return self.to(np.float32)

    def double(self):
        """Parameters and buffers in float64; returns self."""
        return self.to(np.float64)

    def half(self):
        """Parameters and buffers in float16; returns self."""
        return self.to(np.float16)

    # ---- state ---------------------------------------------------------------------
    def state_dict(self):
        """{dotted name: ndarray copy} of every parameter and persistent buffer.

        Example:
            >>> import chainrule as cr
            >>> list(cr.nn.Linear(3, 2).state_dict())
            ['weight', 'bias']
        """
        entries = [*self.named_parameters(), *self._persistent_buffers()]
        return OrderedDict((name, t._data.copy()) for name, t in entries)

    def load_state_dict(self, state_dict, strict=True):
        """Copy arrays from `state_dict` into the parameters: all of them, or none.

        Every key, shape and dtype is checked first; only then are the
        parameters changed, so a failed load leaves the model as it was. With
        `strict=True` (the default, as PyTorch) missing and unexpected keys are
        errors; a wrong shape or a dtype that cannot be cast to the parameter's
        (complex, strings, objects) always is. Returns the named tuple
        `(missing_keys, unexpected_keys)`.

        Example:
            >>> import chainrule as cr
            >>> a, b = cr.nn.Linear(2, 1), cr.nn.Linear(2, 1)
            >>> b.load_state_dict(a.state_dict())
            IncompatibleKeys(missing_keys=[], unexpected_keys=[])
            >>> try:
            ...     b.load_state_dict({"weight": [[1.0, 2.0, 3.0]]})
            ... except cr.ChainruleError as exc:
            ...     print(exc)
            load_state_dict changed nothing: missing keys ['bias']; mismatched: weight has shape (1, 3), ...
        """
        if not isinstance(state_dict, Mapping):
            raise ChainruleError(f"load_state_dict takes a mapping of names to arrays, got {type(state_dict).__name__}")
        own = {**dict(self.named_parameters()), **dict(self._persistent_buffers())}
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        mismatched, arrays = [], {}
        for name, p in own.items():
            if name not in state_dict:
                continue
            problem, array = _check_entry(name, state_dict[name], p)
            if problem:
                mismatched.append(problem)
            else:
                arrays[name] = array
        problems = ([f"missing keys {missing}"] if strict and missing else []) + \
                   ([f"unexpected keys {unexpected}"] if strict and unexpected else []) + \
                   ([f"mismatched: {'; '.join(mismatched)}"] if mismatched else [])
        if problems:
            raise ChainruleError("load_state_dict changed nothing: " + "; ".join(problems))
        for name, array in arrays.items():
            if isinstance(own[name], Parameter):
                own[name].data = array
            else:  # a buffer: its values, in its own dtype
                own[name]._data = array.astype(own[name].dtype)
                own[name]._bump_version()
        return IncompatibleKeys(missing, unexpected)

    # ---- printing -----------------------------------------------------------------------
    def extra_repr(self):
        return ""

    def __repr__(self):
        if not self._modules:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in self._modules.items():
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)
