"""Entry point of `chainrule` / `python -m chainrule`.

Every failure a user can cause ends in one line on stderr and exit status 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from ..core.errors import ChainruleError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2 (argparse prints usage too)
        self.exit(2, f"chainrule: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="chainrule", description="Derivatives of NumPy programs by the chain rule.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    demo = commands.add_parser("demo", help="differentiate the lecture notes' example, three ways")
    demo.add_argument("--at", default="2,5", help="x1,x2 at which to evaluate (default 2,5)")
    from .attack import add_parsers as add_attack_and_visualize
    from .expressions import add_parsers as add_expression_commands
    from .train import add_parser as add_train

    add_expression_commands(commands)
    add_train(commands)
    add_attack_and_visualize(commands)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.version:
            from .. import __version__

            print(__version__)
            return 0
        if args.command in (None, "demo"):
            from .demo import run_demo

            return run_demo(getattr(args, "at", "2,5"))
        if args.command == "train":
            from .train import run_train

            return run_train(args)
        if args.command in ("trace", "grad", "graph", "exercise", "explain"):  # registered by expressions.py
            from . import expressions

            return getattr(expressions, f"run_{args.command}")(args)
        if args.command in ("attack", "visualize"):
            from .attack import run_attack, run_visualize

            return (run_attack if args.command == "attack" else run_visualize)(args)
    except (ChainruleError, ValueError, OSError) as exc:
        print(f"chainrule: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("chainrule: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: still one line, and say where to report it
        print(f"chainrule: internal error ({type(exc).__name__}: {exc}); please report it with the command "
              "you ran", file=sys.stderr)
        return 1
    parser.print_help()
    return 2
