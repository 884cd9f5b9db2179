"""The roll-up's charts as inline SVG, drawn by the server: no script, no external asset, a
title and a text alternative for a screen reader, the figures written beside the bars.

`area_chart`: one horizontal bar per area (section of the appendices), split by state, as
shares of the area's tasks over every unit that submitted. `late_chart`: one bar per unit,
its late tasks."""

from __future__ import annotations

from generator.cycle.rollup import Rollup, late_by_unit
from generator.cycle.rollupxlsx import COLOURS
from generator.cycle.snapshot import CLASS_LABELS, CLASSES
from generator.render.ooxml import escape

WIDTH = 760
LABEL = 260  # the room for the labels left of the bars
BAR, GAP = 18, 8
FONT = 'font-family="Times New Roman, serif" font-size="13"'


def _svg(height: int, title: str, desc: str, body: str, ident: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{ident}" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def _label(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend(y: int) -> tuple[list[str], int]:
    """The states' colours, on as many lines as they need; (parts, the y below them)."""
    parts, x = [], LABEL
    for klass in CLASSES:
        label = CLASS_LABELS[klass]
        width = 22 + round(6.6 * len(label))
        if x + width > WIDTH:
            x, y = LABEL, y + 18
        parts.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLOURS[klass]}"/>'
            f'<text x="{x + 16}" y="{y + 11}" {FONT}>{escape(label)}</text>'
        )
        x += width
    return parts, y + 26


def area_chart(rollup: Rollup) -> str:
    """Progress by area, as shares of each area's tasks over the units."""
    rows = [(a, code, title, c) for a, code, title, c in rollup.areas if sum(c.values())]
    parts, top = _legend(8)
    height = top + len(rows) * (BAR + GAP) + 10
    span = WIDTH - LABEL - 50
    described = []
    for n, (appendix, code, title, counts) in enumerate(rows):
        y = top + n * (BAR + GAP)
        total = sum(counts.values())
        name = f"{appendix.replace('Phụ lục ', 'PL ')} {code} {title.capitalize()}"
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + 13}" text-anchor="end" {FONT}>'
            f"<title>{escape(name)}</title>{escape(_label(name))}</text>"
        )
        x = LABEL
        for klass in CLASSES:
            k = counts[klass]
            if not k:
                continue
            w = span * k / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" '
                f'fill="{COLOURS[klass]}"><title>{escape(CLASS_LABELS[klass])}: {k}/{total}'
                "</title></rect>"
            )
            x += w
        done = counts["done"]
        parts.append(
            f'<text x="{LABEL + span + 4}" y="{y + 13}" {FONT}>{done * 100 // total}%</text>'
        )
        described.append(f"{name}: {done}/{total} hoàn thành, {counts['late']} chậm")
    title = "Tiến độ theo lĩnh vực (mọi đơn vị đã nộp tệp theo dõi)"
    return _svg(
        height, title, "; ".join(described) or "chưa có số liệu", "".join(parts), "chart-areas"
    )


def late_chart(rollup: Rollup) -> str:
    """Late tasks by unit, most first."""
    rows = late_by_unit(rollup)
    most = max([late for _, late in rows] + [1])
    height = 10 + len(rows) * (BAR + GAP) + 10
    span = WIDTH - LABEL - 50
    parts = []
    for n, (name, late) in enumerate(rows):
        y = 10 + n * (BAR + GAP)
        w = span * late / most
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + 13}" text-anchor="end" {FONT}>'
            f"{escape(_label(name))}</text>"
            f'<rect x="{LABEL}" y="{y}" width="{w:.1f}" height="{BAR}" '
            f'fill="{COLOURS["late"]}"/>'
            f'<text x="{LABEL + w + 4:.1f}" y="{y + 13}" {FONT}>{late}</text>'
        )
    desc = "; ".join(f"{name}: {late}" for name, late in rows) or "chưa có đơn vị nào nộp"
    return _svg(height, "Nhiệm vụ chậm tiến độ theo đơn vị", desc, "".join(parts), "chart-late")
