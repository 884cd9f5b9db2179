"""The task table fitted to its text: body names kept whole, column widths chosen per unit
(docs/layout.md, "Names" and "Widths"); its pages: render/tablepages.py.

- **Names.** In a lead or support cell every body's name (a "; " part, or a "- " line) is
  glued with no-break spaces when it fits a line of the cell. A longer name is cut into
  pieces that each fit, at the best places: after a comma, before "và" or a note in
  brackets, between the pairs of syllables after its head; never inside or right after
  its head ("Phòng", "Văn phòng", "Trung tâm", "Ban", "Sở", …), never around " - ", after
  "cấp" or before a last word of one or two letters.
- **Widths.** The lead and support columns may grow (to GROW times the catalog's width) so
  that more names fit, or shrink (to SHRINK times) when their names are short, never so
  narrow that a head and its next word do not fit; the text columns (task, product, …) give
  or take the difference in proportion, never below TEXT_FLOOR times their catalog width;
  STT and deadline keep theirs unless "STT" or "Thường xuyên" would not fit. Of the widths
  tried (the catalog's, and those at which a name fits whole or is cut only between pairs),
  the one with the lowest cost wins: the table's height in lines plus BROKEN_NAME lines per
  unit of broken names (NATURAL, PAIR, INSIDE, LOOSE). The total width stays the text width;
  the same text gives the same widths, kept in plangen's cache (core/cache.py).
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from generator.core import cache, fonts
from generator.core.fonts import em
from generator.render import measure
from generator.resolve.appendix import Appendix

CODE = (Path(__file__), Path(measure.__file__), Path(fonts.__file__))  # what a fit is made by
NBSP = "\u00a0"
SIZE = 13  # points, the table's text
CELL_MARGIN = 85  # twips left and right in a cell
NAME_KEYS = ("lead", "support")
FIXED_KEYS = ("stt", "deadline")
BROKEN_NAME = 0.5  # a unit of a broken name's cost (below), in lines of table height
GROW, SHRINK, TEXT_FLOOR = 1.5, 0.75, 0.85
STEP = 60  # twips (about 1 mm): the smallest step between two widths tried
PASSES = 1  # rounds over the name columns

HEADS = tuple(
    h.split(" ")
    for h in (
        "văn phòng",
        "trung tâm",
        "bệnh viện",
        "bộ phận",
        "chi cục",
        "thanh tra",
        "công an",
        "ủy ban",
        "bảo hiểm",
        "phòng",
        "ban",
        "sở",
        "cục",
        "đội",
        "trạm",
        "viện",
        "trường",
    )
)
PLURALS = ("các", "những")
JOINS = ("và", "hoặc")


# --------------------------------------------------------------------------- names


def usable_em(width: int) -> float:
    """The width of a cell's line, in ems of the table's text."""
    return max(width - 2 * CELL_MARGIN, 1) / (SIZE * 20)


# The cost of a cut: after a comma or before "và", between two pairs of syllables, inside a
# pair ("Dịch | vụ"); LOOSE more for a name cut against a rule other than its head's
# ("Phòng Văn hóa - | Xã hội"), twice that when even its head and next word do not fit.
NATURAL, PAIR, INSIDE, LOOSE = 0, 1, 6, 3


def _head(low: list[str]) -> tuple[int, int]:
    """(first word of the head, words in it): "các phòng …" -> (1, 1); no head: (start, 0)."""
    start = 1 if len(low) > 1 and low[0] in PLURALS else 0
    head = next((h for h in HEADS if low[start : start + len(h)] == h), ())
    return start, len(head)


def _gaps(words: list[str], strict: bool = True) -> tuple[list[bool], list[int]]:
    """For each gap between two words: may it not break, and the cost of a cut there.

    `strict`: every rule of the module's docstring; else only the head and the dash (a
    name too long for its cell: better cut after its dash than leave its head alone)."""
    gaps = len(words) - 1
    low = [w.casefold() for w in words]
    must, cost = [False] * gaps, [INSIDE] * gaps
    start, size = _head(low)
    # inside the head and between the head and the next word ("Phòng | Nội vụ" never); a
    # generic group may be cut after its head ("các phòng | chuyên môn"), not before it
    for g in range(start, min(start + size - (1 if start else 0), gaps)):
        must[g] = True
    count = start + size  # syllables are paired from here, again after each natural cut
    for g in range(gaps):
        natural = words[g].endswith((",", ";")) or low[g + 1] in JOINS or words[g + 1][:1] == "("
        if natural:
            cost[g], count = NATURAL, max(count, g + 1)
        elif start and g == 0:
            cost[g] = INSIDE if size else PAIR  # "các | phòng …" only if it must
        elif size and start and g == start + size - 1:
            cost[g] = PAIR  # "các phòng | chuyên môn"
        elif g >= count:  # "phẩm/Kết" is two syllables
            syllables = sum(1 + w.count("/") for w in words[count : g + 1])
            cost[g] = PAIR if syllables % 2 == 0 else INSIDE
    for i, word in enumerate(words):
        if word in ("-", "–"):
            if i:
                must[i - 1] = True  # never a dash at the start of a line
            if strict:
                for g in range(max(i - 2, 0), min(i + 2, gaps)):
                    must[g] = True
            elif i < gaps:
                cost[i] = NATURAL
        if strict and i < gaps and (low[i] == "cấp" or (word.isupper() and low[i + 1] == "cấp")):
            must[i] = True
    if strict and gaps and len(words[-1]) <= 2:
        must[-1] = True
    return must, cost


def _pieces(
    words: list[str], tail: str, room: float, must: list[bool], cost: list[int], bold: bool
):
    """The cut of `words` into pieces that each fit `room` ems with the lowest cost (a piece
    costs 1, a cut what `cost` says): (cost, widest piece, cuts, cost of the cuts), None
    when a piece that may not be cut is wider than `room`."""
    n = len(words)
    best: list[tuple | None] = [None] * (n + 1)
    best[0] = (0, 0.0, (), 0)
    for b in range(1, n + 1):
        for a in range(b - 1, -1, -1):
            if best[a] is None or (a and must[a - 1]):
                continue  # no way to get to `a`, or no cut allowed before word `a`
            width = em(" ".join(words[a:b]) + (tail if b == n else ""), bold)
            if width > room:
                break  # a longer piece is wider still
            total, widest, cuts, bad = best[a]
            here = cost[a - 1] if a else 0
            cand = (total + 1 + here, max(widest, width), cuts + (a,), bad + here)
            if best[b] is None or cand[:2] < best[b][:2]:
                best[b] = cand
    return best[n]


@lru_cache(maxsize=4096)
def cut(name: str, room: float, tail: str = "", bold: bool = False) -> tuple[tuple[int, ...], int]:
    """Where `name` is cut in a line `room` ems wide (word indexes starting a piece after
    the first) and how badly: the cost of its cuts (see `_gaps`), 0 when it stays whole."""
    words = name.split(" ")
    if len(words) < 2 or em(name + tail, bold) <= room:
        return (), 0
    for strict in (True, False):
        found = _pieces(words, tail, room, *_gaps(words, strict), bold)
        if found is not None:
            return found[2][1:], found[3] + (0 if strict else LOOSE)
    # even its head and the next word are wider than the line: the head whole, at least
    must, cost = _gaps(words, False)
    start, size = _head([w.casefold() for w in words])
    must = [start <= g < start + size - 1 for g in range(len(words) - 1)]
    found = _pieces(words, tail, room, must, cost, bold)
    if found is not None:
        return found[2][1:], found[3] + 2 * LOOSE
    return tuple(range(1, len(words))), INSIDE * len(words)


def glue(name: str, room: float, tail: str = "", bold: bool = False) -> str:
    """`name` with no-break spaces: whole when it fits `room` ems (with `tail`, the ";"
    after it), else in pieces that each fit (see the module's docstring)."""
    cuts = set(cut(name, room, tail, bold)[0])
    return "".join(
        ("" if i == 0 else (" " if i in cuts else NBSP)) + word
        for i, word in enumerate(name.split(" "))
    )


def parts(text: str):
    """(prefix, name, tail) for every body in a cell: "; " parts, "- " lines."""
    for line in text.split("\n"):
        prefix = "- " if line.startswith("- ") else ""
        names = line[len(prefix) :].split("; ")
        for k, name in enumerate(names):
            yield prefix if k == 0 else "", name, ";" if k < len(names) - 1 else ""


def label_text(label: str, width: int) -> str:
    """A header label (bold) in a column `width` twips wide, cut between its pairs of
    syllables ("Đơn vị | chủ trì", "Sản phẩm/Kết quả | dự kiến"), never inside one."""
    room = usable_em(width)
    return "\n".join(glue(line, room, bold=True) for line in label.split("\n"))


def cell_text(text: str, key: str, width: int) -> str:
    """Body names in a lead/support cell `width` twips wide kept together, name by name."""
    if key not in NAME_KEYS or not text:
        return text
    room = usable_em(width)
    out = []
    for line in text.split("\n"):
        prefix = "-" + NBSP if line.startswith("- ") else ""
        names = line[len(prefix) :].split("; ")
        last = len(names) - 1
        glued = (
            glue(n, room - (em(prefix) if k == 0 else 0), ";" if k < last else "")
            for k, n in enumerate(names)
        )
        out.append(prefix + "; ".join(glued))
    return "\n".join(out)


# --------------------------------------------------------------------------- widths


def catalog_widths(appendix: Appendix, text_width: int) -> list[int]:
    """The catalog's percent widths of the text width, rounding given to the task column."""
    total = sum(c.width for c in appendix.columns)
    widths = [int(text_width * c.width / total) for c in appendix.columns]
    keys = [c.key for c in appendix.columns]
    widths[keys.index("task") if "task" in keys else 0] += text_width - sum(widths)
    return widths


def _need(name: str, tail: str) -> int:
    """The width (twips) of a lead/support column whose line holds `name` and `tail`."""
    return math.ceil((em(name + tail) + measure.EPS / 2) * SIZE * 20) + 2 * CELL_MARGIN + 2


def _fixed_widths(
    appendix: Appendix, base: list[int], rows: list[dict[str, str]], texts: list[int]
) -> list[int]:
    """`base` with STT and deadline widened, when their catalog widths are too narrow, to
    hold the longest word of their header (bold) and of their cells, and a deadline of one
    or two words ("Thường xuyên") on one line; the text columns give the width."""
    out = list(base)
    extra = 0
    for i, column in enumerate(appendix.columns):
        if column.key not in FIXED_KEYS:
            continue
        words = [em(word, True) for word in column.label.split()]
        for cells in rows:
            text = cells.get(column.key, "") if column.key != "stt" else ""
            words += [em(word) for word in text.split()]
            if column.key == "deadline" and 0 < len(text.split()) <= 2:
                words.append(em(text))
        least = math.ceil((max(words, default=0) + measure.EPS / 2) * SIZE * 20) + 2 * CELL_MARGIN
        if least > out[i]:
            extra += least - out[i]
            out[i] = least
    if extra:
        weight = sum(base[i] for i in texts)
        for n, i in enumerate(texts):
            share = extra if n == len(texts) - 1 else round(extra * base[i] / weight)
            out[i] -= share
            extra -= share
    return out


@lru_cache(maxsize=4096)
def _least(name: str, tail: str, prefix: int) -> int:
    """The narrowest column (twips) that keeps the head of `name` with its next word."""
    words = name.split(" ")
    must, _ = _gaps(words, strict=False) if len(words) > 1 else ([], [])
    pieces, piece = [], [words[0]]
    for word, glued in zip(words[1:], must, strict=True):
        if glued:
            piece.append(word)
        else:
            pieces.append(" ".join(piece))
            piece = [word]
    pieces.append(" ".join(piece) + tail)
    pieces[0] = "- " * bool(prefix) + pieces[0]
    return max(_need(p, "") for p in pieces)


@lru_cache(maxsize=4096)
def _good(name: str, tail: str, prefix: int) -> int:
    """The narrowest column (twips) that cuts `name` only where a clerk would (after a
    comma, before "và", between pairs): the widest piece of the best such cut."""
    words = name.split(" ")
    if len(words) < 2:
        return _need(name, tail)
    must, cost = _gaps(words)
    first = "- " * bool(prefix)
    # widest[b]: the narrowest widest piece of words[:b] cut only at good places
    widest: list[int | None] = [0] + [None] * len(words)
    for b in range(1, len(words) + 1):
        for a in range(b):
            if widest[a] is None or (a and (must[a - 1] or cost[a - 1] > PAIR)):
                continue
            piece = (first if a == 0 else "") + " ".join(words[a:b])
            width = max(widest[a], _need(piece, tail if b == len(words) else ""))
            if widest[b] is None or width < widest[b]:
                widest[b] = width
    return widest[-1] or _need(name, tail)


class _Fit:
    """The text of one appendix, measured once for every choice of widths tried."""

    def __init__(
        self,
        keys: list[str],
        rows: list[dict[str, str]],
        base: list[int],
        names: list[int],
        texts: list[int],
    ) -> None:
        self.keys, self.rows, self.base = keys, rows, base
        self.names = names  # indexes of the lead/support columns
        self.texts = texts  # indexes of the columns that give or take width
        self.seen: dict = {}  # (column, width) -> what `column` measured

    def widths(self, chosen: dict[int, int]) -> list[int] | None:
        """All widths with the name columns at `chosen`; None when a text column would be
        narrower than TEXT_FLOOR of its catalog width."""
        out = list(self.base)
        spare = sum(self.base[i] - chosen[i] for i in self.names)
        weight = sum(self.base[i] for i in self.texts)
        for i in self.names:
            out[i] = chosen[i]
        given = 0
        for n, i in enumerate(self.texts):
            last = n == len(self.texts) - 1
            share = spare - given if last else round(spare * self.base[i] / weight)
            out[i] = self.base[i] + share
            given += share
            if out[i] < TEXT_FLOOR * self.base[i]:
                return None
        return out

    def column(self, i: int, width: int) -> tuple[tuple[int, ...], float]:
        """(the lines of each row's cell, how badly names break) in column i at `width`."""
        key = (i, width)
        if key not in self.seen:
            texts = [cells.get(self.keys[i], "") for cells in self.rows]
            if i in self.names:
                measured = [_name_cell(t, width) if t else (1, 0) for t in texts]
                self.seen[key] = tuple(m[0] for m in measured), sum(m[1] for m in measured)
            else:
                room = usable_em(width)
                self.seen[key] = tuple(sum(measure.text_lines(t, room)) for t in texts), 0
        return self.seen[key]

    def cost(self, widths: list[int], texts_at: list[int] | None = None) -> float:
        """The table's height in lines, plus BROKEN_NAME for each unit of broken names; with
        `texts_at`, the text columns measured at those (wider) widths: a lower bound."""
        at = texts_at or widths
        columns = [
            self.column(i, at[i] if i in self.texts else w)
            for i, w in enumerate(widths)
            if self.keys[i] != "stt"
        ]
        height = sum(map(max, zip(*(c[0] for c in columns), strict=True)))
        return height + BROKEN_NAME * sum(c[1] for c in columns)


@lru_cache(maxsize=4096)
def _name_cell(text: str, width: int) -> tuple[int, float]:
    """(lines, how badly its names break) of a lead/support cell `width` twips wide."""
    room = usable_em(width)
    bad = sum(cut(name, room - em(prefix), tail)[1] for prefix, name, tail in parts(text))
    lines = sum(measure.text_lines(cell_text(text, NAME_KEYS[0], width), room))
    return lines, bad


def fitted_widths(appendix: Appendix, text_width: int) -> list[int]:
    """The column widths for this appendix's text (the module's docstring), in twips; the
    same columns and cells give the same widths, kept in plangen's cache (core/cache.py)."""
    columns = [(c.key, c.label, c.width) for c in appendix.columns]
    cells = [(r.is_section, tuple(r.cells.items())) for r in appendix.rows]
    return cache.remembered(
        "widths",
        repr((text_width, columns, cells)),
        lambda: _fit(appendix, text_width),
        cache.sources(*CODE),
        lambda kept: _ints(kept, len(columns)),
    )


def _ints(value, count: int) -> bool:
    return isinstance(value, list) and len(value) == count and all(type(v) is int for v in value)


def _fit(appendix: Appendix, text_width: int) -> list[int]:
    base = catalog_widths(appendix, text_width)
    keys = [c.key for c in appendix.columns]
    names = [i for i, k in enumerate(keys) if k in NAME_KEYS]
    texts = [i for i, k in enumerate(keys) if k not in NAME_KEYS and k not in FIXED_KEYS]
    rows = [dict(r.cells) for r in appendix.rows if not r.is_section]
    if not texts or not rows:
        return base
    base = _fixed_widths(appendix, base, rows, texts)
    if not names:
        return base
    fit = _Fit(keys, rows, base, names, texts)
    options = {}
    for i in names:
        low, high = round(base[i] * SHRINK), round(base[i] * GROW)
        found = [part for cells in rows for part in parts(cells.get(keys[i], ""))]
        # never so narrow that a head leaves its name ("Trung tâm | QLCK")
        least = max((_least(name, tail, len(prefix)) for prefix, name, tail in found), default=0)
        low = max(low, min(least, high))
        needs = {_need(name, tail) for _, name, tail in found}
        needs |= {_good(name, tail, len(prefix)) for prefix, name, tail in found}
        needs = sorted(n for n in needs if low < n <= high)
        kept: list[int] = []
        for width in sorted({low, max(base[i], low), *needs}):
            if kept and width - kept[-1] < STEP:  # closer than STEP: one choice, the wider
                kept[-1] = width
            else:
                kept.append(width)
        options[i] = kept
    # each name column in turn, the others as chosen so far, from the catalog's widths
    # (widened where a head needs it); of equal costs the one nearer the catalog's wins
    chosen = {i: max(base[i], options[i][0]) for i in names}
    start = dict(chosen)
    first = fit.widths(start)
    best = None if first is None else ((fit.cost(first), 0), first)
    for _ in range(PASSES):
        for i in names:
            for width in options[i]:
                widths = fit.widths({**chosen, i: width})
                if widths is None or widths == (best and best[1]):
                    continue
                # narrower text columns than the start's take at least its lines: a choice
                # that cannot win is not measured
                if first and best and all(widths[k] <= first[k] for k in texts):
                    if fit.cost(widths, first) > best[0][0]:
                        continue
                far = sum(abs(widths[k] - start[k]) for k in names)
                score = fit.cost(widths), far
                if best is None or score < best[0]:
                    best = score, widths
            if best is not None:
                chosen = {k: best[1][k] for k in names}
    if best is None:
        return base
    return best[1]
