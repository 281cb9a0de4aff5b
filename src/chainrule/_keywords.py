"""Unknown keyword arguments, explained: the function's name and the keywords it takes.

`explain_keywords(namespace, names)` wraps public functions so that
`f(x, keepdimz=True)` on a function without `keepdimz` raises
TypeError("nn.functional.f() got an unexpected keyword argument 'keepdimz'; it takes ...").
A function that takes NumPy's `axis=` / `keepdims=` also takes PyTorch's `dim=` / `keepdim=`
(the op table's rows get the same from chainrule.core.registry.keyword_params).
The wrapper only reads the signature when a TypeError is raised, so calls cost one frame more.
`explain_init_keywords` does the same for layer classes' constructors.
"""

from __future__ import annotations

import functools
import inspect

# PyTorch's and NumPy's names of one parameter: a function taking one also takes the other
_SPELLINGS = (("dim", "axis"), ("keepdim", "keepdims"), ("axis", "dim"), ("keepdims", "keepdim"))


def _spellings(fn):
    """{other spelling: fn's own} for the parameters fn takes under one of the two names only."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    return {other: own for other, own in _SPELLINGS if own in params and other not in params}


def _with_keyword_help(fn, label):
    spellings = _spellings(fn)

    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        if spellings and kwargs:
            for torch_name, ours in spellings.items():
                if torch_name in kwargs:
                    if ours in kwargs:
                        raise TypeError(f"{label}() got both {torch_name}= and {ours}=; give one of them")
                    kwargs[ours] = kwargs.pop(torch_name)
        try:
            return fn(*args, **kwargs)
        except TypeError as exc:
            if not kwargs or "unexpected keyword argument" not in str(exc):
                raise
            params = inspect.signature(fn).parameters
            if any(p.kind is p.VAR_KEYWORD for p in params.values()):
                raise
            accepted = [k for k, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
                        and k != "self" and not k.startswith("_")]
            unknown = [k for k in kwargs if k not in accepted]
            if not unknown:  # raised further down, not about this call's keywords
                raise
            takes = ", ".join(accepted) + (f" (or {', '.join(spellings)})" if spellings else "")
            raise TypeError(f"{label}() got an unexpected keyword argument {unknown[0]!r}; it takes "
                            f"{takes or 'no keyword arguments'}") from None
    wrapped.explains_keywords = True
    return wrapped


def explain_keywords(namespace, names, prefix):
    """Replace each function `names` in the dict `namespace` (a module's globals()) by its explaining wrapper."""
    for name in names:
        fn = namespace.get(name)
        if inspect.isfunction(fn) and not getattr(fn, "explains_keywords", False):
            namespace[name] = _with_keyword_help(fn, f"{prefix}{name}")


def explain_init_keywords(classes, prefix):
    """Give each class an __init__ whose unknown keywords are explained under the class's own name."""
    for cls in classes:
        init = cls.__init__
        wrapped = _with_keyword_help(init, f"{prefix}{cls.__name__}")
        wrapped.__qualname__ = f"{cls.__qualname__}.__init__"
        cls.__init__ = wrapped
