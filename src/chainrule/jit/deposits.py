"""The tracer's .grad bookkeeping: the sweep's deposits into .grad, fresh gradient arrays, what SGD may read.

A mixin of tracing.Tracer (the same object, split only to keep the files small): each deposit
becomes a step that sets or adds to `.grad` as the sweep does; a gradient that becomes a
`.grad` is written by its kernel into a new array each call (never a plan buffer the next call
overwrites), and a small model's gradients share one block so that SGD scales them in one
multiply; the plan's own knowledge of what each `.grad` holds (`Tracer.grads`) spares the
deposits their check and lets SGD read the arrays directly.
"""

from __future__ import annotations

from functools import partial as bind

from ..core.tensor import Tensor
from . import updates
from .fresh import FreshArrays
from .guards import JitError
from .plan import Step
from .steps import _GRADS_CHANGED, _deposit_all, _fail, _set_grad


class Deposits:
    """Tracer methods for .grad deposits (see the module docstring)."""

    def _deposit_all(self, leaves, adj, had):
        """The sweep's deposits into .grad: one step, which first checks each .grad is set (or None) as traced.

        The deposit itself is dynamic (set, or add to what is there), as the sweep's own; the check
        sees .grad set or cleared behind the plan's back (e.g. by Python code between calls).
        """
        if not leaves:
            return
        for x in leaves:
            if id(x) in self.inside:
                raise JitError("backward() into the .grad of a tensor made inside cr.jit is not supported: "
                               "return its gradient instead (cr.grad)")
            self.keep.append(x)
        expected = tuple(had[id(x)] for x in leaves)
        ins = [adj[id(x)] for x in leaves]
        pending = []
        fresh = tuple(self._fresh_each_call(k, pending) for k in ins)
        self._allocate_fresh(pending)
        outs = tuple(self.new_slot(x.grad._data) for x in leaves)
        text = "; ".join(f"{self.name(self.slot_of(x))}.grad {'+' if h else ''}= {self.name(k)}"
                         + ("" if f else ".copy()") for x, k, h, f in zip(leaves, ins, expected, fresh))
        text = f"check which .grad are set {expected}; {text}"
        if any(x._data.dtype.kind == "c" for x in leaves):  # conjugated deposits: the sweep's own function
            for x in leaves:
                self.grads.pop(id(x), None)
            self.add(bind(_deposit_all, tuple(leaves), expected, fresh), ins, outs, text, commits=True, guard=True)
            return
        # as pasted source: the check first (nothing changed yet if it fails), then each deposit
        k = len(self.steps)
        names = {f"d{k}_t{i}": x for i, x in enumerate(leaves)}
        names[f"d{k}_fail"], names[f"d{k}_wrap"] = bind(_fail, k, _GRADS_CHANGED), Tensor._wrap
        state = ", ".join(f"d{k}_t{i}.grad is not None" for i in range(len(leaves)))
        # the check is needed only where the plan does not itself know each .grad (zero_grad() a step before)
        known = all(id(x) in self.grads and (self.grads[id(x)] is not None) == h for x, h in zip(leaves, expected))
        lines = [] if known else [f"if ({state},) != {expected!r}: d{k}_fail()"]
        if known:
            text = text.split("; ", 1)[1]
        for i, (slot, out, h, f) in enumerate(zip(ins, outs, expected, fresh)):
            g = self.code_name(slot)
            value = f"np.asarray(d{k}_t{i}.grad._data + {g})" if h else (g if f else f"np.array({g})")
            lines += [f"v{out} = {value}", f"d{k}_t{i}.grad = d{k}_wrap(v{out})"]
        self.steps.append(Step(None, ins, outs, text, True, code="\n".join(lines), names=names))
        self.grads.update((id(x), out) for x, out in zip(leaves, outs))
        for slot, out, h, f in zip(ins, outs, expected, fresh):
            if f and not h and slot in self.grad_block:  # .grad holds that fresh array itself
                self.grad_block[out] = self.grad_block[slot]

    def _fresh_each_call(self, slot, pending):
        """Let the kernel writing `slot` write into a new array each call, as the eager rule does.

        A gradient that becomes a .grad must be memory of its own (the next call must not
        overwrite it); a fresh output costs one allocation, where a copy of a buffer costs a
        pass over the data too. True when done (the deposit then keeps the array as it is);
        the allocation itself is written by _allocate_fresh, for all of a deposit's at once.
        """
        viewed = slot in self.views  # a view (g.T) of a kernel's buffer: that kernel writes a new array instead
        slot = self.views.get(slot, slot)
        step = self.buffered.pop(slot, None)
        if step is None:
            return False
        pending.append((slot, step, step.names.pop(f"v{slot}"), not viewed))  # a view's array: on its own
        return True

    def _allocate_fresh(self, pending):
        """The new arrays of a deposit's gradients: of one dtype and small together, views of one block.

        One np.empty a call for all of them; SGD (updates.sgd_kernel) then scales the whole block in one
        multiply instead of one per parameter. Apart (large, or of several dtypes), one np.empty each.
        """
        order = {id(step): k for k, step in enumerate(self.steps)}
        by_dtype = {}
        for slot, step, buffer, together in pending:
            by_dtype.setdefault((buffer.dtype, together), []).append((order[id(step)], slot, step, buffer))
        for (dtype, together), group in by_dtype.items():
            group.sort(key=lambda m: m[0])
            total = sum(b.size for *_, b in group)
            block = together and len(group) > 1 and total <= updates.SCRATCH
            block = block and all(b.flags.c_contiguous for *_, b in group)
            name, start = f"_gb{len(self.steps)}", 0
            if not block:  # one array each, new unless last call's is free (fresh.py)
                for _, slot, step, buffer in group:
                    v = f"v{slot}"
                    step.names[f"{v}_take"] = FreshArrays(dtype, [buffer.shape]).take
                    step.code = f"{v}, = {v}_take()\n" + step.code
                continue
            # one block of views, taken where the first of them is written: the later kernels find their views bound
            first = group[0][2]
            views = ", ".join(f"v{slot}" for _, slot, _, _ in group)
            first.names[f"{name}_take"] = FreshArrays(dtype, [b.shape for *_, b in group], block=True).take
            first.code = f"{name}, {views} = {name}_take()\n" + first.code
            for _, slot, _, buffer in group:
                self.grad_block[slot] = (name, start, start + buffer.size, total)
                start += buffer.size

    def _deposit_tensor(self, x):
        if x.grad is None:
            return
        slot = self.slot.get(id(x.grad._data))
        if slot is None:
            raise JitError("backward(create_graph=True) inside cr.jit left a .grad the trace cannot follow")
        self.keep.append(x)
        self.grads.pop(id(x), None)
        self.add(bind(_set_grad, x), (slot,), None, f"p.grad = {self.name(slot)}", commits=True)

    def known_grads(self, params):
        """What the plan knows each parameter's .grad holds here, as updates.sgd_kernel reads it."""
        known = {}
        for p in params:
            if id(p) not in self.grads:
                continue
            slot = self.grads[id(p)]
            if slot is None:
                known[id(p)] = ("none",)
                continue
            data = self.slot.get(id(p._data))
            captured = data is not None and data not in self.produced and any(t is p for t, _ in self.captured)
            known[id(p)] = ("grad", slot, data if captured else None, self.grad_block.get(slot))
        return known
