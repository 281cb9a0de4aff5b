"""`chainrule trace | grad | graph EXPR --at x1=2,x2=5`: the teaching tools on a math string.

The expression is parsed by chainrule.tools.expr (a whitelist over Python's
ast, never eval); every problem is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import math
import re
import sys

import numpy as np

from ..core.errors import ChainruleError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def add_parsers(commands):
    common = dict(help="the point, e.g. x1=2,x2=5")
    t = commands.add_parser("trace", help="primal, tangent and adjoint trace tables of an expression")
    t.add_argument("expr", help="e.g. 'ln(x1) + x1*x2 - sin(x2)', or statements 'v1 = ln(x1); y = v1 * x2'")
    t.add_argument("--at", required=True, **common)
    t.add_argument("--wrt", default=None, help="the input whose tangent is seeded (default: the first)")
    t.add_argument("--format", default="text", choices=["text", "markdown", "latex", "html", "json"])
    t.add_argument("--order", default=None, choices=["depth", "evaluation"],
                   help="numbering: depth = level by level as the notes (default for an expression); "
                        "evaluation = the order computed (default for a program of statements)")
    t.add_argument("--adjoint-order", default="notes", choices=["notes", "sweep"],
                   help="notes = bottom-up as seed 002 prints it (default); sweep = top-down, in sweep order")
    t.add_argument("--decimals", type=_decimals, default=3, help="decimals of every number (default 3, as the notes)")
    t.add_argument("--standalone", action="store_true", help="with --format latex: a complete document")
    g = commands.add_parser("grad", help="gradient by reverse mode, forward mode and central differences")
    g.add_argument("expr")
    g.add_argument("--at", required=True, **common)
    d = commands.add_parser("graph", help="draw the computation graph with values and gradients")
    d.add_argument("expr")
    d.add_argument("--at", required=True, **common)
    d.add_argument("-o", "--output", required=True, help="a .dot, .svg or .png file")
    d.add_argument("--order", default=None, choices=["depth", "evaluation"], help="numbering, as in trace")
    d.add_argument("--edges", action="store_true", help="label each edge with the adjoint it carries")
    d.add_argument("--saved", action="store_true", help="show what each op saved for the backward pass")
    from .exercise import add_parser as add_exercise
    from .explain import add_parser as add_explain

    add_exercise(commands)
    add_explain(commands)


def run_exercise(args) -> int:
    from .exercise import run_exercise

    return run_exercise(args)


def run_explain(args) -> int:
    from .explain import run_explain

    return run_explain(args)


def _decimals(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--decimals needs a whole number, got {text!r}") from None
    if not 0 <= n <= 15:
        raise argparse.ArgumentTypeError(f"--decimals must be between 0 and 15, got {n}")
    return n


def parse_point(text):
    """'x1=2,x2=5' -> {'x1': 2.0, 'x2': 5.0}, with one-line errors."""
    point = {}
    for part in text.split(","):
        if "=" not in part:
            raise ChainruleError(f"--at needs name=value pairs like x1=2,x2=5; got {part.strip()!r}")
        name, value = (s.strip() for s in part.split("=", 1))
        if not _NAME.match(name) or name.startswith("_"):
            raise ChainruleError(f"--at: {name!r} is not a variable name")
        if name in point:
            raise ChainruleError(f"--at gives {name} twice")
        try:
            number = float(value)
        except ValueError:
            raise ChainruleError(f"--at: {name}={value!r} is not a number") from None
        if not math.isfinite(number):
            raise ChainruleError(f"--at: {name} must be a finite number, got {value}")
        point[name] = number
    return point


def _prepare(args):
    from ..tools.expr import input_names, program_function

    names = input_names(args.expr)
    if not names:
        raise ChainruleError("the expression has no variables to differentiate with respect to")
    point = parse_point(args.at)
    missing = [n for n in names if n not in point]
    if missing:
        raise ChainruleError(f"no value for {', '.join(missing)}: add {','.join(m + '=...' for m in missing)} to --at")
    extra = [n for n in point if n not in names]
    if extra:
        raise ChainruleError(f"--at names {', '.join(extra)}, which the expression does not use")
    f, order, _ = program_function(args.expr)
    args.default_order = order
    return f, names, [point[n] for n in names]


def _require_finite(what, values):
    bad = [v for v in np.atleast_1d(np.asarray(values, dtype=np.float64)) if not np.isfinite(v)]
    if bad:
        raise ChainruleError(f"the {what} is {bad[0]} at this point (overflow or outside the domain); "
                             "choose another point or a tamer expression")


def run_trace(args) -> int:
    import chainrule as cr

    f, names, values = _prepare(args)
    if args.wrt is not None and args.wrt not in names:
        raise ChainruleError(f"--wrt {args.wrt} is not a variable of the expression ({', '.join(names)})")
    with np.errstate(all="ignore"):
        trace = cr.trace(args.expr, wrt=args.wrt, order=args.order, adjoint_order=args.adjoint_order,
                         decimals=args.decimals, **dict(zip(names, values)))
    _require_finite("value", trace.value)
    if args.format == "json":
        print(trace.to_json())
    elif args.format == "markdown":
        print(trace.to_markdown())
    elif args.format == "latex":
        print(trace.to_latex(standalone=args.standalone), end="")
    elif args.format == "html":
        print(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>chainrule trace</title></head><body>"
              f"{trace._repr_html_()}</body></html>")
    else:
        _print_tables(trace)
    return 0


def _print_tables(trace):
    try:
        from rich.console import Console
    except ImportError:
        print(trace.to_text())
        return
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 200)  # piped: no wrapping
    for table in trace.to_rich():
        console.print(table)
    console.print(trace.summary(), markup=False)


def run_grad(args) -> int:
    import chainrule as cr

    f, names, values = _prepare(args)
    with np.errstate(all="ignore"):
        x = [cr.tensor(v, dtype=np.float64, requires_grad=True) for v in values]  # teaching: float64
        y = f(*x)
        _require_finite("value", y.item())
        y.backward()
        reverse = [t.grad.item() for t in x]
        forward = [cr.jvp(f, tuple(values), tuple(float(i == k) for i in range(len(values))))[1].item()
                   for k in range(len(values))]
        h = 1e-6
        numeric = []
        for k in range(len(values)):
            up, down = list(values), list(values)
            up[k] += h
            down[k] -= h
            numeric.append((f(*up) - f(*down)) / (2 * h))
        numeric = [float(np.asarray(n)) for n in numeric]
    print(f"{args.expr}  at  {', '.join(f'{n}={v:g}' for n, v in zip(names, values))}")
    print(f"value = {y.item():.10g}")
    print(f"{'':8}{'reverse mode':>18}{'forward mode':>18}{'central diff':>18}{'|rev - fwd|':>13}{'|rev - fd|':>13}")
    for n, r, fw, nu in zip(names, reverse, forward, numeric):
        print(f"∂/∂{n:<5}{r:>18.10g}{fw:>18.10g}{nu:>18.10g}{abs(r - fw):>13.2e}{abs(r - nu):>13.2e}")
    return 0


def run_graph(args) -> int:
    import chainrule as cr

    f, names, values = _prepare(args)
    suffix = args.output.rsplit(".", 1)[-1].lower() if "." in args.output else ""
    if suffix not in ("dot", "svg", "png"):
        raise ChainruleError(f"-o {args.output}: use a file name ending in .dot, .svg or .png")
    with np.errstate(all="ignore"):
        x = [cr.tensor(v, dtype=np.float64, requires_grad=True) for v in values]  # teaching: float64
        y = f(*x)
        _require_finite("value", y.item())
        graph = cr.draw_graph(y, names=dict(zip(x, names)), order=args.order or args.default_order,
                              edges=args.edges, saved=args.saved)
    graph.save(args.output)
    print(f"wrote {args.output} ({graph.source.count('->')} edges)")
    return 0
