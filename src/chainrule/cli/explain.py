"""`chainrule explain EXPR --at x1=2,x2=5 -o page.html`: a page that steps through backprop."""

from __future__ import annotations


def add_parser(commands):
    from .expressions import _decimals

    p = commands.add_parser("explain", help="write an HTML page that steps through the forward and backward pass")
    p.add_argument("expr", help="an expression or a program of statements, as for trace")
    p.add_argument("--at", required=True, help="the point, e.g. x1=2,x2=5")
    p.add_argument("-o", "--output", default="explain.html", help="the HTML file to write (default explain.html)")
    p.add_argument("--decimals", type=_decimals, default=3, help="decimals of every number (default 3)")


def run_explain(args) -> int:
    import numpy as np

    from ..core.errors import ChainruleError
    from ..tools.explain import explain
    from ..tools.expr import input_names
    from .expressions import parse_point

    names = input_names(args.expr)
    point = parse_point(args.at)
    missing = [n for n in names if n not in point]
    if missing:
        raise ChainruleError(f"no value for {', '.join(missing)}: add {','.join(m + '=...' for m in missing)} to --at")
    if not str(args.output).lower().endswith((".html", ".htm")):
        raise ChainruleError(f"-o {args.output}: use a file name ending in .html")
    with np.errstate(all="ignore"):
        page = explain(args.expr, decimals=args.decimals, **{n: point[n] for n in names})
    page.save(args.output)
    print(f"wrote {args.output} ({len(page.steps)} steps)")
    return 0
