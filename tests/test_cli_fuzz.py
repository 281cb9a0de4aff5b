"""Fuzzing the command line: any arguments end in status 0 or 2 and one line, never a traceback (issue 18).

Commands run in-process (a subprocess per example would take the whole time
budget in start-up). Every example is bounded: training runs at most two
epochs, `attack` and `visualize` always get a model file (never train one).
"""

import contextlib
import io
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chainrule.cli import main

pytestmark = pytest.mark.slow

_NUMBER_TEXT = st.sampled_from(["0", "1", "2", "-1", "0.5", "1e308", "-1e308", "nan", "inf", "-inf", "1" * 400,
                                "0x10", "1_000", " 3 ", ""])
_JUNK = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)


def _value(*likely):
    return st.one_of(st.sampled_from(likely), _NUMBER_TEXT, _JUNK) if likely else st.one_of(_NUMBER_TEXT, _JUNK)


_EXPRESSIONS = ["ln(x1) + x1*x2 - sin(x2)", "x**2", "x1**x2", "step(2)*x", "1" * 400 + "*x", "x/0", "exp(exp(exp(x)))",
                "__import__('os')", "x +", "sin", "relu(x) * abs(x)", "x.real", "[x]", "lambda: x", "sqrt(-x)", "x"]
_FUNCTIONS = ["ln", "exp", "sin", "tanh", "sqrt", "abs", "relu", "step", "sign", "max", "min", "log1p", "nope"]
# Random expressions of the language (and near misses): numbers, variables, operators, calls with 0-2 arguments.
_EXPRESSION = st.recursive(
    st.one_of(st.sampled_from(["x", "x1", "x2", "y", "0", "1", "2.5", "1e308", "1" * 40, "_x", "x.y", "'s'"])),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**", "//", "%", "@", "<"]), inner).map(" ".join),
        inner.map(lambda e: f"-({e})"),
        st.tuples(st.sampled_from(_FUNCTIONS), st.lists(inner, max_size=2)).map(lambda c: f"{c[0]}({', '.join(c[1])})"),
    ),
    max_leaves=12)
_AT = ["x=1", "x=0", "x1=2,x2=5", "x1=2", "x=1,x=2", "x=nan", "x=1e308", "=1", "x", "1,2", "x1=2,x2=5,x3=1"]

# For each subcommand: positional argument strategies, and {flag: value strategy} of which any subset is given.
_COMMANDS = {
    "demo": ([], {"--at": _value("2,5", "x", "1,2,3", "-1,2", "0,0", "1e308,2", "nan,1", ",")}),
    "trace": ([st.one_of(st.sampled_from(_EXPRESSIONS), _EXPRESSION, _JUNK)],
              {"--at": _value(*_AT), "--wrt": _value("x", "x1", "y"), "--format": _value("text", "markdown",
                                                                                         "latex", "json", "html")}),
    "grad": ([st.one_of(st.sampled_from(_EXPRESSIONS), _EXPRESSION, _JUNK)], {"--at": _value(*_AT)}),
    "graph": ([st.one_of(st.sampled_from(_EXPRESSIONS), _EXPRESSION, _JUNK)],
              {"--at": _value(*_AT), "-o": _value("g.dot", "g.txt", "g", "a_file/g.dot", "missing/g.dot")}),
    "trace:programs": ([st.one_of(st.sampled_from(["v1 = ln(x1); y = v1 * x2", "v = x; v = v * v", "y = ", "a = 1; b"]),
                          _EXPRESSION)],
               {"--at": _value(*_AT), "--order": _value("depth", "evaluation"),
                "--adjoint-order": _value("notes", "sweep"), "--decimals": _value("3", "0", "20", "-1", "1000"),
                "--format": _value("latex", "html", "json")}),
    "graph:options": ([_EXPRESSION], {"--at": _value(*_AT), "-o": _value("g.dot"), "--order": _value("depth", "x"),
                               "--edges": st.just(None), "--saved": st.just(None)}),
    "explain": ([st.one_of(st.sampled_from(_EXPRESSIONS), _EXPRESSION, _JUNK)],
                {"--at": _value(*_AT), "-o": _value("e.html", "a_file/e.html", ""),
                 "--decimals": _value("3", "0", "-1", "99")}),
    "exercise": ([st.sampled_from(["list", "show", "check", "nope"]),
                  st.sampled_from(["000-1a", "000-3.1a", "002-f", "999-x", ""]),
                  st.lists(st.one_of(_NUMBER_TEXT, st.sampled_from(["answer.py", "missing.py", "a_file"])),
                           max_size=4).map(" ".join)], {}),
    "train": ([], {"--dataset": _value("spirals", "moons", "circles", "xor", "blobs", "mnist"),
                   "--hidden": _value("4", "4,4", "", "0", "-3", "a,b", "3,", ",,"),
                   "--activation": _value("relu", "tanh", "sigmoid", "step", "identity", "gelu"),
                   "--optimizer": _value("sgd", "momentum", "adam", "lbfgs"),
                   "--lr": _value("0.1", "1e-3", "1e308", "-1"),
                   "--batch-size": _value("16", "1000000", "0"),
                   "--init": _value("default", "zeros", "kaiming_normal", "ones"),
                   "--seed": _value("0", "7", "-1"),
                   "--out": _value("out", "a_file", "a_file/out")}),
    "attack": ([], {"--eps": _value("0.1", "0.05,0.2", "2", "-0.1", "a"), "--method": _value("fgsm", "pgd", "cw"),
                    "--steps": _value("1", "2", "0", "-1"), "--out": _value("out", "a_file/out"),
                    "--seed": _value("0", "-1")}),
    "visualize": ([], {"--steps": _value("1", "2", "0", "-1"), "--out": _value("out", "a_file/out"),
                       "--seed": _value("0")}),
}
_MODELS = ["untrained.npz", "missing.npz", "a_file", "not_a_model.npz"]
_BOUNDED = {"train": ("--epochs", st.sampled_from(["1", "2", "0", "-1", "x", "1e3"])),
            "attack": ("--model", st.sampled_from(_MODELS)), "visualize": ("--model", st.sampled_from(_MODELS))}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A folder with the files the examples name, as the working directory."""
    import numpy as np

    import chainrule as cr
    from chainrule.cli.digits_model import save_model

    folder = tmp_path_factory.mktemp("cli_fuzz")
    (folder / "a_file").write_text("not a folder\n")
    (folder / "answer.py").write_text("def f(x):\n    return x * 2\n")
    cr.save({"weights": np.ones(3)}, str(folder / "not_a_model.npz"))
    save_model(cr.nn.MLP([64, 64, 10], rng=np.random.default_rng(0)), str(folder / "untrained.npz"))
    before = os.getcwd()
    os.chdir(folder)
    try:
        yield folder
    finally:
        os.chdir(before)


@st.composite
def command_lines(draw, command):
    positional, flags = _COMMANDS[command]
    command = command.split(":")[0]  # "trace:programs" is a second set of arguments for trace
    argv = [command]
    for s in positional:
        argv += draw(s).split(" ") if command == "exercise" else [draw(s)]
    for flag in draw(st.lists(st.sampled_from(sorted(flags)), unique=True, max_size=len(flags))) if flags else ():
        value = draw(flags[flag])
        argv += [flag] if value is None else [flag, value]
    if command in _BOUNDED:
        flag, value = _BOUNDED[command]
        argv += [flag, draw(value)]
    if command == "train":
        argv.append("--no-progress")
    if draw(st.booleans()):  # now and then a stray token somewhere
        argv.insert(draw(st.integers(0, len(argv))), draw(st.one_of(_JUNK, st.sampled_from(["--", "-", "-h0"]))))
    return argv


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


_EXAMPLES = {"demo": 40, "trace": 40, "trace:programs": 30, "grad": 40, "graph": 30, "graph:options": 15, "explain": 25,
             "exercise": 30, "train": 20, "attack": 8, "visualize": 8}


@pytest.mark.parametrize("command", sorted(_COMMANDS))
def test_any_arguments_end_in_one_line_and_status_0_or_2(command, workdir):
    @settings(max_examples=_EXAMPLES[command], deadline=None, database=None, derandomize=True,  # same examples in CI
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(command_lines(command))
    def check(argv):
        status, out, err = _run(argv)
        assert status in (0, 2), (argv, status, err)
        assert "Traceback" not in err + out and "internal error" not in err, (argv, err)
        if status == 2:
            lines = err.splitlines()
            assert len(lines) == 1 and re.match(r"chainrule: (error: |not enough memory)", lines[0]), (argv, err)

    check()


def test_every_subcommand_is_fuzzed():
    import argparse

    from chainrule.cli.main import build_parser

    subcommands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    assert {name.split(":")[0] for name in _COMMANDS} == set(subcommands)
