"""Traces, the expression language, graph pictures, dual numbers and the gradient checker."""

import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.tools import expr


def notes_f(x1, x2):
    v1, v2, v3 = cr.log(x1), x1 * x2, cr.sin(x2)
    return v1 + v2 - v3


# ---- traces -------------------------------------------------------------------------------
def test_golden_trace_of_seed_002():
    t = cr.trace(notes_f, x1=2.0, x2=5.0)
    np.testing.assert_allclose([r["value"] for r in t.primal],
                               [2, 5, np.log(2), 10, np.sin(5), np.log(2) + 10, np.log(2) + 10 - np.sin(5),
                                np.log(2) + 10 - np.sin(5)])
    np.testing.assert_allclose([r["value"] for r in t.tangent], [1, 0, 0.5, 5, 0, 5.5, 5.5, 5.5])
    steps = [(r["name"], r["definition"]) for r in t.adjoint]
    assert steps[0] == ("v̄_5", "y\u0304") and steps[-2:] == [("x̄1", "v̄_-1"), ("x̄2", "v̄_0")]
    assert ("v̄_0", "v̄_0 + v̄_2 × v_-1") in steps and ("v̄_-1", "v̄_-1 + v̄_1 / v_-1") in steps
    values = {d: r["value"] for r, (_, d) in zip(t.adjoint, steps)}
    assert values["v̄_3 × cos v_0"] == pytest.approx(-np.cos(5))
    partials = {d: r.get("partial") for r, (_, d) in zip(t.adjoint, steps)}
    assert partials["v̄_3 × cos v_0"] == pytest.approx(np.cos(5)) and partials["v̄_2 × v_0"] == 5.0
    assert values["v̄_0 + v̄_2 × v_-1"] == pytest.approx(2 - np.cos(5))
    assert t.gradient == pytest.approx({"x1": 5.5, "x2": 2 - np.cos(5)})
    assert t.value == pytest.approx(np.log(2) + 10 - np.sin(5))


def test_trace_wrt_and_positional_names():
    t = cr.trace(notes_f, 2.0, 5.0, wrt="x2")
    assert t.tangent[-1]["value"] == pytest.approx(2 - np.cos(5))
    assert [r["definition"] for r in t.primal[:2]] == ["x1", "x2"]
    with pytest.raises(cr.ChainruleError, match="wrt"):
        cr.trace(notes_f, 2.0, 5.0, wrt="z")


def test_trace_of_the_seed_001_tanh_network_with_tensor_values():
    x0 = np.array([1.0, 0.1])

    def loss(W0, W1):
        return 0.5 * (W1 @ cr.tanh(W0 @ x0) - 0.5) ** 2

    W0, W1 = np.array([[1.0, -3.0], [0.2, 1.0]]), np.array([1.0, -1.0])
    t = cr.trace(loss, W0=W0, W1=W1)
    a, b = cr.tensor(W0, requires_grad=True), cr.tensor(W1, requires_grad=True)
    loss(a, b).backward()
    np.testing.assert_allclose(t.gradient["W0"], a.grad.numpy())
    np.testing.assert_allclose(t.gradient["W1"], b.grad.numpy())
    text = t.to_text()
    assert "tanh v_1" in text and "v_0 @ v_2" in text and "numerator-layout" in text
    # a matrix is a multi-line cell: its second row sits under the first, in the value column
    first = next(line for line in text.splitlines() if line.startswith("v_-1"))
    second = text.splitlines()[text.splitlines().index(first) + 1]
    assert first.endswith("[[  1,  -3],") and second.strip() == "[0.2,   1]]"
    assert first.index("[[") + 1 == second.index("[0.2")


def test_renderers():
    t = cr.trace(notes_f, x1=2.0, x2=5.0)
    md = t.to_markdown()
    assert "| variable | definition | substituted | value |" in md and "| v_1 | ln v_-1 | ln 2 | 0.6931 |" in md
    tex = t.to_latex()
    assert "\\begin{tabular}" in tex and "\\bar{v}_{-1}" in tex and "\\ln v_{-1}" in tex and "\\dot{x}_{1}" in tex
    assert "<table" in t._repr_html_()
    data = json.loads(t.to_json())
    assert set(data) >= {"value", "gradient", "primal", "tangent", "adjoint"}
    assert data["gradient"] == pytest.approx({"x1": 5.5, "x2": 2 - np.cos(5)})
    assert data["primal"][2] == {"name": "v_1", "definition": "ln v_-1", "substituted": "ln 2",
                                 "value": pytest.approx(np.log(2)), "op": "log", "var": "v_1", "from": ["v_-1"]}
    assert len(t.to_rich()) == 3


# ---- the expression language -----------------------------------------------------------------
def test_parser_accepts_the_language():
    tree = expr.parse("-x**2 + 3*sin(y)/sqrt(z) - tanh(+x) + max(x, y)")
    assert expr.variables(tree) == ["x", "y", "z"]
    f = expr.as_function(tree, ["x", "y", "z"])
    expected = -2.0 ** 2 + 3 * np.sin(0.5) / np.sqrt(4.0) - np.tanh(2.0) + 2.0
    assert f(2.0, 0.5, 4.0).item() == pytest.approx(expected)


@pytest.mark.parametrize("text,message", [
    ("__import__('os').system('ls')", "not allowed"), ("x.__class__", "attribute"), ("x[0]", "subscripts"),
    ("lambda: 1", "lambdas"), ("[i for i in x]", "comprehensions"), ("x if y else z", "conditional"),
    ("sin(x=1)", "keyword"), ("foo(x)", "unknown function 'foo'"), ("__x + 1", "not allowed"), ("", "empty"),
    ("'a'", "only numbers"), ("x @ y", "operator"), ("1 +", "syntax"), ("(" * 5000 + "x" + ")" * 5000, "too deeply"),
    ("sin(x, y)", "takes 1 argument"), ("x" * 3000, "limit"), ("sin", "is a function"), ("x\u00e9", "character")])
def test_parser_rejections_name_the_problem(text, message):
    with pytest.raises(expr.ExpressionError, match=message):
        expr.parse(text)


def test_deep_nesting_is_rejected_fast():
    start = time.perf_counter()
    with pytest.raises(expr.ExpressionError, match="too deeply nested"):
        expr.parse("(" * 5000 + "x" + ")" * 5000)
    assert time.perf_counter() - start < 0.5


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("xy0123456789+-*/()., _ae[]'\"sincolgqrtw=:")), max_size=40))
def test_random_strings_never_escape_as_other_errors(text):
    try:
        expr.parse(text)
    except expr.ExpressionError:
        pass


names = st.sampled_from(["x", "y", "w1"])
leaves = st.one_of(names.map(expr.Var), st.floats(0, 1e6, allow_nan=False).map(expr.Num))
trees = st.recursive(leaves, lambda sub: st.one_of(
    st.tuples(st.sampled_from(["-", "+"]), sub).map(lambda a: expr.Unary(*a)),
    st.tuples(st.sampled_from(["+", "-", "*", "/", "**"]), sub, sub).map(lambda a: expr.Binary(*a)),
    st.tuples(st.sampled_from(["sin", "exp", "tanh", "ln"]), sub).map(lambda a: expr.Call(a[0], (a[1],))),
    st.tuples(sub, sub).map(lambda a: expr.Call("max", a))), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(trees)
def test_random_trees_round_trip_through_print_and_parse(tree):
    assert expr.parse(expr.to_text(tree)) == tree


# ---- the command line ---------------------------------------------------------------------------
def run_cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True, env=env,
                          timeout=60)


def test_cli_trace_formats():
    out = run_cli("trace", "ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["value"] == pytest.approx(np.log(2) + 10 - np.sin(5))
    assert data["gradient"] == pytest.approx({"x1": 5.5, "x2": 2 - np.cos(5)})
    assert [len(data[k]) for k in ("primal", "tangent", "adjoint")] == [8, 8, 11]
    for fmt, marker in (("text", "adjoint"), ("markdown", "| variable |"), ("latex", "tabular")):
        done = run_cli("trace", "x*y", "--at", "x=2,y=3", "--format", fmt, "--wrt", "y")
        assert done.returncode == 0 and marker in done.stdout.lower(), done.stderr


def test_cli_grad_shows_three_methods():
    out = run_cli("grad", "x1*x2 + exp(x1)", "--at", "x1=0.5,x2=-1")
    assert out.returncode == 0, out.stderr
    row = next(line for line in out.stdout.splitlines() if line.startswith("∂/∂x1"))
    values = [float(v) for v in row.split()[1:4]]
    assert values == pytest.approx([-1 + np.exp(0.5)] * 3, rel=1e-7)


def test_cli_graph_dot_and_rendering(tmp_path):
    out = run_cli("graph", "x*sin(y)", "--at", "x=2,y=1", "-o", str(tmp_path / "g.dot"))
    assert out.returncode == 0, out.stderr
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith("digraph") and "v_1 = sin" in dot and "grad" in dot and "->" in dot
    no_dot = {**os.environ, "PATH": str(tmp_path)}
    missing = run_cli("graph", "x*y", "--at", "x=1,y=2", "-o", str(tmp_path / "g.svg"), env=no_dot)
    assert missing.returncode == 2 and "graphviz" in missing.stderr and "Traceback" not in missing.stderr
    if shutil.which("dot"):
        done = run_cli("graph", "x*y", "--at", "x=1,y=2", "-o", str(tmp_path / "g.svg"))
        assert done.returncode == 0 and (tmp_path / "g.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("args", [
    ["trace", "__import__('os').system('touch PWNED')", "--at", "x=1"],
    ["trace", "x.__class__", "--at", "x=1"], ["trace", "__builtins__", "--at", "x=1"],
    ["trace", "x[0]", "--at", "x=1"], ["trace", "(" * 5000 + "x" + ")" * 5000, "--at", "x=1"],
    ["trace", "x ** 10 ** 10", "--at", "x=2"], ["trace", "", "--at", "x=1"], ["trace", "foo(x)", "--at", "x=1"],
    ["trace", "ln(x)", "--at", "x=0"], ["grad", "x*y", "--at", "x=1"], ["trace", "x", "--at", "x=abc"],
    ["trace", "x", "--at", "y=1"], ["graph", "x", "--at", "x=1", "-o", "out.gif"], ["trace", "x", "--at", "x=nan"],
    ["trace", "x", "--at", "x=1", "--wrt", "q"], ["grad", "exec('1')", "--at", "x=1"]])
def test_cli_hostile_input_exits_2_cleanly(args, tmp_path):
    out = subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True, cwd=tmp_path,
                         timeout=60)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1 and out.stdout == ""
    assert list(tmp_path.iterdir()) == []  # no side effects


def test_missing_variables_are_named():
    out = run_cli("trace", "x*y + z", "--at", "x=1")
    assert out.returncode == 2 and "y, z" in out.stderr


# ---- pictures, dual numbers, the gradient checker ------------------------------------------------------
def test_draw_graph_object():
    x = cr.tensor(2.0, requires_grad=True)
    g = cr.draw_graph(cr.exp(x) * x)
    assert "v_1 = exp" in g.source and "grad" in g.source
    assert g.source == cr.draw_graph(cr.exp(x) * x).source  # deterministic text
    if shutil.which("dot"):
        assert "<svg" in g._repr_svg_()


def test_dual_numbers():
    x = cr.dual(2.0, 1.0)
    assert repr(x) == "2 + 1ε"
    assert repr(x * x) == "4 + 4ε"
    value, tangent = cr.dual_parts(cr.exp(x) / x)
    assert value == pytest.approx(np.exp(2) / 2) and tangent == pytest.approx(np.exp(2) / 2 - np.exp(2) / 4)
    assert "ε" not in repr(cr.tensor(1.0))


def test_check_gradient_tables_sweep_and_kinks(tmp_path):
    def f(v):
        return (v ** 3).sum()

    good = cr.check_gradient(f, lambda v: 3 * v ** 2, np.array([0.7, -1.3]), plot=tmp_path / "sweep.png")
    assert good.ok and len(good.rows) == 2 and (tmp_path / "sweep.png").stat().st_size > 0
    errors = dict(good.sweep)
    assert errors[1e-1] > errors[1e-5] and errors[1e-12] > errors[1e-5]  # truncation vs round-off
    text = str(good)
    assert "step sweep" in text and "matches" in text
    bad = cr.check_gradient(f, lambda v: 2 * v ** 2, np.array([0.7, -1.3]))
    assert not bad.ok and "differs" in str(bad)
    relu = cr.check_gradient(lambda v: cr.relu(v).sum(), lambda v: (v > 0) * 1.0, np.array([0.0, 1.0]))
    assert any("relu at 0" in w for w in relu.warnings)
    hinge = cr.check_gradient(lambda s: cr.nn.functional.hinge_loss(s, np.array([1.0])), lambda s: -1.0 * (s < 1),
                              np.array([1.0]))
    assert hinge.warnings
    step = cr.check_gradient(lambda v: cr.step(v).sum(), lambda v: 0 * v, np.array([0.0]))
    assert any("binary step" in w for w in step.warnings)
