"""The one table of font widths: Times New Roman (and its metric twin Liberation Serif).

Used wherever plangen must know how wide a text is before Word lays it out: the rules under
the names of the plan's header, the header's columns, where a tracker row wraps. Advance
widths are in thousandths of an em, for ASCII 32-126 in regular and bold, plus the
Vietnamese letters whose base is not ASCII (ơ, ư, đ and their capitals) and the common
punctuation beyond ASCII (curly quotes, dashes, the ellipsis); any other accented letter is
as wide as its base letter (NFD: "ế" as "e", "ữ" as "ư").
"""

from __future__ import annotations

import functools
import unicodedata

_REGULAR = (
    "250 333 408 500 500 833 778 180 333 333 500 564 250 333 250 278 500 500 500 500 500 500 "
    "500 500 500 500 278 278 564 564 564 444 921 722 667 667 722 611 556 722 722 333 389 722 "
    "611 889 722 722 556 722 667 556 611 722 722 944 722 722 611 333 278 333 469 500 333 444 "
    "500 444 500 444 333 500 500 278 278 500 278 778 500 500 500 500 333 389 278 500 500 722 "
    "500 500 444 480 200 480 541"
)
_BOLD = (
    "250 333 555 500 500 1000 833 278 333 333 500 570 250 333 250 278 500 500 500 500 500 500 "
    "500 500 500 500 333 333 570 570 570 500 930 722 667 722 722 667 611 778 778 389 500 778 "
    "667 944 722 778 611 778 722 556 667 722 722 1000 722 722 667 333 278 333 581 500 333 500 "
    "556 444 556 444 333 500 556 278 333 556 278 833 556 500 556 556 444 389 333 556 500 722 "
    "500 500 444 394 220 394 520"
)
_VIETNAMESE = {  # (regular, bold)
    "ơ": (529, 566),
    "ư": (542, 606),
    "Ơ": (722, 778),
    "Ư": (776, 819),
    "đ": (500, 556),
    "Đ": (722, 722),
    "\u00a0": (250, 250),  # no-break space
    # punctuation of Vietnamese text beyond ASCII
    "\u2018": (333, 333),  # ‘
    "\u2019": (333, 333),  # ’
    "\u201c": (444, 500),  # “
    "\u201d": (444, 500),  # ”
    "\u2013": (500, 500),  # – en dash
    "\u2014": (1000, 1000),  # — em dash
    "\u2026": (1000, 1000),  # … ellipsis
    "\u2022": (350, 350),  # • bullet
    "\u00b0": (400, 400),  # ° degree
    "\u00a7": (500, 500),  # § section
    "\u00d7": (564, 570),  # × multiplication
    "\u00b1": (564, 570),  # ± plus-minus
}
_TABLES = {
    False: {chr(32 + i): int(w) for i, w in enumerate(_REGULAR.split())},
    True: {chr(32 + i): int(w) for i, w in enumerate(_BOLD.split())},
}
for _ch, (_regular, _bold) in _VIETNAMESE.items():
    _TABLES[False][_ch], _TABLES[True][_ch] = _regular, _bold


@functools.lru_cache(maxsize=4096)
def advance(ch: str, bold: bool = False) -> int:
    """The advance width of one character, in thousandths of an em."""
    table = _TABLES[bold]
    if ch in table:
        return table[ch]
    marks = unicodedata.normalize("NFD", ch)
    base = unicodedata.normalize("NFC", marks[0] + "\u031b") if "\u031b" in marks else marks[0]
    if base in table:
        return table[base]
    return 722 if ch.isupper() else 500


class _Advances(dict):
    """Character -> advance width, filled on first use (a dict lookup is the fast path)."""

    def __init__(self, bold: bool) -> None:
        super().__init__()
        self.bold = bold

    def __missing__(self, ch: str) -> int:
        self[ch] = width = advance(ch, self.bold)
        return width


_ADVANCES = {False: _Advances(False), True: _Advances(True)}


@functools.lru_cache(maxsize=16384)
def em(text: str, bold: bool = False) -> float:
    """The width of `text` in ems (words repeat a lot: each is measured once)."""
    return sum(map(_ADVANCES[bold].__getitem__, text)) / 1000


def twips(text: str, size: float, bold: bool = False) -> int:
    """The width of one line of `text` at `size` points, in twips (1/20 point)."""
    return round(em(text, bold) * size * 20)


def points(text: str, size: float, bold: bool = False) -> float:
    return em(text, bold) * size
