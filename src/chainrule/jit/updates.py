"""Kernels that change state: adjoint sums, in-place writes, `optimizer.step()` and `zero_grad()`.

Part of the kernels column (kernels.py): each stands for the eager code it replaces with the
same floating point operations, checked by tests/test_jit_kernels.py.

- an adjoint sum and an in-place update (`w -= lr * g`) write into place;
- SGD without momentum or weight decay is, per parameter, the scaled gradient `g · (-lr)` into a
  scratch buffer and one in-place add (`p - lr·g` exactly: the negation is exact). Where the
  plan knows which array each `.grad` holds (it deposited them itself, a step earlier), the
  kernel reads those arrays directly; large parameters are updated in chunks, so the scratch
  stays small (the naive step's `lr * dw` temporary is a whole parameter).
"""

from __future__ import annotations

import numpy as np

from .code import Code, _arrays_of, _buffer

_ndarray = np.ndarray

SCRATCH = 1 << 16  # elements of the SGD scratch buffer per dtype: bigger parameters go in chunks


def sum_kernel(prev, gi, total):
    """`prev + gi` into a buffer, when no broadcasting or casting is involved."""
    if not (isinstance(total, _ndarray) and _arrays_of(total.dtype, prev, gi)):
        return None
    if not prev.shape == gi.shape == total.shape:
        return None
    return Code("forward", "np.add({0}, {1}, out={out})", _buffer(total), in_place=True)


def in_place_kernel(op, a, b):
    """`a op= b` as one ufunc call writing into a (the plain-array path of Tensor's in-place ops)."""
    ufunc = getattr(op, "forward", None)
    if not isinstance(ufunc, np.ufunc) or ufunc.nin != 2 or not isinstance(a, _ndarray):
        return None
    if np.result_type(a, b) != a.dtype or np.broadcast_shapes(a.shape, np.shape(b)) != a.shape:
        return None
    return Code("update", "{f}({0}, {1}, out={0})", None, f"np.{ufunc.__name__}({{0}}, {{1}}, out={{0}})", f=ufunc)


def sgd_kernel(opt, known=None):
    """SGD without momentum or weight decay: per parameter g · (-lr) into scratch, then p += it.

    `known` (from the tracer) maps id(p) to what the plan knows when the step runs: ("none",)
    for a .grad it set to None, ("grad", k, d) for a .grad holding the array the kernel's input
    k names, p's array being input d (or d None). The Code's `inputs` lists those slots. A
    learning rate that is not a Python float at replay (a scheduler's NumPy number: NumPy
    promotes it differently) runs the optimizer's own step instead.
    """
    from ..optim.sgd import SGD

    if type(opt) is not SGD:
        return None
    groups = opt.param_groups
    if any(g["momentum"] or g["weight_decay"] or type(g["lr"]) is not float for g in groups):
        return None
    params = [p for g in groups for p in g["params"]]
    if not all(p._data.flags.writeable and p._data.flags.c_contiguous for p in params):
        return None
    from ..core.node import clock, last_change

    known = known or {}
    names = {"clock": clock, "last_change": last_change, "plain_step": lambda: type(opt).step(opt)}
    scratch, steps = {}, {}
    for dtype in {p._data.dtype for p in params}:
        biggest = max(p._data.size for p in params if p._data.dtype == dtype)
        scratch[dtype] = np.empty(min(biggest, SCRATCH), dtype)
        steps[dtype] = np.empty((), dtype)  # -lr in the parameter's dtype, filled each call
    lines, inputs, blocks = [], [], 0
    for k, group in enumerate(groups):
        names[f"group{k}"] = group
        lines.append(f'_lr = {{group{k}}}["lr"]')  # read each call: a scheduler may change it
        lines.append("if type(_lr) is not float: {plain_step}()")
        lines.append("else:")
        for dtype in {p._data.dtype for p in group["params"]}:
            name = f"step_{dtype.name}"
            names[name] = steps[dtype]
            lines.append(f"    {{{name}}}.fill(-_lr)")
        block = _one_block(group["params"], known)
        if block is not None:  # every gradient is a view of one block: one multiply scales them all
            name, total = block
            blocks += 1
            names[f"sb{k}"] = np.empty(total, group["params"][0]._data.dtype)
            lines.append(f"    np.multiply({name}, {{step_{group['params'][0]._data.dtype.name}}}, out={{sb{k}}})")
        for i, p in enumerate(group["params"]):
            lines += _sgd_lines(p, f"{k}_{i}", known.get(id(p)), names, inputs, scratch, steps,
                                None if block is None else f"sb{k}")
    text = ("np.multiply(the gradients' block, -lr, out=s); for each p: np.add(p, its part of s, out=p)" if blocks
            else "for each p: np.multiply(p.grad, -lr, out=s); np.add(p, s, out=p)")
    code = Code("update", "\n".join(lines), None, text, **names)
    code.inputs = inputs
    return code


def _one_block(params, known):
    """(block name, size) when every parameter's .grad is known to be a view of one block holding just them."""
    states = [known.get(id(p)) for p in params]
    if any(s is None for s in states):
        return None
    held = [(p, s) for p, s in zip(params, states) if s[0] == "grad"]
    if len(held) < 2 or any(s[3] is None or s[2] is None for _, s in held):
        return None
    names = {s[3][0] for _, s in held}
    dtypes = {p._data.dtype for p, _ in held}
    total = held[0][1][3][3]
    if len(names) != 1 or len(dtypes) != 1 or sum(p._data.size for p, _ in held) != total:
        return None
    if any(p._data.shape != p.grad._data.shape for p, _ in held):
        return None
    return names.pop(), total


def _sgd_lines(p, tag, state, names, inputs, scratch, steps, block=None):
    """The lines updating parameter p (inside the `else:` of a float learning rate)."""
    if state is not None and state[0] == "none":
        return []  # the plan set p.grad to None itself: the eager step skips p
    data = p._data
    if block is not None:  # -lr·g is in the block's scratch already: one add
        start, stop = state[3][1], state[3][2]
        inputs.append(state[2])
        names[f"p{tag}"], names[f"s{tag}"] = p, names[block][start:stop].reshape(data.shape)
        bump = f"{{p{tag}}}._version = {{last_change}}.reading = next({{clock}})" if p._base is None \
            else f"{{p{tag}}}._bump_version()"
        d = f"{{{len(inputs) - 1}}}"
        return [f"    np.add({d}, {{s{tag}}}, out={d}); {bump}"]
    step = f"{{step_{data.dtype.name}}}"
    names[f"p{tag}"] = p
    # Tensor._bump_version written out for a parameter that is no view (its own version counter)
    bump = f"{{p{tag}}}._version = {{last_change}}.reading = next({{clock}})" if p._base is None \
        else f"{{p{tag}}}._bump_version()"
    if state is not None:
        inputs.append(state[1])
        grad = f"{{{len(inputs) - 1}}}"
        if state[2] is not None:
            inputs.append(state[2])
            pdata = f"{{{len(inputs) - 1}}}"
        else:
            pdata = f"{{p{tag}}}._data"
        lines, indent = [], "    "
    else:
        pdata = f"{{p{tag}}}._data"
        lines, indent, grad = [f"    _g = {{p{tag}}}.grad", "    if _g is not None:"], "        ", "_g._data"
    size = data.size
    if size > SCRATCH and pdata.endswith("._data"):  # an array the plan does not hold: no views of it made ahead
        lines.append(f"{indent}np.add({pdata}, np.multiply({grad}, {step}), out={pdata})")
    elif size <= SCRATCH:
        names[f"s{tag}"] = scratch[data.dtype][:size].reshape(data.shape)
        lines.append(f"{indent}np.multiply({grad}, {step}, out={{s{tag}}}); np.add({pdata}, {{s{tag}}}, out={pdata})")
    else:  # in chunks of the scratch buffer: the same elementwise operations, a piece at a time
        lines.append(f"{indent}_gf, _pf = {grad}.reshape(-1), {pdata}.reshape(-1)")
        for a in range(0, size, SCRATCH):
            b = min(a + SCRATCH, size)
            names[f"s{tag}_{a}"] = scratch[data.dtype][:b - a]
            lines.append(f"{indent}np.multiply(_gf[{a}:{b}], {step}, out={{s{tag}_{a}}}); "
                         f"np.add(_pf[{a}:{b}], {{s{tag}_{a}}}, out=_pf[{a}:{b}])")
    lines.append(indent + bump)
    return lines


def zero_grad_kernel(obj, params, set_to_none=True):
    """`optimizer.zero_grad()` / `module.zero_grad()` with set_to_none: one `p.grad = None` per parameter."""
    if not set_to_none:
        return None
    names = {f"p{i}": p for i, p in enumerate(params)}
    lines = "\n".join(f"{{p{i}}}.grad = None" for i in range(len(params))) or "pass"
    return Code("update", lines, None, f"{type(obj).__name__}.zero_grad(): p.grad = None for {len(params)} parameters",
                **names)
