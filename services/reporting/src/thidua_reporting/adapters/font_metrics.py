"""Advance widths of Times New Roman, to size rules and columns before any editor lays them out.

The figures (1/1000 em) are Adobe's Times-Roman and Times-Bold, with which Times New Roman and
Liberation Serif are metric-compatible. Kerning is left out: callers add a little slack.
"""

from __future__ import annotations

import unicodedata

_CHARS = " -.,:;/()%ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_BOLD = (
    [250, 333, 250, 250, 333, 333, 278, 333, 333, 1000]
    + [722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944]
    + [722, 778, 611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667]
    + [500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833]
    + [556, 500, 556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444]
    + [500] * 10
)
_REGULAR = (
    [250, 333, 250, 250, 278, 278, 278, 333, 333, 833]
    + [722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889]
    + [722, 722, 556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611]
    + [444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778]
    + [500, 500, 500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444]
    + [500] * 10
)
TIMES_BOLD = dict(zip(_CHARS, _BOLD, strict=True))
TIMES_ROMAN = dict(zip(_CHARS, _REGULAR, strict=True))


def _base(char: str) -> str:
    # Vietnamese letters are a Latin base plus diacritics stacked above or below; the base
    # carries the advance width. "Đ/đ" has no decomposition.
    return {"Đ": "D", "đ": "d"}.get(char) or unicodedata.normalize("NFD", char)[:1]


def width_pt(text: str, size_pt: float, *, bold: bool = True) -> float:
    """Printed width in points of `text` at `size_pt`; an unknown glyph counts as a wide one."""
    table = TIMES_BOLD if bold else TIMES_ROMAN
    total = sum(table.get(base := _base(c), 722 if base.isupper() else 500) for c in text)
    return size_pt * total / 1000
