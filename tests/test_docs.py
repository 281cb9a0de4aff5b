"""Documentation generated from code must match the code."""

from pathlib import Path

from chainrule.tools.opdocs import render_op_table

ROOT = Path(__file__).resolve().parent.parent


def test_ops_md_is_up_to_date():
    committed = (ROOT / "docs" / "ops.md").read_text(encoding="utf-8")
    assert committed == render_op_table(), "regenerate: python -m chainrule.tools.opdocs > docs/ops.md"


def test_readme_names_the_two_setup_commands_and_ci_runs_them():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[dev]"' in readme and "python -m pytest" in readme
    assert 'pip install -e ".[dev]"' in ci and "python -m pytest" in ci
