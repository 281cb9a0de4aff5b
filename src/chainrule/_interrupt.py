"""One line for a Ctrl-C while the `chainrule` command is still loading.

`python -m chainrule` and the `chainrule` script import the whole package
(NumPy first) before any code of the command runs, so an interrupt in that
first second would end in a traceback. Importing this module first thing in
chainrule/__init__.py (`from . import _interrupt`) runs `guard_command_start()`,
which makes it one line and status 130 when (and only when) this process is
the command; a library import is left untouched. From `cli.main` on, the
command handles Ctrl-C itself.
"""

from __future__ import annotations

import os
import sys

INTERRUPTED = 130
_SCRIPT_NAMES = ("chainrule", "chainrule.exe", "chainrule-script.py")


def is_the_command(argv=None):
    """True if this process runs the chainrule command (by `python -m chainrule` or the script).

    Example:
        >>> from chainrule._interrupt import is_the_command
        >>> is_the_command(["python", "-m", "chainrule", "demo"]), is_the_command(["python", "train.py"])
        (True, False)
    """
    argv = list(getattr(sys, "orig_argv", sys.argv) if argv is None else argv)
    if "-m" in argv[1:]:
        i = argv.index("-m", 1)
        return argv[i + 1:i + 2] == ["chainrule"]
    # the installed script: [python, .../bin/chainrule, ...] or [.../bin/chainrule, ...]
    return any(os.path.basename(a) in _SCRIPT_NAMES for a in argv[:2])


def guard_command_start():
    """While the command loads, make an uncaught Ctrl-C one line on stderr and status 130."""
    if not is_the_command():
        return
    previous = sys.excepthook

    def one_line_on_interrupt(kind, value, tb):
        if not issubclass(kind, KeyboardInterrupt):
            return previous(kind, value, tb)
        try:
            sys.stdout.flush()
            sys.stderr.write("chainrule: interrupted\n")
            sys.stderr.flush()
        finally:
            os._exit(INTERRUPTED)  # not Python's default exit by SIGINT after a traceback

    sys.excepthook = one_line_on_interrupt


guard_command_start()
