"""The command line: main job and error handling."""

import subprocess
import sys

import pytest

from chainrule.cli import main


def test_demo_shows_the_notes_gradient(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "11.652071" in out  # f(2, 5) = ln 2 + 10 - sin 5
    assert "5.50000000" in out and "1.71633781" in out  # df/dx1 = 1/2 + 5, df/dx2 = 2 - cos 5


def test_bare_command_runs_the_demo(capsys):
    assert main([]) == 0
    assert "reverse mode" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["demo", "--at", "x"], ["demo", "--at", "1,2,3"], ["demo", "--at", "-1,2"],
                                  ["nonsense"]])
def test_bad_input_is_one_line_and_status_2(args):
    proc = subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0 and "error" in proc.stderr
