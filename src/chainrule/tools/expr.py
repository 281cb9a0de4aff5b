"""A safe expression language for the command line: math strings, never eval.

`parse("ln(x1) + x1*x2 - sin(x2)")` reads the text with Python's `ast`
module and accepts only a whitelist: numbers, variable names, + - * / **,
unary minus and plus, parentheses, and calls of the functions in FUNCTIONS
with positional arguments. Anything else (attributes, subscripts, lambdas,
keywords, comprehensions, conditionals, strings, dunder names, unknown
functions) is rejected with a one-line message naming it and its column.
The result is a small tree of our own (`Num`, `Var`, `Unary`, `Binary`,
`Call`) that `evaluate` computes with chainrule ops, so it can be traced and
differentiated. Limits on length and nesting keep hostile input cheap.
"""

from __future__ import annotations

import ast
import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..core.errors import ChainruleError

MAX_LENGTH = 2000
MAX_DEPTH = 64  # open parentheses
MAX_TREE_DEPTH = 500  # operators inside operators (a long sum is a deep tree)


class ExpressionError(ChainruleError, ValueError):
    """The expression is not in the accepted language; the message says where."""


def _functions():
    from .. import ops

    table = {"ln": ops.log, "log": ops.log, "exp": ops.exp, "sin": ops.sin, "cos": ops.cos, "tan": ops.tan,
             "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu, "softplus": ops.softplus,
             "sqrt": ops.sqrt, "abs": ops.abs, "log1p": ops.log1p, "expm1": ops.expm1, "sign": ops.sign,
             "step": ops.step, "leaky_relu": ops.leaky_relu, "elu": ops.elu, "max": ops.maximum,
             "min": ops.minimum}
    return table


FUNCTION_ARITY = {"max": 2, "min": 2}
FUNCTION_NAMES = ("ln", "log", "exp", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "softplus", "sqrt", "abs",
                  "log1p", "expm1", "sign", "step", "leaky_relu", "elu", "max", "min")


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: object


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / **
    left: object
    right: object


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple


_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}


def _check_text(text):
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("empty expression: write one like 'ln(x1) + x1*x2 - sin(x2)'")
    depth = 0
    for column, ch in enumerate(text, start=1):
        if ch == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(f"too deeply nested at column {column}: more than {MAX_DEPTH} open parentheses")
        elif ch == ")":
            depth -= 1
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    bad = next(((i, c) for i, c in enumerate(text, start=1) if not (c.isascii() and (c.isprintable() or c == " "))),
               None)
    if bad:
        raise ExpressionError(f"unexpected character {bad[1]!r} at column {bad[0]}")


def parse(text):
    """Parse a math expression into a tree, or raise ExpressionError.

    Example:
        >>> from chainrule.tools.expr import parse, to_text
        >>> to_text(parse("ln(x1) + x1*x2 - sin(x2)"))
        '((ln(x1) + (x1 * x2)) - sin(x2))'
        >>> parse("__import__('os')")
        Traceback (most recent call last):
        ...
        chainrule.tools.expr.ExpressionError: name '__import__' is not allowed (column 1)
    """
    _check_text(text)
    try:
        with warnings.catch_warnings():  # e.g. "invalid decimal literal": our own error says it in one line
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        where = f"column {exc.offset}" if exc.offset else "the end"
        raise ExpressionError(f"syntax error at {where}: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("expression is too complex to read") from None
    return _convert(tree.body, 0)


def _where(node):
    return f"(column {getattr(node, 'col_offset', -1) + 1})"


def _convert(node, depth):
    """The tree of an ast node: each allowed kind has its converter, anything else is refused by name."""
    if depth > MAX_TREE_DEPTH:
        raise ExpressionError(f"too deeply nested {_where(node)}")
    if isinstance(node, ast.Constant):
        return _number(node)
    if isinstance(node, ast.Name):
        return _variable(node)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return Binary(_BINARY[type(node.op)], _convert(node.left, depth + 1), _convert(node.right, depth + 1))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return Unary(_UNARY[type(node.op)], _convert(node.operand, depth + 1))
    if isinstance(node, ast.Call):
        return _call(node, depth)
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        raise ExpressionError(f"operator {type(node.op).__name__} not allowed {_where(node)}; use + - * / **")
    raise ExpressionError(f"{_REFUSED.get(type(node), type(node).__name__)} not allowed {_where(node)}")


_REFUSED = {ast.Attribute: "attribute access", ast.Subscript: "subscripts", ast.Lambda: "lambdas",
            ast.IfExp: "conditional expressions", ast.Compare: "comparisons", ast.BoolOp: "and/or",
            ast.ListComp: "comprehensions", ast.GeneratorExp: "comprehensions", ast.Tuple: "tuples",
            ast.List: "lists", ast.Dict: "dicts", ast.Set: "sets", ast.JoinedStr: "strings",
            ast.NamedExpr: "assignments"}


def _number(node):
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
        raise ExpressionError(f"only numbers are allowed as constants, got {node.value!r} {_where(node)}")
    try:
        number = float(node.value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ExpressionError(f"number too large {_where(node)}: constants must be below about 1.8e308")
    return Num(number)


def _variable(node):
    if node.id.startswith("_"):
        raise ExpressionError(f"name {node.id!r} is not allowed {_where(node)}")
    if node.id in FUNCTION_NAMES:
        raise ExpressionError(f"{node.id!r} is a function: call it, e.g. {node.id}(x) {_where(node)}")
    return Var(node.id)


def _call(node, depth):
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(f"calling anything but a plain function name is not allowed {_where(node)}")
    name = node.func.id
    if name.startswith("_"):
        raise ExpressionError(f"name {name!r} is not allowed {_where(node)}")
    if name not in FUNCTION_NAMES:
        raise ExpressionError(f"unknown function {name!r} {_where(node)}; known: {', '.join(FUNCTION_NAMES)}")
    if node.keywords:
        raise ExpressionError(f"keyword arguments are not allowed {_where(node)}")
    arity = FUNCTION_ARITY.get(name, 1)
    if len(node.args) != arity or any(isinstance(a, ast.Starred) for a in node.args):
        raise ExpressionError(f"{name} takes {arity} argument{'s' if arity > 1 else ''}, got {len(node.args)} "
                              f"{_where(node)}")
    return Call(name, tuple(_convert(a, depth + 1) for a in node.args))


def variables(tree):
    """The variable names in a tree, in order of first appearance.

    Example:
        >>> from chainrule.tools.expr import parse, variables
        >>> variables(parse("x2 * sin(x1) + x2"))
        ['x2', 'x1']
    """
    found = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Var) and node.name not in found:
            found.append(node.name)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack += [node.right, node.left]
        elif isinstance(node, Call):
            stack += list(reversed(node.args))
    return found


def to_text(tree):
    """Print a tree fully parenthesised; `parse(to_text(t)) == t`."""
    if isinstance(tree, Num):
        return repr(tree.value) if tree.value >= 0 else f"({tree.value!r})"
    if isinstance(tree, Var):
        return tree.name
    if isinstance(tree, Unary):
        return f"({tree.op}{to_text(tree.operand)})"
    if isinstance(tree, Binary):
        return f"({to_text(tree.left)} {tree.op} {to_text(tree.right)})"
    return f"{tree.name}({', '.join(to_text(a) for a in tree.args)})"


def evaluate(tree, env):
    """Compute a tree with chainrule ops; `env` maps names to Tensors (or numbers)."""
    functions = _functions()

    def run(node):
        if isinstance(node, Num):
            return np.float64(node.value)  # a NumPy scalar, which every op takes (step(2) included)
        if isinstance(node, Var):
            if node.name not in env:
                raise ExpressionError(f"no value for variable {node.name!r}")
            return env[node.name]
        if isinstance(node, Unary):
            value = run(node.operand)
            return -value if node.op == "-" else value
        if isinstance(node, Binary):
            a, b = run(node.left), run(node.right)
            from .. import ops

            return {"+": ops.add, "-": ops.sub, "*": ops.mul, "/": ops.div, "**": ops.pow}[node.op](a, b)
        return functions[node.name](*[run(a) for a in node.args])

    return run(tree)


def as_function(tree, names):
    """A Python function of the given variable names that evaluates the tree."""
    def f(*values, **named):
        env = dict(zip(names, values))
        env.update(named)
        return evaluate(tree, env)
    f.__signature__ = _signature(names)
    return f


def _signature(names):
    import inspect

    return inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])


# ---- programs: statements in the order the notes write them ------------------------------------------
@dataclass(frozen=True)
class Program:
    """Statements (name, tree) in order; `inputs` are the names read before any assignment; `result`
    names the value of the last statement."""

    statements: tuple
    inputs: tuple
    result: str


def parse_program(text):
    """Parse 'v1 = ln(x1); v2 = x1*x2; y = v1 + v2' (statements split by ';' or new lines) into a Program.

    A single expression is a program of one statement whose result is called y.
    Only `name = expression` statements (and a last bare expression) are allowed.

    Example:
        >>> from chainrule.tools.expr import parse_program
        >>> p = parse_program("v1 = ln(x1); v2 = x1*x2; v3 = sin(x2); y = v1 + v2 - v3")
        >>> p.inputs, p.result, [name for name, _ in p.statements]
        (('x1', 'x2'), 'y', ['v1', 'v2', 'v3', 'y'])
    """
    _check_text(text.replace("\n", ";") if isinstance(text, str) else text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="exec")
    except SyntaxError as exc:
        where = f"line {exc.lineno}, column {exc.offset}" if exc.offset else "the end"
        raise ExpressionError(f"syntax error at {where}: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("program is too complex to read") from None
    if not tree.body:
        raise ExpressionError("empty program: write statements like 'v1 = ln(x1); y = v1 * x2'")
    statements, assigned, inputs = [], set(), []
    for k, stmt in enumerate(tree.body):
        last = k == len(tree.body) - 1
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            name, value = stmt.targets[0].id, stmt.value
        elif isinstance(stmt, ast.Expr) and last:
            name, value = "y", stmt.value
        elif isinstance(stmt, ast.Expr):
            raise ExpressionError(f"statement {k + 1} is an expression: only the last may be; assign it, "
                                  f"e.g. v{k + 1} = ... {_where(stmt)}")
        else:
            raise ExpressionError(f"statement {k + 1}: only 'name = expression' is allowed {_where(stmt)}")
        if name.startswith("_") or name in FUNCTION_NAMES:
            raise ExpressionError(f"cannot assign to {name!r} {_where(stmt)}")
        expression = _convert(value, 0)
        for v in variables(expression):
            if v not in assigned and v not in inputs:
                inputs.append(v)
        if name in assigned or name in inputs:
            raise ExpressionError(f"{name} is assigned twice (or after being used as an input): give each "
                                  f"value its own name {_where(stmt)}")
        assigned.add(name)
        statements.append((name, expression))
    return Program(tuple(statements), tuple(inputs), statements[-1][0])


def is_program(text):
    """True when the text has statements ('=' or ';' or several lines), not one expression.

    Example:
        >>> from chainrule.tools.expr import is_program
        >>> is_program("a = x * 2; y = a + 1"), is_program("x * 2 + 1")
        (True, False)
    """
    return isinstance(text, str) and any(c in text for c in "=;\n")


def program_function(text, aliases=None):
    """(f, default order, result name) for an expression or a program; f takes the inputs by name.

    While f runs, `aliases` (a dict) maps id(value) to the statement name that holds it.

    Example:
        >>> from chainrule.tools.expr import program_function
        >>> f, order, result = program_function("a = x * 2; b = a + 1")
        >>> float(f(3.0)), order, result
        (7.0, 'evaluation', 'b')
    """
    if not is_program(text):
        tree = parse(text)
        return as_function(tree, variables(tree)), "depth", None
    program = parse_program(text)

    def f(*values, **named):
        env = dict(zip(program.inputs, values))
        env.update(named)
        value = None
        for name, tree in program.statements:
            value = env[name] = evaluate(tree, env)
            if aliases is not None:
                aliases[id(value)] = name
        return value

    f.__signature__ = _signature(program.inputs)
    return f, "evaluation", program.result


def input_names(text):
    """The variables an expression or program reads, in order of first appearance.

    Example:
        >>> from chainrule.tools.expr import input_names
        >>> input_names("x2 * sin(x1)"), input_names("a = x2 * 2; y = a + x1")
        (['x2', 'x1'], ['x2', 'x1'])
    """
    return list(parse_program(text).inputs) if is_program(text) else variables(parse(text))
