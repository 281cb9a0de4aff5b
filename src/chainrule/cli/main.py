"""Entry point of `chainrule` / `python -m chainrule`.

Every way a command can end is one line on stderr (or none) and a status:
0 done, 2 any error (bad arguments, bad input, not enough memory, or a bug
of ours), 130 interrupted (Ctrl-C). No traceback, unless asked for with
`--traceback` (anywhere on the command line), which is what a bug report
needs. Warnings a command raised (NumPy's "overflow encountered", ...) are
shown after it succeeds, never before an error line that explains them.
"""

from __future__ import annotations

import argparse
import sys
import traceback
import warnings

from .. import __version__
from ..core.errors import ChainruleError
from . import attack, demo, expressions, train

TRACEBACK_FLAG = "--traceback"
INTERRUPTED, FAILED = 130, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2 (argparse prints usage too)
        self.exit(FAILED, f"chainrule: error: {_one_line(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand (each module adds its own)."""
    parser = _Parser(prog="chainrule", description="Derivatives of NumPy programs by the chain rule.",
                     epilog=f"{TRACEBACK_FLAG}: on an error, show the full traceback (for bug reports)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    demo = commands.add_parser("demo", help="differentiate the lecture notes' example, three ways")
    demo.add_argument("--at", default="2,5", help="x1,x2 at which to evaluate (default 2,5)")
    expressions.add_parsers(commands)
    train.add_parser(commands)
    attack.add_parsers(commands)
    return parser


def main(argv=None) -> int:
    """Run the command line `argv` (default: sys.argv[1:]); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    show_traceback = TRACEBACK_FLAG in argv
    if show_traceback:
        argv.remove(TRACEBACK_FLAG)
    try:
        with warnings.catch_warnings(record=True) as raised:
            warnings.simplefilter("default")  # each distinct warning once, as Python shows them
            status = _run(argv)
    except KeyboardInterrupt:
        return _fail("interrupted", INTERRUPTED, show_traceback)
    except SystemExit as exit_:  # argparse: --help (0) or a usage error (2, its line already printed)
        return exit_.code if isinstance(exit_.code, int) else FAILED
    except MemoryError:
        return _fail("not enough memory for this command; try smaller sizes", FAILED, show_traceback)
    except (ChainruleError, ValueError, OSError, ArithmeticError) as exc:
        return _fail(f"error: {_one_line(exc)}", FAILED, show_traceback)
    except Exception as exc:  # a bug of ours: still one line, and how to report it
        return _fail(f"error: {type(exc).__name__}: {_one_line(exc)} (a bug in chainrule: run again with "
                     f"{TRACEBACK_FLAG} and report what it shows)", FAILED, show_traceback)
    for w in raised:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)
    return status


def _run(argv):
    args = build_parser().parse_args(argv)
    if args.version:
        print(__version__)
        return 0
    if args.command in (None, "demo"):
        return demo.run_demo(getattr(args, "at", "2,5"))
    if args.command == "train":
        return train.run_train(args)
    if args.command in ("trace", "grad", "graph", "exercise", "explain"):  # registered by expressions.py
        return getattr(expressions, f"run_{args.command}")(args)
    return (attack.run_attack if args.command == "attack" else attack.run_visualize)(args)


def _one_line(exc):
    """The message on one line: control characters (a newline in an argument, ...) escaped, long ones cut."""
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(exc).strip())
    return text if len(text) <= 300 else text[:297] + "..."


def _fail(message, status, show_traceback):
    if show_traceback:
        traceback.print_exc()
    try:
        print(f"chainrule: {message}", file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed or a broken pipe: the status still tells
        pass
    return status
