"""ModuleList and ModuleDict: sub-modules held in a list or a dict, registered so their parameters count."""

from __future__ import annotations

from ..core.errors import ChainruleError
from .module import Module


def _check(module, where):
    if not isinstance(module, Module):
        raise ChainruleError(f"{where} holds Modules, got a {type(module).__name__}")
    return module


class ModuleList(Module):
    """A list of modules whose parameters belong to the holder (plain lists' would not).

    Example:
        >>> import chainrule as cr
        >>> layers = cr.nn.ModuleList([cr.nn.Linear(2, 2) for _ in range(3)])
        >>> len(layers), len(list(layers.parameters()))
        (3, 6)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def _items(self):
        return list(self._modules.values())

    def _renumber(self, modules):
        for name in list(self._modules):
            object.__delattr__(self, name)
        self._modules.clear()
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __getitem__(self, i):
        items = self._items()
        return ModuleList(items[i]) if isinstance(i, slice) else items[i]

    def __setitem__(self, i, module):
        items = self._items()
        items[i] = _check(module, "ModuleList")
        self._renumber(items)

    def __delitem__(self, i):
        items = self._items()
        del items[i]
        self._renumber(items)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._items())

    def append(self, module):
        """Add a module at the end (returns self)."""
        setattr(self, str(len(self)), _check(module, "ModuleList"))
        return self

    def extend(self, modules):
        """Add modules at the end (returns self)."""
        for m in modules:
            self.append(m)
        return self

    def insert(self, index, module):
        """Insert a module before `index`."""
        items = self._items()
        items.insert(index, _check(module, "ModuleList"))
        self._renumber(items)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward(): iterate over it in your module's forward")


class ModuleDict(Module):
    """A dict of modules (insertion order kept) whose parameters belong to the holder.

    Example:
        >>> import chainrule as cr
        >>> heads = cr.nn.ModuleDict({"a": cr.nn.Linear(2, 1), "b": cr.nn.Tanh()})
        >>> list(heads.keys()), "a" in heads
        (['a', 'b'], True)
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        setattr(self, str(key), _check(module, "ModuleDict"))

    def __delitem__(self, key):
        del self._modules[key]
        object.__delattr__(self, key)

    def __contains__(self, key):
        return key in self._modules

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def keys(self):
        """The names, in insertion order."""
        return self._modules.keys()

    def values(self):
        """The modules, in insertion order."""
        return self._modules.values()

    def items(self):
        """(name, module) pairs, in insertion order."""
        return self._modules.items()

    def pop(self, key):
        """Remove and return the module named `key`."""
        module = self._modules[key]
        del self[key]
        return module

    def update(self, modules):
        """Add (name, module) pairs from a mapping or an iterable of pairs."""
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward(): pick its modules in your module's forward")


from .._keywords import explain_init_keywords  # noqa: E402  (wraps the classes above)

explain_init_keywords([ModuleList, ModuleDict], "nn.")
