"""Step through backprop: one self-contained HTML page per function and point.

`explain(f, x1=2.0, x2=5.0)` traces f (chainrule.tools.trace) and writes a
page with the computation graph (an inline SVG laid out here: inputs on the
left, each op one column right of its latest input), the primal, tangent
and adjoint tables, and "previous" / "next" buttons. Stepping goes forward
through the primal trace (each value computed, its node and in-edges lit),
then backward through the adjoint trace in sweep order (each accumulation
step: the edge its adjoint flows back along, the receiving node, the row).
No network, no CDN: the little JavaScript and CSS ship in
chainrule/tools/static and are inlined; formulas are text in the notes'
notation, rendered here.
"""

from __future__ import annotations

import html
import json
from importlib import resources

from .formatting import format_value

_BOX_W, _BOX_H, _COL, _ROW = 150, 44, 200, 64


def _static(name):
    return resources.files("chainrule.tools").joinpath("static", name).read_text(encoding="utf-8")


def _node_id(var):
    return f"node-{var}"


def _edge_id(a, b):
    return f"edge-{a}-{b}"


class Explanation:
    """The stepping page of one trace: `.steps`, `.html` (a complete page), `.save(path)`, `_repr_html_`.

    Example:
        >>> import chainrule as cr
        >>> page = cr.explain("x1 * x2 + sin(x1)", x1=2.0, x2=5.0)
        >>> [s["row"] for s in page.steps][:3], page.steps[-1]["phase"]
        (['primal-0', 'primal-1', 'primal-2'], 'backward')
        >>> page.html.startswith("<!DOCTYPE html>") and "http" not in page.html.split("<body>")[1]
        True
    """

    def __init__(self, trace, title):
        self.trace, self.title = trace, title
        self.steps = self._steps()

    def _steps(self):
        t, steps = self.trace, []
        for k, r in enumerate(t.primal):
            subs = t.cell(r, "substituted")
            text = f"{r['name']} = {r['definition']}" + (f" = {subs}" if subs else "")
            var = r.get("var")
            edges = [_edge_id(a, var) for a in r.get("from", [])]
            steps.append({"phase": "forward", "row": f"primal-{k}", "node": _node_id(var), "edges": edges,
                          "text": text, "value": t.cell(r, "value")})
        for k, r in enumerate(t.adjoint):
            subs = t.cell(r, "substituted")
            text = f"{r['name']} = {r['definition']}" + (f" = {subs}" if subs else "")
            edge = r.get("edge")
            steps.append({"phase": "backward", "row": f"adjoint-{k}", "node": _node_id(r["var"]),
                          "edges": [_edge_id(*edge)] if edge else [], "text": text, "value": t.cell(r, "value")})
        return steps

    # ---- the picture --------------------------------------------------------------------------
    def _svg(self):
        rows = [r for r in self.trace.primal if r.get("var")][:-1]  # the last row (y = v_N) is no new node
        level = {}
        for r in rows:
            level[r["var"]] = 1 + max([level[a] for a in r.get("from", [])], default=-1)
        columns = {}
        for r in rows:
            columns.setdefault(level[r["var"]], []).append(r)
        where = {}
        for c, members in columns.items():
            for i, r in enumerate(members):
                where[r["var"]] = (20 + c * _COL, 20 + i * _ROW)
        width = 40 + (max(columns) + 1) * _COL if columns else 200
        height = 40 + max(len(m) for m in columns.values()) * _ROW if columns else 100
        parts = [f'<svg class="cr-graph" width="{width}" height="{height}" '
                 f'viewBox="0 0 {width} {height}"><defs><marker id="cr-arrow" viewBox="0 0 10 10" refX="10" '
                 'refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto">'
                 '<path d="M0,0 L10,5 L0,10 z"/></marker></defs>']
        drawn = set()
        for r in rows:
            for a in r.get("from", []):
                if (a, r["var"]) in drawn:
                    continue
                drawn.add((a, r["var"]))
                (x0, y0), (x1, y1) = where[a], where[r["var"]]
                x0, y0, y1 = x0 + _BOX_W, y0 + _BOX_H / 2, y1 + _BOX_H / 2
                mid = (x0 + x1) / 2
                parts.append(f'<path id="{_edge_id(a, r["var"])}" class="cr-edge" marker-end="url(#cr-arrow)" '
                             f'd="M{x0},{y0} C{mid},{y0} {mid},{y1} {x1},{y1}"/>')
        for r in rows:
            x, y = where[r["var"]]
            label = r["var"] + " = " + r["definition"]
            value = format_value(r["value"], self.trace.decimals).replace("\n", " ")
            parts.append(f'<g id="{_node_id(r["var"])}" class="cr-node"><rect x="{x}" y="{y}" width="{_BOX_W}" '
                         f'height="{_BOX_H}" rx="6"/><text x="{x + 8}" y="{y + 18}">{html.escape(label)}</text>'
                         f'<text x="{x + 8}" y="{y + 36}" class="cr-val">{html.escape(value[:24])}</text></g>')
        parts.append("</svg>")
        return "".join(parts)

    # ---- the page -----------------------------------------------------------------------------
    @property
    def html(self):
        """The complete, self-contained page."""
        steps = json.dumps(self.steps, ensure_ascii=False).replace("</", "<\\/")
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<title>{html.escape(self.title)}: backprop step by step</title>"
                f"<style>{_static('explain.css')}</style></head><body>"
                f"<h1>{html.escape(self.title)}</h1>"
                "<div class=\"cr-controls\"><button id=\"cr-prev\" type=\"button\">&larr; previous</button>"
                "<button id=\"cr-next\" type=\"button\">next &rarr;</button>"
                "<span id=\"cr-counter\">step 0 of " + str(len(self.steps)) + "</span></div>"
                "<div id=\"cr-status\"><span id=\"cr-phase\">press next: forward through the primal trace, "
                "then backward through the adjoint trace</span> <span id=\"cr-text\"></span> "
                "<b id=\"cr-value\"></b></div>"
                f"<div class=\"cr-picture\">{self._svg()}</div>"
                f"<div class=\"cr-tables\">{self.trace.html_tables(ids=True)}</div>"
                f"<p class=\"cr-summary\">{html.escape(self.trace.summary())}</p>"
                f"<script type=\"application/json\" id=\"cr-steps\">{steps}</script>"
                f"<script>{_static('explain.js')}</script></body></html>\n")

    def save(self, path):
        """Write the page to `path` (UTF-8)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html)

    def _repr_html_(self):
        # an iframe keeps the page's ids and script to itself inside a notebook
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" style="width:100%;height:640px;border:0" '
                'sandbox="allow-scripts"></iframe>')

    def __repr__(self):
        return f"<Explanation of {self.title}: {len(self.steps)} steps; .save('page.html') writes it>"


def explain(f, *args, order=None, decimals=3, **kwargs):
    """A page that steps through the forward and the backward pass of f at a point (an `Explanation`).

    f is a function or a string (an expression or a program), as for `cr.trace`;
    the inputs are given the same way.

    Example:
        >>> import chainrule as cr
        >>> page = cr.explain(lambda x1, x2: cr.log(x1) + x1 * x2, x1=2.0, x2=5.0)
        >>> len(page.steps), page.steps[-1]["text"]
        (14, 'x̄2 = v̄_0')
    """
    from .trace import trace

    t = trace(f, *args, order=order, adjoint_order="sweep", decimals=decimals, **kwargs)
    title = f if isinstance(f, str) else getattr(f, "__name__", "f")
    return Explanation(t, title)
