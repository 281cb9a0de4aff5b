"""An op's keywords: PyTorch's spellings read as NumPy's, and an unknown keyword explained.

`cr.sum(x, dim=1, keepdim=True)` is `cr.sum(x, axis=1, keepdims=True)` for every row of the op
table that takes axis= / keepdims=, and `cr.sum(x, keepdimz=True)` says "sum() got an unexpected
keyword argument 'keepdimz'; it takes axis, keepdims (or dim, keepdim)". Op.__call__ reads the
keywords only after a forward raised a TypeError (or under a transform that reinterprets ops, whose
rules read axis=), so a call with the op's own keywords costs nothing.
"""

from __future__ import annotations

import inspect
import weakref

import numpy as np

from .errors import OpError

_TORCH_SPELLINGS = (("dim", "axis"), ("keepdim", "keepdims"))
# id(op) -> (a weak reference to op, the keywords its forward takes (None: any)): weakly held, as a
# WeakKeyDictionary would, but one dict lookup where the weak dictionary costs three Python calls
_KEYWORDS: dict[int, tuple] = {}


def op_keywords(op):
    """The names op's forward takes by keyword, or None when it takes any (inputs first, then parameters).

    Example:
        >>> import chainrule as cr
        >>> op_keywords(cr.sum), op_keywords(cr.tanh)
        (('x', 'axis', 'keepdims'), ())
    """
    seen = _KEYWORDS.get(id(op))
    if seen is None or seen[0]() is not op:  # (a dead op's id, reused: its entry is replaced)
        seen = _KEYWORDS[id(op)] = (weakref.ref(op), _forward_keywords(op.forward))
    return seen[1]


def _forward_keywords(forward):
    if isinstance(forward, np.ufunc):  # a ufunc row takes no parameters
        return ()
    try:
        params = inspect.signature(forward).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return tuple(p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))


def keyword_params(op, params):
    """params with PyTorch's dim= / keepdim= read as axis= / keepdims= where op takes those; a keyword op
    does not take raises TypeError naming the op and the keywords it takes.

    Example:
        >>> import chainrule as cr
        >>> keyword_params(cr.sum, {"dim": 0, "keepdim": True})
        {'axis': 0, 'keepdims': True}
        >>> keyword_params(cr.sum, {"keepdimz": True})
        Traceback (most recent call last):
        ...
        TypeError: sum() got an unexpected keyword argument 'keepdimz'; it takes axis, keepdims (or dim, keepdim)
    """
    accepted = op_keywords(op) if params else None
    if accepted is None:
        return params
    for name in params:
        if name not in accepted:
            break
    else:  # the op's own keywords (every call a transform reinterprets): as given
        return params
    read = dict(params)
    for torch_name, ours in _TORCH_SPELLINGS:
        if torch_name in read and torch_name not in accepted and ours in accepted:
            if ours in read:
                raise TypeError(f"{op.name}() got both {torch_name}= and {ours}=; give one of them")
            read[ours] = read.pop(torch_name)
    unknown = [k for k in read if k not in accepted]
    if unknown:
        spellings = [t for t, ours in _TORCH_SPELLINGS if ours in accepted and t not in accepted]
        takes = ", ".join(accepted[1:]) + (f" (or {', '.join(spellings)})" if spellings else "")
        raise TypeError(f"{op.name}() got an unexpected keyword argument {unknown[0]!r}; "
                        f"it takes {takes or 'no keyword arguments'}")
    return read


def forward_failed(op, args, params, exc):
    """After op's forward raised on tensors' arrays: the call again with PyTorch's spellings read, else OpError."""
    if params and isinstance(exc, TypeError) and keyword_params(op, params) != params:
        return op(*args, **keyword_params(op, params))  # dim= / keepdim=
    raise OpError(f"{op.name}: {exc} (input shapes: {_shapes(args)})") from None


def with_keywords_read(op, args, params):
    """The call again with PyTorch's spellings read, after op's forward raised a TypeError on plain arrays."""
    if params and keyword_params(op, params) != params:
        return op(*args, **keyword_params(op, params))
    raise  # the forward's own TypeError, still being handled


def _shapes(args):
    return ", ".join(str(tuple(a.shape)) if hasattr(a, "shape") else repr(a) for a in args)
