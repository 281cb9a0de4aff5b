"""Generate docs/ops.md from the op table, so the documentation cannot drift.

Run `python -m chainrule.tools.opdocs > docs/ops.md`; tests/test_docs.py fails
when the committed file differs from what this prints.
"""

from __future__ import annotations

from ..core.registry import builtin_ops


def render_op_table() -> str:
    """The Markdown table of every built-in op, its derivative and conventions.

    Example:
        >>> from chainrule.tools.opdocs import render_op_table
        >>> "| tanh |" in render_op_table()
        True
    """
    lines = [
        "# The op table",
        "",
        "Generated from the registry by `python -m chainrule.tools.opdocs`; do not edit by hand.",
        "",
        "Every differentiable op has a VJP rule (reverse mode) and a JVP rule (forward mode),",
        "declared side by side in `src/chainrule/ops/` (the engine's own four in",
        "`src/chainrule/core/engine_ops.py`). Composites such as `mean`, `var`, `std`,",
        "`stack`, `split`, `outer` and `dot` are built from these and need no rules of their own.",
        "",
        "| op | derivative | convention at kinks | JVP |",
        "|---|---|---|---|",
    ]
    for name, op in sorted(builtin_ops().items()):
        if op.nondiff:
            derivative, jvp = "none (result never requires grad)", "-"
        else:
            derivative = op.derivative or "-"
            jvp = "linear: the op on the tangent" if op.jvp == "linear" else "rule"
        lines.append(f"| {name} | {derivative} | {op.convention or '-'} | {jvp} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_op_table(), end="")
