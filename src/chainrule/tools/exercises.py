"""The notes' exercises, stated with their data and checked: `chainrule exercise list|show|check`.

Every expected answer is computed by chainrule from the exercise's own
definition (the tests compare them with the numbers printed in the notes).
A learner answers with numbers (one per entry; matrices as nested lists)
or with a Python file defining the exercise's function, which is imported
from its path and called with the data.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.errors import ChainruleError
from .exercise_book import EXERCISES, Exercise

__all__ = ["EXERCISES", "Exercise", "Verdict", "get", "show", "check", "parse_numbers", "load_function"]


@dataclass
class Verdict:
    """The outcome of `check`: ok, and the lines that say why."""

    ok: bool
    lines: list

    def __str__(self):
        return "\n".join(self.lines)


def get(key):
    """The exercise called `key` (e.g. '002-f'), or a ChainruleError listing the keys.

    Example:
        >>> from chainrule.tools.exercises import get
        >>> get("002-gates").data
        {'x': 3.0, 'y': -4.0, 'z': 2.0, 'w': -1.0}
    """
    if key not in EXERCISES:
        raise ChainruleError(f"no exercise {key!r}; the exercises are: {', '.join(EXERCISES)}")
    return EXERCISES[key]


def show(key):
    """The task, the data and what to answer, as text.

    Example:
        >>> from chainrule.tools.exercises import show
        >>> print(show("002-f").splitlines()[0])
        002-f  (seed 002) f(x1, x2) = ln x1 + x1 x2 - sin x2 at (2, 5)
    """
    ex = get(key)
    lines = [f"{ex.key}  (seed {ex.source}) {ex.title}", "", ex.task, ""]
    if ex.data:
        lines.append("Data:")
        lines += [f"  {k} = {_text(v)}" for k, v in ex.data.items()]
        lines.append("")
    entries = ex.expected()
    lines.append("Answer, in this order: " + "; ".join(
        f"{k} (shape {'×'.join(map(str, v.shape)) or 'scalar'}{', ' + ex.layouts[k] if k in ex.layouts else ''})"
        for k, v in entries.items()))
    example = " ".join(f"'{_text(np.zeros_like(v))}'" if v.ndim else "0" for v in entries.values())
    lines.append(f"  chainrule exercise check {ex.key} {example}")
    if ex.function:
        lines.append(f"  or: chainrule exercise check {ex.key} answer.py   (answer.py defines "
                     f"{ex.function}({', '.join(ex.data)}) returning the entries in that order)")
    if ex.open_part:
        lines += ["", "To think about (no number checks this): " + ex.open_part]
    return "\n".join(lines)


def _text(v):
    v = np.asarray(v)
    return repr(v.item()) if v.ndim == 0 else repr(v.tolist())


def parse_numbers(text):
    """A number, fraction or nested list of numbers from text, read safely (an ast whitelist, never eval).

    Example:
        >>> from chainrule.tools.exercises import parse_numbers
        >>> parse_numbers("1/2"), parse_numbers("[[1, 2], [3, -4.5]]"), parse_numbers("[1/2, 2**-1]")
        (0.5, [[1.0, 2.0], [3.0, -4.5]], [0.5, 0.5])
    """
    if not isinstance(text, str) or len(text) > 100_000:
        raise ChainruleError("an answer is a number or a list of numbers, at most 100000 characters")
    try:
        return _literal(ast.parse(text.strip(), mode="eval").body, 0)
    except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError, ZeroDivisionError):
        raise ChainruleError(f"cannot read the answer {text[:60]!r} as numbers: write e.g. 0.5, 1/2 or "
                             "[[1, 2], [3, 4]]") from None


_ARITHMETIC = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
               ast.Div: lambda a, b: a / b}


def _literal(node, depth):
    if depth > 50:
        raise ValueError("too deep")
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_literal(e, depth + 1) for e in node.elts]
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand, depth + 1)
        if isinstance(value, list):
            raise ValueError("a sign on a list")
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and (type(node.op) in _ARITHMETIC or isinstance(node.op, ast.Pow)):
        a, b = _literal(node.left, depth + 1), _literal(node.right, depth + 1)
        if isinstance(a, list) or isinstance(b, list) or (isinstance(node.op, ast.Pow) and abs(b) > 64):
            raise ValueError("arithmetic on lists, or too large a power")
        return a ** b if isinstance(node.op, ast.Pow) else _ARITHMETIC[type(node.op)](a, b)
    raise ValueError("not a number")


def load_function(path, name):
    """Import the learner's Python file from `path` (importlib, never eval) and return its function `name`.

    Example:
        >>> import pathlib, tempfile
        >>> from chainrule.tools.exercises import load_function
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "answer.py"
        >>> _ = path.write_text("def grad_f(x):\\n    return 2 * x\\n")
        >>> load_function(path, "grad_f")(3.0)
        6.0
    """
    path = Path(path)
    if not path.is_file():
        raise ChainruleError(f"no file {path}")
    spec = importlib.util.spec_from_file_location(f"chainrule_answer_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ChainruleError(f"{path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the learner's code: report it in one line
        raise ChainruleError(f"importing {path} failed: {type(exc).__name__}: {exc}") from None
    fn = getattr(module, name, None)
    if not callable(fn):
        raise ChainruleError(f"{path} defines no function {name}(...)")
    return fn


def check(key, answers):
    """Check the learner's answers (strings of numbers, a list of values, or one path to a .py file).

    Example:
        >>> from chainrule.tools.exercises import check
        >>> print(check("002-f", ["11.652", "5.5", "1.716"]))
        OK: y = 11.6521, dy/dx1 = 5.5, dy/dx2 = 1.7163
        >>> print(check("002-f", ["11.652", "5.5", "2"]))
        WRONG: dy/dx2 is 2, expected 1.7163
    """
    ex = get(key)
    expected = ex.expected()
    if isinstance(answers, (str, Path)):
        answers = [answers]
    answers = list(answers)
    if len(answers) == 1 and isinstance(answers[0], (str, Path)) and str(answers[0]).endswith(".py"):
        if not ex.function:
            raise ChainruleError(f"exercise {key} takes numbers, not a Python file")
        fn = load_function(answers[0], ex.function)
        try:
            result = fn(**{k: np.array(v, dtype=np.float64) for k, v in ex.data.items()})
        except Exception as exc:  # the learner's code
            return Verdict(False, [f"WRONG: {ex.function}(...) raised {type(exc).__name__}: {exc}"])
        answers = [result[k] for k in expected] if isinstance(result, dict) else (
            list(result) if len(expected) > 1 else [result])
    else:
        answers = [parse_numbers(a) if isinstance(a, str) else a for a in answers]
        if len(answers) == 1 and len(expected) > 1 and isinstance(answers[0], (tuple, list)) \
                and len(answers[0]) == len(expected):
            answers = list(answers[0])
    if len(answers) != len(expected):
        raise ChainruleError(f"exercise {key} wants {len(expected)} answers ({', '.join(expected)}), "
                             f"got {len(answers)}")
    for (name, want), given in zip(expected.items(), answers):
        problem = _compare(name, np.asarray(given, dtype=np.float64), want, ex.tol)
        if problem:
            return Verdict(False, ["WRONG: " + problem])
    return Verdict(True, ["OK: " + ", ".join(f"{k} = {_short(v)}" for k, v in expected.items())])


def _short(v):
    from .formatting import format_value

    return format_value(v, decimals=4).replace("\n", "")


def _compare(name, got, want, tol):
    if got.shape != want.shape:
        if got.size == want.size and want.ndim >= 1:
            got = got.reshape(want.shape)  # a flat list for a vector given as a row, ...
        else:
            return f"{name} has shape {got.shape or 'scalar'}, expected {want.shape or 'scalar'}"
    bad = np.abs(got - want) > tol * np.maximum(1.0, np.abs(want))
    if not bad.any():
        return None
    where = tuple(int(i) for i in np.argwhere(bad)[0]) if want.ndim else ()
    index = f"[{', '.join(map(str, where))}]" if where else ""
    hint = ""
    if want.ndim == 2 and want.shape[0] == want.shape[1] and np.allclose(got, want.T, atol=tol, rtol=tol):
        hint = " (yours is the transpose: mind the layout, see `show`)"
    mine, theirs = (got[where], want[where]) if where else (got, want)
    return f"{name}{index} is {_short(mine)}, expected {_short(theirs)}{hint}"


