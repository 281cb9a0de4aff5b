"""How a Trace prints: aligned text, Markdown, ASCII LaTeX, HTML (Jupyter), rich tables and JSON.

Cells may span several lines (a matrix value prints one row per line);
every renderer keeps those lines: text pads them, Markdown and HTML break
them, LaTeX writes a bmatrix (needs amsmath).
"""

from __future__ import annotations

import html
import json

import numpy as np

from .formatting import format_value, latex, latex_value, plain

PARTIAL = "∂v_j/∂v_i"
_HEADERS = {"": "variable", "definition": "definition", "substituted": "substituted", PARTIAL: PARTIAL,
            "value": "value", "rule": "rule"}
_LATEX_HEADERS = {"": "", "definition": "definition", "substituted": "substituted",
                  PARTIAL: r"$\partial v_j / \partial v_i$", "value": "value", "rule": "rule"}


class TraceTables:
    """Renderers shared by every Trace (mixed into chainrule.tools.trace.Trace).

    Example:
        >>> import chainrule as cr
        >>> t = cr.trace("x * x", x=3.0)
        >>> t.to_markdown().splitlines()[2]
        '| variable | definition | substituted | value |'
        >>> t.to_latex().isascii(), t.to_dict()["gradient"]
        (True, {'x': 6.0})
    """

    # ---- data ---------------------------------------------------------------------------------
    def to_dict(self):
        """The tables as plain data: value, gradient, output name, and the row lists."""
        def row(r):
            return {k: (plain(v) if k in ("value", "partial") and v is not None else v) for k, v in r.items()}

        return {"value": plain(self.value), "output": self.output, "wrt": self.wrt, "order": self.order,
                "adjoint_order": self.adjoint_order, "gradient": {k: plain(v) for k, v in self.gradient.items()},
                "primal": [row(r) for r in self.primal], "tangent": [row(r) for r in self.tangent],
                "adjoint": [row(r) for r in self.adjoint], "layout": self.layout_note}

    def to_json(self, indent=2):
        """The tables as JSON (see to_dict)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    # ---- cells --------------------------------------------------------------------------------
    def sections(self):
        """(key, title, columns, rows) of the three tables; empty columns left out."""
        adjoint_title = "Reverse adjoint trace" + (" (bottom-up, as the notes print it)"
                                                   if self.adjoint_order == "notes" else "")
        out = []
        for key, title, columns, rows in (
                ("primal", "Forward primal trace", ["", "definition", "substituted", "value"], self.primal),
                ("tangent", f"Forward tangent trace (seed: {self.wrt})", ["", "definition", "substituted", "value"],
                 self.tangent),
                ("adjoint", adjoint_title, ["", "rule", "definition", "substituted", PARTIAL, "value"], self.adjoint)):
            keep = [c for c in columns if c in ("", "value") or any(self.cell(r, c) for r in rows)]
            out.append((key, title, keep, rows))
        return out

    def cell(self, row, column):
        if column == "":
            return row["name"]
        if column == PARTIAL:
            return format_value(row["partial"], self.decimals) if row.get("partial") is not None else ""
        if column == "value":
            return format_value(row["value"], self.decimals)
        text = row.get(column, "") or ""
        if column == "substituted" and text == format_value(row["value"], self.decimals):
            return ""  # nothing to substitute (v̇_4 = v̇_3): the value column says it
        return text

    def summary(self):
        y = self.output
        parts = [f"{y} = {format_value(self.value, self.decimals)}"]
        parts += [f"∂{y}/∂{k} = {format_value(v, self.decimals)}" for k, v in self.gradient.items()]
        joined = "\n".join(parts) if any("\n" in p for p in parts) else ";  ".join(parts)
        return joined + (f"\n{self.layout_note}" if self.layout_note else "")

    def to_dual_text(self):
        """The forward pass as dual numbers v_k = value + tangent·ε, numbered as the tables (and cr.draw_graph).

        Example:
            >>> import chainrule as cr
            >>> print(cr.trace("x1 * x2", x1=2.0, x2=5.0).to_dual_text())
            v_-1 = x1 = 2 + 1ε
            v_0 = x2 = 5 + 0ε
            v_1 = v_-1 × v_0 = 10 + 5ε
            y = v_1 = 10 + 5ε
        """
        lines = []
        for p, t in zip(self.primal, self.tangent):
            value, tangent = format_value(p["value"], self.decimals), format_value(t["value"], self.decimals)
            if "\n" in value + tangent or np.ndim(p["value"]):
                number = f"{value.replace(chr(10), ' ')} + {tangent.replace(chr(10), ' ')}ε"
            else:
                number = f"{value} - {tangent[1:]}ε" if tangent.startswith("-") else f"{value} + {tangent}ε"
            lines.append(f"{p['name']} = {p['definition']} = {number}")
        return "\n".join(lines)

    # ---- renderers ----------------------------------------------------------------------------
    def to_text(self):
        """Plain aligned text tables (a matrix cell takes several lines)."""
        blocks = []
        for _, title, columns, rows in self.sections():
            columns = [c for c in columns if c != PARTIAL]  # without headers a bare partial would mislead
            cells = [[self.cell(r, c).split("\n") for c in columns] for r in rows]
            widths = [max([len(line) for c in cells for line in c[i]] + [0]) for i in range(len(columns))]
            lines = [title, "-" * len(title)]
            for c in cells:
                for k in range(max(len(x) for x in c)):
                    parts = []
                    for i, text in enumerate(c):
                        line = text[k] if k < len(text) else ""
                        if i:
                            line = (("= " if k == 0 else "  ") + line) if any(text) else ""
                            parts.append(line.ljust(widths[i] + 2))
                        else:
                            parts.append(line.ljust(widths[0]))
                    lines.append("  ".join(parts).rstrip())
            blocks.append("\n".join(lines))
        blocks.append(self.summary())
        return "\n\n".join(blocks)

    __str__ = to_text

    def __repr__(self):
        return f"<Trace of {len(self.primal)} values; {self.output} = {format_value(self.value, self.decimals)}>"

    def to_rich(self):
        """A list of rich Tables (needs rich: pip install "chainrule[progress]")."""
        from rich.table import Table
        from rich.text import Text

        tables = []
        for _, title, columns, rows in self.sections():
            table = Table(title=title, title_justify="left")
            for col in columns:
                table.add_column(_HEADERS[col], justify="right" if col == "value" else "left")
            for r in rows:
                table.add_row(*(Text(self.cell(r, c)) for c in columns))  # Text: "[v_0 > 0]" is not markup
            tables.append(table)
        return tables

    def to_markdown(self):
        """GitHub-flavoured Markdown tables (matrix cells broken with <br>)."""
        out = []
        for _, title, columns, rows in self.sections():
            out += [f"**{title}**", "", "| " + " | ".join(_HEADERS[c] for c in columns) + " |",
                    "|" + "---|" * len(columns)]
            out += ["| " + " | ".join(self.cell(r, c).replace("|", "\\|").replace("\n", "<br>") for c in columns)
                    + " |" for r in rows]
            out.append("")
        out.append(self.summary().replace("\n", "\n\n"))
        return "\n".join(out)

    def to_latex(self, standalone=False):
        """ASCII LaTeX tabulars laid out like the notes (needs amsmath for matrices).

        standalone=True wraps them in a complete document that pdflatex compiles.
        """
        out = ["% chainrule trace tables; matrices need \\usepackage{amsmath}"]
        for _, title, columns, rows in self.sections():
            out += ["\\noindent\\textbf{" + latex_text(title) + "}\\\\[2pt]",
                    "\\begin{tabular}{" + "l" * len(columns) + "}",
                    " & ".join(_LATEX_HEADERS[c] for c in columns) + " \\\\ \\hline"]
            for r in rows:
                body = []
                for c in columns:
                    if c in ("value", PARTIAL):
                        v = r.get("value" if c == "value" else "partial")
                        text = "" if v is None else latex_value(v, self.decimals)
                    else:
                        text = latex(self.cell(r, c))
                    body.append("" if not text else (f"${text}$" if c in ("", PARTIAL) else f"$= {text}$"))
                out.append(" & ".join(body) + " \\\\")
            out += ["\\end{tabular}", "", "\\medskip", ""]
        if standalone:
            out = ["\\documentclass{article}", "\\usepackage{amsmath}", "\\begin{document}"] + out + ["\\end{document}"]
        return "\n".join(out) + "\n"

    def html_tables(self, ids=False):
        """The tables as HTML; with ids=True every row has id 'primal-0', 'adjoint-3', ..."""
        parts = []
        for key, title, columns, rows in self.sections():
            head = "".join(f"<th>{html.escape(_HEADERS[c])}</th>" for c in columns)
            body = []
            for k, r in enumerate(rows):
                row_id = f' id="{key}-{k}"' if ids else ""
                cells = "".join(f'<td class="{_css(c)}">{html.escape(self.cell(r, c))}</td>' for c in columns)
                body.append(f"<tr{row_id}>{cells}</tr>")
            parts.append(f'<div class="cr-section" data-table="{key}"><p><b>{html.escape(title)}</b></p>'
                         f'<table class="chainrule-trace" data-table="{key}">'
                         f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>")
        return "".join(parts)

    def _repr_html_(self):
        style = "<style>.chainrule-trace td{white-space:pre;font-family:monospace;padding:0 .6em}</style>"
        return style + self.html_tables() + f"<p>{html.escape(self.summary())}</p>"


def _css(column):
    return {"": "name", PARTIAL: "partial"}.get(column, column)


def latex_text(text):
    """Text-mode LaTeX: ASCII, specials escaped, Unicode symbols as math.

    Example:
        >>> from chainrule.tools.trace_render import latex_text
        >>> print(latex_text("seed: x_1 (100%)"))
        seed: x\\_1 (100\\%)
    """
    out = []
    for ch in text:
        if ch in "_%&#$":
            out.append("\\" + ch)
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(f"${latex(ch)}$")
    return "".join(out)
