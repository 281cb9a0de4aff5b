"""The notes' exercises: chainrule's expected answers against the notes' numbers and hand-written formulas."""

import subprocess
import sys

import numpy as np
import pytest

from chainrule.tools import exercises
from chainrule.tools.exercise_book import NET, XOR


def expected(key):
    return exercises.get(key).expected()


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def test_every_exercise_of_the_notes_is_there():
    keys = set(exercises.EXERCISES)
    assert keys >= {"000-1a", "000-1b", "000-3.1a", "000-3.1b", "000-3.1c", "000-3.1d", "000-3.2a", "000-3.2b",
                    "000-3.2c", "000-3.3a", "000-3.3b", "000-3.3c", "001-worked", "002-neuron", "002-gates", "002-f",
                    "003-xor"} | {f"003-q{i}" for i in range(1, 8)}
    for key in keys:
        text = exercises.show(key)
        assert key in text and "Answer" in text and "chainrule exercise check" in text


def test_seed_000_chain_rule_and_matrix_input():
    # y = g(1, 2) = (3, 2, 4); Jf = [[y2, y1, 0], [0, 0, cos y3]], Jg = [[1, 1], [x2, x1], [0, 2 x2]]
    e = expected("000-1a")
    Jf, Jg = np.array([[2, 3, 0], [0, 0, np.cos(4)]]), np.array([[1, 1], [2, 1], [0, 4]])
    np.testing.assert_allclose(e["df/dy at g(x)"], Jf)
    np.testing.assert_allclose(e["dg/dx"], Jg)
    np.testing.assert_allclose(e["d(f o g)/dx"], Jf @ Jg)
    e = expected("000-1b")  # the notes: an n×p×q tensor; flattened, W v has Jacobian kron(I, v)
    np.testing.assert_array_equal(e["shape of dg/dW"], [2, 2, 3])
    np.testing.assert_allclose(e["dg/dvec(W)"], np.kron(np.eye(2), [1.0, 2.0, 3.0]))


def test_seed_000_network_derivatives_match_the_notes_formulas():
    x, W0, b0, W1, b1 = (np.array(NET[k]) for k in ("x", "W0", "b0", "W1", "b1"))
    z = sigmoid(W0 @ x + b0)
    np.testing.assert_allclose(expected("000-3.1a")["z"], z)
    np.testing.assert_allclose(expected("000-3.1a")["y"], W1 @ z + b1)
    np.testing.assert_allclose(expected("000-3.1b")["dy/dW1"], z[None, :])  # ∂y/∂W1 = z
    np.testing.assert_allclose(expected("000-3.1b")["dy/db1"], [1.0])      # ∂y/∂b1 = 1
    np.testing.assert_allclose(expected("000-3.1c")["dy/dz"], W1[0])        # ∂y/∂z = W1
    w1 = W1[0]
    np.testing.assert_allclose(expected("000-3.1d")["dy/dW0"], np.outer(w1 * z * (1 - z), x))  # [W1∘z∘(1-z)] xᵀ
    np.testing.assert_allclose(expected("000-3.1d")["dy/db0"], w1 * z * (1 - z))


def test_seed_000_zero_initialisation():
    e = expected("000-3.2a")
    np.testing.assert_allclose(e["z"], [0.5] * 4)  # σ(0) = 1/2
    np.testing.assert_allclose(e["y"], [0.0])
    e = expected("000-3.2b")
    np.testing.assert_allclose(e["dy/dW1"], [[0.5] * 4])
    np.testing.assert_allclose(e["dy/db1"], [1.0])
    np.testing.assert_allclose(e["dy/dW0"], np.zeros((4, 2)))
    np.testing.assert_allclose(e["dy/db0"], np.zeros(4))
    assert expected("000-3.2c")["distinct rows of W0"] == 1  # all units stay the same


def test_seed_000_other_ways():
    e = expected("000-3.3a")
    x, eps = np.array([0.5, 1.0, 1.5]), 1e-3
    assert e["forward evaluations"] == 4  # f(x) and one per basis vector
    np.testing.assert_allclose(e["estimate"], (np.sin(x + eps) - np.sin(x)) / eps, rtol=1e-9)
    assert e["max error"] == pytest.approx(np.max(np.abs((np.sin(x + eps) - np.sin(x)) / eps - np.cos(x))))
    x1, x2, x3 = 1.0, 2.0, 0.5
    np.testing.assert_allclose(expected("000-3.3b")["grad f"],
                               [x2, x1 + x3 * np.exp(x2 * x3), x2 * np.exp(x2 * x3)])
    e = expected("000-3.3c")
    assert (e["forward-mode passes"], e["reverse-mode passes"]) == (8, 1)


def test_seed_001_worked_example_numbers_of_the_notes():
    e = expected("001-worked")
    np.testing.assert_allclose(e["x1"], [0.7, 0.3])
    assert e["x3"] == pytest.approx(0.313, abs=1e-3) and e["dL/dx3"] == pytest.approx(-0.1869, abs=1e-4)
    np.testing.assert_allclose(e["dL/dW0 (numerator layout)"], [[-0.1186, 0.171], [-0.01186, 0.0171]], atol=2e-4)
    np.testing.assert_allclose(e["W0 after the step"], [[1.02, -3.0], [0.17, 1.0]], atol=5e-3)
    np.testing.assert_allclose(e["W1 after the step"], [1.02, -0.989], atol=5e-3)


def test_seed_002_numbers():
    e = expected("002-neuron")  # y = σ(0) = 1/2, L = 1/8, dL/dy = y - c, σ'(0) = 1/4
    assert [float(e[k]) for k in ("y", "L", "dL/dy", "dL/dz", "dL/dw", "dL/db")] == [0.5, 0.125, -0.5, -0.125,
                                                                                     -0.125, -0.125]
    e = expected("002-gates")  # f = 2(xy + max(z, w)): 2y, 2x, 2 routed to z, 0 to w; d(x·x)/dx = x + x
    assert [float(v) for v in e.values()] == [-8.0, 6.0, 2.0, 0.0, 6.0]
    e = expected("002-f")
    assert [round(float(v), 3) for v in e.values()] == [11.652, 5.5, 1.716]


def _xor_numpy(w1, w2, epochs=0, lr=0.1):
    X, y = np.array(XOR["X"]), np.array(XOR["y"])
    for _ in range(epochs + 1):
        a = sigmoid(X @ w1)
        out = sigmoid(a @ w2)
        d = (out - y) / len(X) * out * (1 - out)  # the notes' backward pass for L = 1/(2N) Σ (ŷ - y)²
        g2, g1 = a.T @ d, X.T @ ((d @ w2.T) * a * (1 - a))
        if epochs:
            w1, w2 = w1 - lr * g1, w2 - lr * g2
            epochs -= 1
        else:
            return g1, g2, 0.5 * ((out - y) ** 2).mean(), out


def test_seed_003_xor_and_its_questions():
    w1, w2 = np.array(XOR["w1"]), np.array(XOR["w2"])
    g1, g2, _, _ = _xor_numpy(w1, w2)
    np.testing.assert_allclose(expected("003-xor")["dL/dw1"], g1)
    np.testing.assert_allclose(expected("003-xor")["dL/dw2"], g2)
    # q1: the best linear fit of XOR through the origin: w = (1/3, 1/3), residuals (0, -2/3, -2/3, 2/3): L = 1/6
    assert float(expected("003-q1")["smallest loss"]) == pytest.approx(1 / 6, abs=1e-6)
    assert expected("003-q2")["parameters"] == 2 * 3 + 3 * 1
    assert expected("003-q6")["parameters"] == 2 * 3 + 3 * 3 + 3 * 1
    _, _, loss, out = _xor_numpy(w1, w2, epochs=10000)
    assert float(expected("003-q3")["L"]) == pytest.approx(loss, rel=1e-6)
    np.testing.assert_array_equal(expected("003-q5")["classes"], [[0], [1], [1], [0]])  # it solves XOR
    X, y = np.array(XOR["X"]), np.array(XOR["y"])
    h = sigmoid(X @ w1)
    out = sigmoid(h @ w2)
    d = (out - y) / 4 * out * (1 - out)
    np.testing.assert_allclose(expected("003-q4")["dL/db2"], d.sum(0))
    np.testing.assert_allclose(expected("003-q4")["dL/db1"], ((d @ w2.T) * h * (1 - h)).sum(0))
    e = expected("003-q7")  # y = (2, 3, sin 1); ∇_y z = (y2, y1, 1); J = [[x2, x1], [1, 1], [cos x1, 0]]
    np.testing.assert_allclose(e["grad_y z"], [3, 2, 1])
    np.testing.assert_allclose(e["J_x(y)"], [[2, 1], [1, 1], [np.cos(1), 0]])
    np.testing.assert_allclose(e["dz/dx"], [8 + np.cos(1), 5])


def test_check_says_ok_or_where_the_first_wrong_entry_is():
    assert exercises.check("002-f", ["11.652", "5.5", "1.716"]).ok
    assert exercises.check("002-f", ["11.652,5.5,1.716"]).ok
    bad = exercises.check("000-3.2b", ["[[0.5, 0.5, 0.5, 0.5]]", "1", "[[0,0],[0,0],[0,0.3],[0,0]]", "[0,0,0,0]"])
    assert not bad.ok and "dy/dW0[2, 1] is 0.3, expected 0" in str(bad)
    layout = exercises.check("001-worked", ["[0.7, 0.3]", "0.313", "-0.1869",
                                            "[[-0.1186, -0.01186], [0.171, 0.0171]]", "[[1.02, -3], [0.17, 1]]",
                                            "[1.02, -0.989]"])
    assert not layout.ok and "transpose" in str(layout)
    assert exercises.check("000-3.2a", ["[1/2, 1/2, 1/2, 1/2]", "[0]"]).ok  # fractions are read
    assert exercises.check("003-q2", ["9"]).ok
    with pytest.raises(exercises.ChainruleError, match="wants 3 answers"):
        exercises.check("002-f", ["1", "2"])


def test_check_a_python_file(tmp_path):
    good = tmp_path / "good.py"
    good.write_text("import numpy as np\n\n"
                    "def backward_pass(X, y, w1, w2):\n"
                    "    s = lambda v: 1 / (1 + np.exp(-v))\n"
                    "    a = s(X @ w1); out = s(a @ w2)\n"
                    "    d = (out - y) / len(X) * out * (1 - out)\n"
                    "    return X.T @ ((d @ w2.T) * a * (1 - a)), a.T @ d\n")
    assert exercises.check("003-xor", [str(good)]).ok
    wrong = tmp_path / "wrong.py"
    wrong.write_text(good.read_text().replace("(1 - a)), a.T @ d", "(1 - a)), a.T @ d * 2"))
    assert "WRONG: dL/dw2[0, 0]" in str(exercises.check("003-xor", [str(wrong)]))
    broken = tmp_path / "broken.py"
    broken.write_text("def backward_pass(X, y, w1, w2):\n    return 1 / 0\n")
    assert "ZeroDivisionError" in str(exercises.check("003-xor", [str(broken)]))
    with pytest.raises(exercises.ChainruleError, match="no function"):
        exercises.check("003-xor", [str(_empty(tmp_path))])
    with pytest.raises(exercises.ChainruleError, match="no file"):
        exercises.check("003-xor", [str(tmp_path / "missing.py")])


def _empty(tmp_path):
    path = tmp_path / "empty.py"
    path.write_text("x = 1\n")
    return path


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "chainrule", "exercise", *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_exercise():
    listing = run_cli("list")
    assert listing.returncode == 0 and "002-f" in listing.stdout and "003-q7" in listing.stdout
    shown = run_cli("show", "001-worked")
    assert shown.returncode == 0 and "numerator layout" in shown.stdout
    assert "W0 = [[1.0, -3.0], [0.2, 1.0]]" in shown.stdout
    ok = run_cli("check", "002-f", "11.652", "5.5", "1.716")
    assert ok.returncode == 0 and ok.stdout.startswith("OK")
    wrong = run_cli("check", "002-f", "11.652", "5.5", "2")
    assert wrong.returncode == 1 and "WRONG: dy/dx2 is 2, expected 1.7163" in wrong.stdout
    for args in (["show", "9-9"], ["check", "002-f", "__import__('os')"], ["check", "002-f", "1"]):
        bad = run_cli(*args)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr, bad.stderr
