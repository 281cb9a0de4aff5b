"""Tracing: run the step once, eagerly, and write down its array-level work.

While a trace is open:
- every op call with a Tensor argument goes through `Tracer.on_op` (the
  engine's interceptor seam): the op runs as usual and the call is written
  down as a forward step (its `saving_forward` when the op saved a residual);
- the reverse sweep runs with an observer: each accumulation step it reports
  is written down as a call of the very rule the sweep used (array_vjp,
  partial or vjp, chosen as the sweep chooses), the engine's undoing of
  broadcasting, and the sum into the adjoint, so the replay does the same
  arithmetic in the same order;
- `.grad` deposits, `optimizer.step()` and `zero_grad()` become steps that
  change that state again at replay;
- `t.item()`, `float(t)`, `bool(t)` become guards (see guards.py), and
  in-place writes, `.grad` assignments and forward hooks become steps too.
The patches that route all of this here (patches.py) are put on for the trace and taken off
after it; the functions the plan calls where no kernel stands in are in steps.py.
"""

from __future__ import annotations

import operator
from functools import partial as bind

import numpy as np

from ..core import forward as forward_mode
from ..core.node import clock, last_change
from ..core.tensor import Tensor
from . import kernels
from .buffers import share_buffers
from .deposits import Deposits
from .guards import JitError, TaintedFloat, TracedFloat, caller_line, guard_call
from .plan import Plan, Step, describe
from .steps import (
    _as_array,
    _as_number,
    _bumping,
    _cast,
    _compare_item,
    _compare_items,
    _item,
    _run_hook,
    _seed_copy,
    _set_grad,
    _write_in_place,
    _write_item,
    contribution_call,
)

_ndarray = np.ndarray


class Tracer(Deposits):
    """The record of one eager run: slots for every array seen, and the steps that made them."""

    def __init__(self):
        self.slot = {}  # id(array or object) -> slot
        self.values, self.seen, self.meta, self.keep = [], [], {}, []
        self.arg_slots, self.captured, self.steps = [], [], []
        self.made = {}  # id(Tensor) -> (op, input slots, output slot, saved slot, params), for the sweep
        self.inside = set()  # ids of tensors made during the trace
        self.pseudo = set()  # ids of tensors standing for plain arrays (their results are arrays again)
        self.produced = set()  # slots written by steps or arguments (not constants)
        self.buffered = {}  # slot -> the Code step writing it into a preallocated buffer
        self.muted = 0  # > 0 while a module's forward hook runs (see on_module_call)
        self.pending_seed = None  # the slot of backward(grad=...)'s seed, until the sweep takes it
        self.quiet = 0  # > 0 inside calls recorded whole (the sweep, optimizer.step): their inner writes are theirs
        # id(tensor) -> what the plan knows its .grad holds at this point of the plan: None (set to None by
        # the plan) or the slot of the array the plan put there; absent: unknown (set before the call, or
        # by Python the plan calls whole). Lets the deposits skip their check and SGD read the arrays.
        self.grads = {}
        self.own_seeds = set()  # slots of the seeds backward() made itself (constant: ones)
        self.views = {}  # slot -> the slot it is a view of (a kernel binding {out} to a view of one input)
        self.grad_block = {}  # slot of a fresh gradient -> (block name, start, stop, block size): see _allocate_fresh

    # ---- slots --------------------------------------------------------------------
    def new_slot(self, value, produced=True):
        slot = len(self.values)
        self.values.append(None if produced else value)
        self.seen.append(value)
        self.meta[slot] = describe(value)
        if produced:
            self.produced.add(slot)
        self.keep.append(value)  # ids stay unique while the trace lives
        if isinstance(value, (_ndarray, np.generic)):
            self.slot[id(value)] = slot
        return slot

    def slot_of(self, x):
        """The slot of an op argument: a traced array, a captured tensor's array, or a constant."""
        if isinstance(x, Tensor):
            array = x._data
            slot = self.slot.get(id(array))
            if slot is None:  # a tensor from outside the step (a parameter): read where it lives
                slot = self.new_slot(array, produced=False)
                self.captured.append((x, array))
                self.keep.append(x)
            return slot
        if isinstance(x, (_ndarray, np.generic)):
            slot = self.slot.get(id(x))
            # an array from outside: captured by reference, so in-place changes are seen next call
            return self.new_slot(x, produced=False) if slot is None else slot
        return self.new_slot(x, produced=False)  # a literal (number, None, tuple)

    def add(self, func, ins, out, text, commits=False, guard=False):
        self.steps.append(Step(func, ins, out, text, commits, guard))

    def add_code(self, code, inputs, ins, out, g=None, saved=None, commits=False, extra="", ans=None):
        """A Code kernel as a step: its source with the plan's names, its buffer bound to v{out}.

        The step reads (`ins`, for the buffers' lifetimes) what the template names, or `ins` as
        given when the template names nothing of the plan's. A Python number the kernel types
        (code.constants) becomes a constant of its own; a view of constants only (code.view) is
        made now, once: the step is then no line at all.
        """
        inputs, shown = list(inputs), list(inputs)  # shown: the names the printed plan gives (2.0, not c7)
        for i, typed in code.constants.items():
            if self.values[inputs[i]] is not None and inputs[i] not in self.produced:
                inputs[i] = self.new_slot(typed, produced=False)
        k = len(self.steps)
        out_name = None if out is None else f"v{out}"
        source, names = code.render([self.code_name(i) for i in inputs], g=None if g is None else self.code_name(g),
                                    saved=None if saved is None else self.code_name(saved), out=out_name,
                                    prefix=f"k{k}_", ans=None if ans is None else self.code_name(ans))
        text = code.describe([self.name(i) for i in shown], g=None if g is None else self.name(g), out=out_name,
                             ans=None if ans is None else self.name(ans))
        reads = code.reads()
        if reads:
            named = {"g": g, "ans": ans, "saved": saved}
            ins = [named[r] if isinstance(r, str) else inputs[r] for r in sorted(reads, key=str)]
        if code.view and out is not None and code.out is None and all(i not in self.produced for i in ins):
            scope = {"np": np, **names, **{self.code_name(i): self.values[i] for i in ins}}
            exec(source, scope)  # noqa: S102  (our own kernel source: a view of constants, made once)
            self.produced.discard(out)  # a constant from now on, read where the plan keeps it
            self.values[out] = scope[out_name]
            self.steps.append(Step(None, ins, None, f"c{out} = {text.split(' = ', 1)[-1]}   (made once)", code="",
                                   names={}))
            return names
        if code.view and out is not None and code.out is None and len(ins) == 1:
            self.views[out] = ins[0]  # out is a view of ins[0]'s array (a fresh .grad may keep it as it is)
        if code.out is not None:
            names[out_name] = code.out
        if extra:
            source, names = source + extra.format(t=f"k{k}_t"), names
        self.steps.append(Step(None, ins, out, text, commits, code=source, names=names, in_place=code.in_place))
        if code.out is not None:
            self.buffered[out] = self.steps[-1]
        return names

    def code_name(self, slot):
        """The Python name a pasted kernel uses for a slot: v (results, arguments) or c (constants)."""
        return f"v{slot}" if slot in self.produced else f"c{slot}"

    def name(self, slot):
        if slot in self.produced:
            return f"v{slot}"
        value = self.values[slot]
        if isinstance(value, _ndarray):
            return f"c{slot}"
        return repr(value)

    # ---- forward ops --------------------------------------------------------------
    def on_op(self, op, args, params):
        if self.muted:  # a forward hook's own arithmetic: the hook is replayed whole
            return op(*args, **params)
        if forward_mode.any_open() and forward_mode.levels.open - forward_mode.shared_levels():
            raise JitError(f"{op.name}: forward mode (jvp, jacfwd, hessian, hvp) inside cr.jit is not supported")
        out = op(*args, **params)
        if params:
            self._guard_value_params(op, params)
        ins = [self.slot_of(a) for a in args]
        node = out._node
        saving = node is not None and op.saving_forward is not None and node.saved is not None
        out_slot = self.new_slot(out._data)
        names = ", ".join(self.name(i) for i in ins)
        extra = "".join(f", {k}={v!r}" for k, v in params.items())
        kernel = None if saving else kernels.forward_kernel(op, [self.seen[i] for i in ins], params, out._data)
        if saving:
            saved_slot = self.new_slot(node.saved)
            kernel = kernels.saving_kernel(op, [self.seen[i] for i in ins], params, out._data, node.saved)
            func, text = kernel if kernel is not None else (bind(op.saving_forward, **params),
                                                            f"{op.name}.saving_forward({names}{extra})")
            self.add(func, ins, (out_slot, saved_slot), text)
        elif isinstance(kernel, kernels.Code):
            saved_slot = None
            self.add_code(kernel, ins, ins, out_slot)
        elif kernel is not None:
            func, text = kernel
            saved_slot = None
            self.add(func, ins, out_slot, text.format(*(self.name(i) for i in ins), out=f"v{out_slot}"))
        else:
            saved_slot = None
            self.add(_as_array(bind(op.forward, **params) if params else op.forward), ins, out_slot,
                     f"{op.name}({names}{extra})")
        self.made[id(out)] = (op, ins, out_slot, saved_slot, params)
        self.inside.add(id(out))
        self.keep.append(out)
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        if all(id(a) in self.pseudo for a in tensor_args):
            self.pseudo.add(id(out))
        return out

    def _guard_value_params(self, op, params):
        """A parameter holding a traced result's array (x[x > 0], take(x, argmax(x))) is baked into the step:
        the replay checks that the result holds the same values again, else it traces anew (as for a branch)."""
        for value in params.values():
            for part in value if isinstance(value, tuple) else (value,):
                if not isinstance(part, _ndarray):
                    continue
                array = part
                while array.base is not None and id(array) not in self.slot:  # a view of a result: that result
                    array = array.base
                slot = self.slot.get(id(array))
                if slot is None or slot not in self.produced or not isinstance(array, _ndarray):
                    continue
                where = f"{op.name}'s index, computed from the traced values [{caller_line(4)}]"
                self.add(guard_call(bind(_same_values, array.copy()), True, where), (slot,), None,
                         f"guard {self.name(slot)} holds the traced {describe(array)} index   [{where}]",
                         guard=True)

    # ---- the reverse sweep ----------------------------------------------------------
    def on_backward_pass(self, original, roots, seeds, targets=None, create_graph=False, retain_graph=False,
                         observer=None):
        # was each leaf's .grad set before this sweep deposits into it? (the deposit guards read it)
        had = {id(r): r.grad is not None for r in roots if r._node is None}
        events = []

        def watch(t, i, x, gi, total):
            events.append((t, i, x, gi, total))
            if x._node is None and id(x) not in had:
                had[id(x)] = x.grad is not None
            if observer is not None:
                observer(t, i, x, gi, total)

        if any(r._retains_grad for r in roots):
            raise JitError("retain_grad() inside cr.jit is not supported: return the gradient instead")
        self.quiet += 1
        try:
            result = original(roots, seeds, targets=targets, create_graph=create_graph,
                              retain_graph=retain_graph, observer=watch)
        finally:
            self.quiet -= 1
        if any(isinstance(e[3], Tensor) for e in events):
            # the rules ran on Tensors (higher order): every op they applied was traced already
            if targets is None:
                for x in order_of_leaves(events, roots):
                    self._deposit_tensor(x)
            return result
        adj = self._root_adjoints(roots, seeds)
        order = self._replay_events(events, adj)
        if targets is None:
            seen = {id(x) for x in order}
            order += [r for r in roots if r._node is None and id(r) not in seen]
            self._deposit_all([x for x in order if x._node is None], adj, had)
        return result

    def _root_adjoints(self, roots, seeds):
        """The roots' adjoints: their seeds (cast to the root's dtype, summed for a repeated root)."""
        adj = {}
        pending, self.pending_seed = self.pending_seed, None
        if pending is not None and isinstance(seeds[0], _ndarray) and id(seeds[0]) not in self.slot:
            # backward(grad=g) copied g into the seed: the copy is a step too, or g would be baked in
            copy = self.new_slot(seeds[0])
            self.add(bind(_seed_copy, seeds[0].dtype), (pending,), copy, f"np.array({self.name(pending)})")
        for root, seed in zip(roots, seeds):
            seed = seed._data if isinstance(seed, Tensor) else np.asarray(seed)
            made_here = pending is None and id(seed) not in self.slot  # backward()'s ones, never seen before
            s = self.slot_of(seed)
            if made_here and s not in self.produced and seed.dtype.kind == "f" and (seed == 1).all():
                self.own_seeds.add(s)
            if self.seen[s].dtype != root._data.dtype:
                cast = self.new_slot(self.seen[s].astype(root._data.dtype))
                self.add(bind(_cast, root._data.dtype), (s,), cast, f"{self.name(s)}.astype({root._data.dtype})")
                s = cast
            adj[id(root)] = s if id(root) not in adj else self._sum(adj[id(root)], s)
        return adj

    def _replay_events(self, events, adj):
        """Each accumulation step of the sweep as plan steps: the rule's call, then the sum."""
        order = []
        for t, i, x, gi, total in events:
            if t._retains_grad or (x._retains_grad and x._node is not None):
                raise JitError("retain_grad() inside cr.jit is not supported: return the gradient instead")
            made = self.made.get(id(t))
            if made is None:
                raise JitError(f"backward reaches {t._node.op.name if t._node else 'a tensor'} recorded outside "
                               "cr.jit: build the whole graph inside the jitted function")
            first = id(x) not in adj
            gi_slot = self._contribution(made, i, adj[id(t)], gi)
            adj[id(x)] = gi_slot if first else self._sum(adj[id(x)], gi_slot, total)
            if first:
                order.append(x)
        return order

    def _contribution(self, made, i, g_slot, gi):
        op, ins, out_slot, saved_slot, params = made
        args = [g_slot, out_slot, *ins] + ([saved_slot] if saved_slot is not None else [])
        kernel = kernels.vjp_kernel(op, i, self.seen[g_slot], self.seen[out_slot], [self.seen[k] for k in ins],
                                    params, gi)
        slot = self.new_slot(gi)
        if isinstance(kernel, kernels.Code):
            if getattr(kernel, "fold_g", None) is not None and g_slot in self.own_seeds:
                kernel = kernel.fold_g(self.values[g_slot])  # g is backward()'s own seed: the same every call
            self.add_code(kernel, ins, args, slot, g=g_slot, saved=saved_slot, ans=out_slot)
            return slot
        if kernel is not None:
            func, text = kernel
            text = text.format(*(self.name(k) for k in ins), g=self.name(g_slot), out=f"v{slot}")
        else:
            func, rule_name = contribution_call(op, i, params, saved_slot is not None)
            text = f"{op.name}.{rule_name}[{i}]({', '.join(self.name(a) for a in args)})"
        self.add(func, args, slot, text)
        return slot

    def _sum(self, prev, gi_slot, total=None):
        total = total if total is not None else self.seen[prev] + self.seen[gi_slot]
        slot = self.new_slot(total)
        kernel = kernels.sum_kernel(self.seen[prev], self.seen[gi_slot], total)
        if isinstance(kernel, kernels.Code):
            self.add_code(kernel, (prev, gi_slot), (prev, gi_slot), slot)
        elif kernel is not None:
            func, text = kernel
            self.add(func, (prev, gi_slot), slot, text.format(self.name(prev), self.name(gi_slot), out=f"v{slot}"))
        else:
            self.add(operator.add, (prev, gi_slot), slot, f"np.add({self.name(prev)}, {self.name(gi_slot)})")
        return slot

    # ---- values leaving for Python: guards -------------------------------------------
    def guard_compare(self, slot, other_slot, other, how, result, where):
        if other_slot is None:
            read = bind(_compare_item, how, other)
            ins = (slot,)
        else:
            read, ins = bind(_compare_items, how), (slot, other_slot)
        self.add(guard_call(read, result, where), ins, None,
                 f"guard {how.__name__}({self.name(slot)}.item(), {other!r}) is {result}   [{where}]", guard=True)

    def on_item(self, original, t):
        value = original(t)
        slot = self.slot.get(id(t._data))
        if slot is None or slot not in self.produced:
            return value
        where = caller_line(3)
        if isinstance(value, float):
            return TracedFloat(value, slot, self)
        self.add(guard_call(_item, value, where), (slot,), None,
                 f"guard {self.name(slot)}.item() == {value!r}   [{where}]", guard=True)
        return value

    def on_number(self, original, t, kind):
        """float(t) / int(t): Python gets a plain number, so the plan guards its exact value.

        (Python turns whatever __float__ returns into a plain float: a branch on it cannot be
        followed, only the value checked. A new value traces again; `t.item() > 0` guards the
        comparison instead, and tensor comparisons need no guard at all.)
        """
        value = original(t)
        slot = self.slot.get(id(t._data))
        if slot is not None and slot in self.produced:
            where = caller_line(3)
            self.add(guard_call(bind(_as_number, kind), value, where), (slot,), None,
                     f"guard {kind.__name__}({self.name(slot)}) == {value!r}   [{where}]", guard=True)
        return value

    def on_bool(self, original, t):
        value = original(t)
        slot = self.slot.get(id(t._data))
        if slot is not None and slot in self.produced:
            where = caller_line(3)
            self.add(guard_call(bool, value, where), (slot,), None,
                     f"guard bool({self.name(slot)}) is {value}   [{where}]", guard=True)
        return value

    def on_module_call(self, module, args, kwargs):
        """A module's forward, traced; each forward hook becomes a step calling it on the replayed values."""
        out = module.forward(*args, **kwargs)
        for hook in module._forward_hooks:
            self.muted += 1
            try:
                hook(module, args, out)
            finally:
                self.muted -= 1
            values = [a for a in (out, *args)]
            ins = [self.slot.get(id(a._data)) if isinstance(a, Tensor) else None for a in values]
            if None in ins:
                raise JitError(f"a forward hook of {type(module).__name__} sees a value cr.jit did not trace")
            self.grads.clear()  # a hook is Python the plan calls whole: it may set any .grad
            self.add(bind(_run_hook, hook, module), ins, None,
                     f"{getattr(hook, '__qualname__', 'hook')}({type(module).__name__}, ...)")
            self.keep.append(module)
        return out

    # ---- state changed outside ops: in-place writes, .data, .grad ---------------------
    def in_place(self, t, op, other):
        """`t op= other` on arrays (the sweep-free path of Tensor._update_in_place): a step writing into t."""
        ins = (self.slot_of(t), self.slot_of(other))
        self.keep.append(t)
        kernel = kernels.in_place_kernel(op, self.seen[ins[0]], self.seen[ins[1]])
        if isinstance(kernel, kernels.Code):
            # Tensor._bump_version written out for a tensor that is no view (its own version counter)
            bump = "; {t}._version = {t}_last.reading = next({t}_clock)" if t._base is None else "; {t}._bump_version()"
            names = self.add_code(kernel, ins, ins, None, commits=ins[0] not in self.produced, extra=bump)
            k = len(self.steps) - 1
            names[f"k{k}_t"], names[f"k{k}_t_clock"], names[f"k{k}_t_last"] = t, clock, last_change
            return
        if kernel is not None:
            func, text = kernel
            self.add(bind(_bumping, t, func), ins, None, text.format(*(self.name(k) for k in ins)),
                     commits=ins[0] not in self.produced)
            return
        self.add(bind(_write_in_place, t, op), ins, None,
                 f"np.copyto({self.name(ins[0])}, {getattr(op, 'name', 'update')}({self.name(ins[0])}, "
                 f"{self.name(ins[1])}))",
                 commits=ins[0] not in self.produced)

    def set_item(self, t, index, value):
        ins = (self.slot_of(t), self.slot_of(value))
        self.keep.append(t)
        self.add(bind(_write_item, t, index), ins, None, f"{self.name(ins[0])}[{index!r}] = {self.name(ins[1])}",
                 commits=ins[0] not in self.produced)

    def set_grad(self, t, value):
        """`t.grad = value` written in the step's own Python (not by the sweep or an optimizer)."""
        if id(t) in self.inside:
            return
        self.keep.append(t)
        if value is None:
            self.add_code(kernels.Code("update", "{t}.grad = None", text=f"{self.name(self.slot_of(t))}.grad = None",
                                       t=t), (), (), None)
            self.grads[id(t)] = None
            return
        self.grads.pop(id(t), None)
        slot = self.slot_of(value)
        self.add(bind(_set_grad, t), (slot,), None, f"{self.name(self.slot_of(t))}.grad = {self.name(slot)}",
                 commits=True)

    def release(self):
        """Drop what only the trace needed (what was seen, kept alive, made), keeping what the plan uses."""
        self.keep = self.seen = self.made = self.slot = self.buffered = self.views = None
        self.inside = self.pseudo = None

    # ---- the plan ---------------------------------------------------------------------
    def plan(self, outputs, structure):
        leaves = []
        for x in outputs:
            if isinstance(x, TaintedFloat):
                raise JitError("cr.jit: the function returns a float computed in Python from a tensor's "
                               "item(); return the tensor (or its item()) itself")
            if isinstance(x, TracedFloat):
                leaves.append(("item", x.slot))
            elif isinstance(x, Tensor) and self.slot.get(id(x._data)) in self.produced:
                leaves.append(("array" if id(x) in self.pseudo else "tensor", self.slot[id(x._data)]))
            elif isinstance(x, (_ndarray, np.generic)) and self.slot.get(id(x)) in self.produced:
                leaves.append(("array", self.slot[id(x)]))
            else:
                leaves.append(("same", x))
        share_buffers(self.steps, self.buffered, [x for kind, x in leaves if kind != "same"])
        return Plan(self.values, self.meta, self.arg_slots, self.captured, self.steps, leaves, structure)


def order_of_leaves(events, roots):
    seen, order = set(), []
    for x in [e[2] for e in events] + list(roots):
        if x._node is None and id(x) not in seen:
            seen.add(id(x))
            order.append(x)
    return order


def _same_values(traced, now):
    """Whether a replay's array holds the values (and shape) the trace baked in."""
    return now.shape == traced.shape and bool(np.array_equal(now, traced))
