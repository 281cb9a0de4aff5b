"""The command line: main job and error handling."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule.cli import main
from chainrule.cli.main import build_parser


def test_demo_shows_the_notes_gradient(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "11.652071" in out  # f(2, 5) = ln 2 + 10 - sin 5
    assert "5.50000000" in out and "1.71633781" in out  # df/dx1 = 1/2 + 5, df/dx2 = 2 - cos 5


def test_bare_command_runs_the_demo(capsys):
    assert main([]) == 0
    assert "reverse mode" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("args", [["demo", "--at", "x"], ["demo", "--at", "1,2,3"], ["demo", "--at", "-1,2"],
                                  ["nonsense"]])
def test_bad_input_is_one_line_and_status_2(args):
    proc = subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "error" in proc.stderr


# ---- every way a command ends: one line, status 0 / 2 / 130 (issue 18), --traceback (issue 19) ----
def _run_main(args, capsys):
    status = main(args)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _raise(exc):
    def run(*args, **kwargs):
        raise exc

    return run


@pytest.mark.parametrize("exc", [RuntimeError("a bug of ours"), KeyError("k"), TypeError("t"), MemoryError(),
                                 OverflowError("int too large to convert to float"), ValueError("v")])
def test_every_error_is_one_line_and_status_2(exc, monkeypatch, capsys):
    monkeypatch.setattr("chainrule.cli.demo.run_demo", _raise(exc))
    status, _, err = _run_main(["demo"], capsys)
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("chainrule: ")
    assert "Traceback" not in err and "internal error" not in err


def test_a_bug_of_ours_says_how_to_report_it_and_traceback_shows_where(monkeypatch, capsys):
    monkeypatch.setattr("chainrule.cli.demo.run_demo", _raise(RuntimeError("a bug of ours")))
    status, _, err = _run_main(["demo"], capsys)
    assert status == 2 and "RuntimeError: a bug of ours" in err and "--traceback" in err
    status, _, err = _run_main(["demo", "--traceback"], capsys)  # the switch may stand anywhere
    assert status == 2 and "Traceback (most recent call last)" in err and "a bug of ours" in err
    assert err.rstrip().splitlines()[-1].startswith("chainrule: error: RuntimeError")


def test_traceback_switch_on_a_bad_input_and_on_success(capsys):
    status, _, err = _run_main(["--traceback", "demo", "--at=-1,2"], capsys)
    assert status == 2 and "Traceback" in err and "x1 must be positive" in err
    status, out, err = _run_main(["--traceback", "demo"], capsys)
    assert status == 0 and "reverse mode" in out and err == ""


def test_ctrl_c_in_a_command_is_one_line_and_status_130(monkeypatch, capsys):
    monkeypatch.setattr("chainrule.cli.demo.run_demo", _raise(KeyboardInterrupt()))
    status, _, err = _run_main(["demo"], capsys)
    assert status == 130 and err == "chainrule: interrupted\n"


def _warn_then(result):
    def run(*args, **kwargs):
        with np.errstate(divide="warn"):
            np.log(np.zeros(1))  # RuntimeWarning: divide by zero encountered in log
        if isinstance(result, Exception):
            raise result
        print("done")
        return result

    return run


def test_warnings_never_come_before_the_error_line(monkeypatch, capsys):
    monkeypatch.setattr("chainrule.cli.demo.run_demo", _warn_then(cr.ChainruleError("the loss is NaN at epoch 3")))
    status, _, err = _run_main(["demo"], capsys)
    assert status == 2 and err == "chainrule: error: the loss is NaN at epoch 3\n"


def test_warnings_of_a_command_that_succeeds_come_after_it(monkeypatch, capsys):
    monkeypatch.setattr("chainrule.cli.demo.run_demo", _warn_then(0))
    with pytest.warns(RuntimeWarning, match="divide by zero"):  # (shown on stderr outside pytest)
        status, out, _ = _run_main(["demo"], capsys)
    assert status == 0 and out == "done\n"


def test_help_and_usage_errors_keep_argparse_statuses(capsys):
    with pytest.raises(SystemExit) as help_exit:  # --help exits inside argparse, as every CLI
        build_parser().parse_args(["--help"])
    assert help_exit.value.code == 0
    assert _run_main(["--help"], capsys)[0] == 0
    status, _, err = _run_main(["train", "--epochs", "many"], capsys)
    assert status == 2 and err.count("\n") == 1 and "--epochs" in err


# ---- Ctrl-C while the command is still loading (issue 18) ----------------------------------------
def _interrupt_on_import(tmp_path, module):
    """An environment in which importing `module` raises KeyboardInterrupt, as a Ctrl-C at that moment."""
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class InterruptOnImport:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        f"        if name == {module!r}:\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, InterruptOnImport())\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), *filter(None, [env.get("PYTHONPATH")])])
    return env


def _run_command(args, env=None):
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("module", ["chainrule.cli.main", "chainrule.cli.train"])
def test_ctrl_c_while_the_command_loads_is_one_line(module, tmp_path):
    proc = _run_command(["demo"], _interrupt_on_import(tmp_path, module))
    assert (proc.returncode, proc.stderr) == (130, "chainrule: interrupted\n")


@pytest.mark.slow
def test_ctrl_c_while_numpy_loads_is_one_line(tmp_path):
    proc = _run_command(["demo"], _interrupt_on_import(tmp_path, "numpy"))
    assert (proc.returncode, proc.stderr) == (130, "chainrule: interrupted\n")


@pytest.mark.slow
def test_the_start_up_guard_makes_an_uncaught_ctrl_c_one_line():
    code = ("import sys; sys.orig_argv = ['python', '-m', 'chainrule']\n"
            "from chainrule._interrupt import guard_command_start\n"
            "guard_command_start()\n"
            "raise KeyboardInterrupt\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stderr) == (130, "chainrule: interrupted\n")


def test_the_start_up_guard_leaves_library_imports_alone(monkeypatch):
    from chainrule._interrupt import guard_command_start, is_the_command

    assert is_the_command(["/venv/bin/python", "-m", "chainrule", "train"])
    assert is_the_command(["/venv/bin/python", "/venv/bin/chainrule", "demo"])
    assert is_the_command(["/venv/bin/chainrule"])
    assert not is_the_command(["/venv/bin/python", "-m", "pytest", "chainrule"])
    assert not is_the_command(["/venv/bin/python", "my_training.py"])
    monkeypatch.setattr(sys, "orig_argv", ["python", "my_training.py"])
    hook = sys.excepthook
    guard_command_start()
    assert sys.excepthook is hook


@pytest.mark.slow
def test_ctrl_c_during_training_is_one_line_and_status_130(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "chainrule", "train", "--epochs", "100000", "--no-progress",
                             "--out", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})  # its first line comes at once
    try:
        proc.stdout.readline()  # the dataset line: training has started
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert (proc.returncode, err) == (130, "chainrule: interrupted\n")
