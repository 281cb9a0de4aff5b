"""A module called with parameters and buffers it is given (torch.func.functional_call, stack_module_state).

`functional_call(model, params, x)` runs `model(x)` with each named parameter
or buffer replaced, for that call only, by the tensor `params` gives under its
dotted name. That makes the model a function of its parameters, which is what
the transforms differentiate and batch: `vmap(grad(loss))(params, X, y)` with
`loss` calling the model gives per-example gradients, and `vmap` over stacked
parameters (`stack_module_state`) runs an ensemble of models at once.
"""

from __future__ import annotations

from ..core.backend import as_array
from ..core.errors import ChainruleError
from ..core.tensor import Tensor
from ..ops.shape import stack
from .module import Module


def _merged(parameter_and_buffer_dicts):
    """One {name: value} from a dict or a sequence of dicts; a name given twice is an error."""
    dicts = (parameter_and_buffer_dicts if isinstance(parameter_and_buffer_dicts, (tuple, list))
             else (parameter_and_buffer_dicts,))
    merged = {}
    for d in dicts:
        if not isinstance(d, dict):
            raise ChainruleError("functional_call: pass the parameters and buffers as a dict {dotted name: tensor} "
                                 f"(or a tuple of dicts), got a {type(d).__name__}")
        twice = sorted(set(d) & set(merged))
        if twice:
            raise ChainruleError(f"functional_call: {twice} appear in more than one of the dicts; give each once")
        merged.update(d)
    return merged


def _slots(module):
    """{dotted name: (owning module, attribute, the table holding it)} for every parameter and buffer,
    tied ones under each of their names (named_parameters() lists a tied one once)."""
    slots = {}
    for prefix, owner in module.named_modules():
        for table in (owner._parameters, owner._buffers):
            for attr, value in table.items():
                if value is not None:
                    slots[f"{prefix}.{attr}" if prefix else attr] = (owner, attr, table)
    return slots


def _tied_groups(slots):
    """Names that hold one and the same tensor, grouped ({name: every name of that tensor})."""
    by_tensor = {}
    for name, (_, attr, table) in slots.items():
        by_tensor.setdefault(id(table[attr]), []).append(name)
    return {name: group for group in by_tensor.values() if len(group) > 1 for name in group}


def _replacements(module, values, tie_weights, strict):
    """{name: value} for every slot the call replaces, checked against the module's names."""
    slots = _slots(module)
    unknown = sorted(set(values) - set(slots))
    if unknown:  # (a misspelt name would leave the module's own tensor in use: a gradient of zero, silently)
        raise ChainruleError(f"functional_call: {type(module).__name__} has no parameter or buffer named "
                             f"{unknown[:5]}; its names are {sorted(slots)[:8]}{' ...' if len(slots) > 8 else ''}")
    chosen = dict(values)
    if tie_weights:
        for name, group in _tied_groups(slots).items():
            given = [n for n in group if n in values]
            if len(given) > 1 and any(values[n] is not values[given[0]] for n in given):
                raise ChainruleError(f"functional_call: {given} are tied (one tensor) but got different values; "
                                     "give one of them, or pass tie_weights=False to set each on its own")
            if given and name not in chosen:
                chosen[name] = values[given[0]]
    if strict:
        missing = sorted(set(slots) - set(chosen))
        if missing:
            raise ChainruleError(f"functional_call(strict=True): no value given for {missing[:8]}"
                                 f"{' ...' if len(missing) > 8 else ''}; give every parameter and buffer, "
                                 "or pass strict=False to keep the module's own")
    return {name: (slots[name], value if isinstance(value, Tensor) else Tensor._wrap(as_array(value)))
            for name, value in chosen.items()}


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """`module(*args, **kwargs)` with its parameters and buffers replaced, for this call, by the given ones.

    `parameter_and_buffer_dicts` maps dotted names (those of `named_parameters()` and `named_buffers()`)
    to tensors or arrays; a tuple of dicts is merged (a name in two of them is an error). Names not given
    keep the module's own tensors (`strict=True` makes a missing one an error); an unknown name is always
    an error, since it would differentiate nothing. With `tie_weights` (the default), a tensor shared under
    several names is replaced under all of them when one is given. `args` that is not a tuple is the one
    positional argument. The module is as it was afterwards, even when the call raises.

    Example:
        >>> import numpy as np, chainrule as cr
        >>> lin = cr.nn.Linear(2, 1)
        >>> params = {"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])}
        >>> cr.func.functional_call(lin, params, (np.array([[3.0, 4.0]]),)).tolist()
        [[11.5]]
        >>> g = cr.func.grad(lambda p, x: cr.func.functional_call(lin, p, (x,)).sum())(params, np.ones((1, 2)))
        >>> g["weight"].tolist(), g["bias"].tolist()
        ([[1.0, 1.0]], [1.0])
    """
    if not isinstance(module, Module):
        raise ChainruleError(f"functional_call needs an nn.Module, got {type(module).__name__}")
    replacements = _replacements(module, _merged(parameter_and_buffer_dicts), tie_weights, strict)
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    saved = []
    try:
        for (owner, attr, table), value in replacements.values():
            saved.append((owner, attr, table, table[attr], owner.__dict__.get(attr)))
            table[attr] = value  # (the attribute too: forward reads self.weight; as given, not made a Parameter)
            object.__setattr__(owner, attr, value)
        return module(*args, **(kwargs or {}))
    finally:
        for owner, attr, table, entry, attribute in reversed(saved):
            table[attr] = entry
            object.__setattr__(owner, attr, attribute)


def stack_module_state(models):
    """(params, buffers): each parameter and buffer of same-shaped models stacked along a new axis 0.

    The stacked parameters are new leaves (they require grad where the models' do); with
    `functional_call` and `vmap(..., in_dims=(0, 0, None))` they run the whole ensemble at once.

    Example:
        >>> import chainrule as cr
        >>> models = [cr.nn.Linear(3, 2) for _ in range(4)]
        >>> params, buffers = cr.func.stack_module_state(models)
        >>> params["weight"].shape, buffers
        ((4, 2, 3), {})
    """
    models = list(models)
    if not models:
        raise ChainruleError("stack_module_state needs at least one model")
    if any(not isinstance(m, Module) for m in models):
        raise ChainruleError("stack_module_state needs nn.Modules")
    if len({m.training for m in models}) > 1:
        raise ChainruleError("stack_module_state: the models mix training and eval mode; set them alike "
                             "(model.train() or model.eval()) first")
    params = [dict(m.named_parameters()) for m in models]
    buffers = [dict(m.named_buffers()) for m in models]
    if any(list(p) != list(params[0]) for p in params) or any(list(b) != list(buffers[0]) for b in buffers):
        raise ChainruleError("stack_module_state: the models have different parameters or buffers; "
                             "stack models of one architecture")

    def stacked(members, requires_grad):
        out = {}
        for name in members[0]:
            parts = [m[name] for m in members]
            shapes = {p.shape for p in parts}
            if len(shapes) > 1:
                raise ChainruleError(f"stack_module_state: {name!r} has shapes {sorted(shapes)} across the models")
            value = stack([p.detach() for p in parts])
            out[name] = value.requires_grad_() if requires_grad and parts[0].requires_grad else value
        return out

    return stacked(params, True), stacked(buffers, False)


__all__ = ["functional_call", "stack_module_state"]
