"""Numbers, arrays and notation as the trace tables print them: text, and ASCII LaTeX.

Two ways to write a number: `digits` significant digits (the default, 4),
or `decimals` places with trailing zeros dropped, as the notes write them
(0.693, 10, 5.5, -0.284). Arrays of any shape print as nested brackets;
a matrix takes one line per row (a multi-line table cell).
"""

from __future__ import annotations

import re

import numpy as np

_DOT, _BAR = "\u0307", "\u0304"  # combining dot and bar: v̇, v̄


def format_number(x, decimals=None, digits=4):
    """One number: `decimals` places without trailing zeros, else `digits` significant digits.

    Example:
        >>> from chainrule.tools.formatting import format_number
        >>> format_number(0.693147, decimals=3), format_number(10.0, decimals=3), format_number(5.5, decimals=3)
        ('0.693', '10', '5.5')
        >>> format_number(0.693147)
        '0.6931'
    """
    x = float(x)
    if not np.isfinite(x):
        return str(x)
    if decimals is None:
        text = f"{x:.{digits}g}"
    else:
        text = f"{x:.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text in ("0", "-0") and x != 0:  # too small for the decimals: do not print a false 0
            text = f"{x:.{digits}g}"
    return "0" if text == "-0" else text


def format_value(value, decimals=None, digits=4):
    """A number, or an array as nested brackets (a matrix one row per line).

    Example:
        >>> from chainrule.tools.formatting import format_value
        >>> print(format_value([[1.0, -3.0], [0.2, 1.0]], decimals=3))
        [[  1,  -3],
         [0.2,   1]]
        >>> format_value([0.3130], decimals=3)
        '[0.313]'
    """
    value = np.asarray(value)
    if value.ndim == 0:
        return format_number(value.item(), decimals, digits)
    if value.dtype.kind not in "fiub":
        return str(value)

    def fmt(x):
        return format_number(x, decimals, digits)

    if value.ndim <= 2 and value.size <= 64:
        if value.ndim == 1:
            return "[" + ", ".join(fmt(x) for x in value) + "]"
        cells = [[fmt(x) for x in row] for row in value]
        width = max([len(c) for row in cells for c in row] + [1])
        rows = ["[" + ", ".join(c.rjust(width) for c in row) + "]" for row in cells]
        return "[" + ",\n ".join(rows) + "]"
    body = np.array2string(value, formatter={"all": fmt}, threshold=16, edgeitems=2, separator=", ")
    return f"{body} (shape {'×'.join(map(str, value.shape))})"


def plain(value):
    """A JSON-ready number or nested list.

    Example:
        >>> from chainrule.tools.formatting import plain
        >>> plain(2.5), plain([[1.0, 2.0]])
        (2.5, [[1.0, 2.0]])
    """
    value = np.asarray(value)
    return value.item() if value.ndim == 0 else value.tolist()


# ---- LaTeX ---------------------------------------------------------------------------------------
_SYMBOLS = [("×", r"\times "), ("·", r"\cdot "), ("σ", r"\sigma"), ("∂", r"\partial "), ("Σ", r"\sum "),
            ("Π", r"\prod "), ("ᵀ", r"^{\top}"), ("≥", r"\geq "), ("≤", r"\leq "), ("²", "^{2}"), ("@", r"\,"),
            ("ε", r"\varepsilon "), ("∘", r"\circ "), ("−", "-"), ("…", r"\dots "), ("→", r"\to "), ("'", "'"),
            ("≠", r"\neq "), ("½", r"\tfrac{1}{2}"),
            ("%", r"\%"), ("#", r"\#"), ("&", r"\&"), ("$", r"\$"), ("~", r"\sim ")]
_FUNCTIONS = re.compile(r"\b(tanh|tan|sinh|sin|cosh|cos|exp|ln|log|max|min)\b")
_WORDS = re.compile(r"\b([A-Za-z]{2,}(?:_[A-Za-z][A-Za-z0-9]*)*)\b")
_KEEP = {"tanh", "tan", "sinh", "sin", "cosh", "cos", "exp", "ln", "log", "max", "min", "times", "cdot", "sigma",
         "partial", "sum", "prod", "top", "geq", "leq", "varepsilon", "circ", "dots", "to", "sim", "sqrt", "bar",
         "dot", "operatorname", "neq", "tfrac"}


def latex(text):
    """Trace notation (Unicode) as ASCII LaTeX math: v̄_-1 -> \\bar{v}_{-1}, × -> \\times, ln -> \\ln.

    Example:
        >>> from chainrule.tools.formatting import latex
        >>> latex("v̄_-1 + v̄_1 / v_-1")
        '\\\\bar{v}_{-1} + \\\\bar{v}_{1} / v_{-1}'
        >>> latex("v̄_3 × cos v_0")
        '\\\\bar{v}_{3} \\\\times \\\\cos v_{0}'
    """
    text = re.sub(r"([A-Za-z])([" + _BAR + _DOT + r"])(_?-?\d+)?",
                  lambda m: ("\\bar{" if m.group(2) == _BAR else "\\dot{") + m.group(1) + "}"
                  + (f"_{{{m.group(3).lstrip('_')}}}" if m.group(3) else ""), text)
    text = re.sub(r"(?<![\\{A-Za-z])([A-Za-z])_(-?\d+)", r"\1_{\2}", text)
    text = re.sub(r"(?<![\\{_A-Za-z])([A-Za-z])(\d+)\b", r"\1_{\2}", text)
    text = re.sub(r"√(\S+)", r"\\sqrt{\1}", text)
    text = _FUNCTIONS.sub(r"\\\1 ", text)
    text = _WORDS.sub(lambda m: m.group(1) if m.group(1) in _KEEP or m.string[max(m.start() - 1, 0)] == "\\"
                      else "\\operatorname{" + m.group(1).replace("_", "\\_") + "}", text)
    for old, new in _SYMBOLS:
        text = text.replace(old, new)
    text = re.sub(r" +", " ", text).strip()
    return "".join(c if c.isascii() else f"\\text{{[U+{ord(c):04X}]}}" for c in text)


def latex_value(value, decimals=None, digits=4):
    """A number, or an array as a bmatrix (needs amsmath), in ASCII LaTeX.

    Example:
        >>> from chainrule.tools.formatting import latex_value
        >>> latex_value([[1.0, 2.0], [3.0, 4.0]], decimals=3)
        '\\\\begin{bmatrix} 1 & 2 \\\\\\\\ 3 & 4 \\\\end{bmatrix}'
    """
    value = np.asarray(value)
    if value.ndim == 0:
        return format_number(value.item(), decimals, digits)
    if value.ndim == 1:
        value = value[None, :]
    if value.ndim > 2 or value.size > 64:
        return r"\text{array of shape } " + r" \times ".join(map(str, value.shape))
    rows = [" & ".join(format_number(x, decimals, digits) for x in row) for row in value]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"
