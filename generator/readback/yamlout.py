"""The imported catalog written as YAML, through ruamel.yaml, in the style of the shipped
catalogs: a header comment, block style, roles and omits as flow lists, columns as flow
mappings, long text folded (`>-`) at LINE_WIDTH columns, text with line breaks kept (`|-`),
a `# TODO` comment above each field to revisit, a blank line between tasks.

plangen reads catalogs with PyYAML (YAML 1.1), which takes "yes", "on" or "1:20" for
something else than text: ruamel.yaml is told to decide its quoting by YAML 1.1's rules
(without writing a %YAML directive), and the caller loads the text back as plangen does
and compares it with the data before anything is written.
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import RoundTripEmitter
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from generator.core.dates import short
from generator.readback.draft import CatalogOut, SectionOut, TaskOut

LINE_WIDTH = 92
INDENT = 2  # of a mapping; a list item's "- " stands INDENT further in, its keys 2 more


class _Yaml11(VersionedResolver):
    """Quoting decided by YAML 1.1, the version plangen's loader (PyYAML) reads."""

    @property
    def processing_version(self):
        return (1, 1)


class _Emitter(RoundTripEmitter):
    """ruamel.yaml's emitter, each distinct scalar analysed once (a catalog of thousands of
    tasks repeats its keys, roles and deadlines tens of thousands of times)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._analysed: dict = {}

    def analyze_scalar(self, scalar):
        key = (type(scalar), scalar)
        found = self._analysed.get(key)
        if found is None:
            found = self._analysed[key] = super().analyze_scalar(scalar)
        return found


def _yaml() -> YAML:
    yaml = YAML()
    yaml.Resolver = _Yaml11
    yaml.Emitter = _Emitter
    yaml.indent(mapping=INDENT, sequence=2 * INDENT, offset=INDENT)
    yaml.width = 4096  # folding is decided here (fold positions), never by the emitter
    yaml.allow_unicode = True
    yaml.representer.ignore_aliases = lambda data: True
    return yaml


def dump(data) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def flow(items) -> CommentedSeq | CommentedMap:
    """A list, or a mapping, written on one line: [a, b], {key: stt, label: STT}."""
    out = CommentedMap(items) if isinstance(items, dict) else CommentedSeq(items)
    out.fa.set_flow_style()
    return out


def flow_line(key: str, value) -> str:
    """`key: value` as one line of YAML, every list and mapping in `value` in flow style."""

    def styled(v):
        if isinstance(v, dict):
            return flow({k: styled(x) for k, x in v.items()})
        if isinstance(v, list | tuple):
            return flow([styled(x) for x in v])
        return v

    return dump(CommentedMap([(key, styled(value))])).rstrip("\n")


def overrides_yaml(overrides: dict[str, dict[str, list[str]]]) -> list[str]:
    """The `tasks:` block of a unit profile that keeps literal body names for the unit."""
    tasks = CommentedMap()
    for task_id, cells in overrides.items():
        tasks[task_id] = CommentedMap((key, flow(names)) for key, names in cells.items())
    return dump(CommentedMap([("tasks", tasks)])).rstrip("\n").split("\n")


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    """Comment text wrapped; white space of any kind (a line separator too) becomes a space,
    anything else a YAML comment cannot hold "?"."""
    text = "".join(" " if c.isspace() else c if c.isprintable() else "?" for c in text)
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest,
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip


def _clean(line: str) -> bool:
    """A line a block scalar holds as it is: printable, no tab, no double or edge space."""
    return (
        bool(line)
        and line == line.strip()
        and "  " not in line
        and line.isprintable()
        and "\ufeff" not in line
    )


def text(value: str, key: str, indent: int):
    """A string value of `key` (at column `indent`) as the catalogs write it: lines kept
    (`|-`) for clean text with line breaks; as it is when `key: value` fits the line (plain,
    or quoted where YAML needs it); folded (`>-`) when long and clean; else quoted."""
    lines = value.split("\n")
    if len(lines) > 1:
        return LiteralScalarString(value) if all(_clean(x) for x in lines) else value
    head = indent + len(key) + 2
    if head + len(value) + 2 <= LINE_WIDTH or not _clean(value):
        return value
    folded = FoldedScalarString(value)
    folded.fold_pos = _folds(value, LINE_WIDTH - indent - INDENT)
    return folded


def _folds(value: str, width: int) -> list[int]:
    """Where a clean one-line text breaks to fit `width` columns: the positions of the
    spaces that become line breaks, each line as full as it can be (a word longer than
    the width stands on a line of its own)."""
    folds: list[int] = []
    start = 0  # where the current line starts
    last = -1  # the last space of the current line seen so far
    at = value.find(" ")
    while at != -1:
        if at - start > width and last > start:
            folds.append(last)
            start = last + 1
        last = at
        at = value.find(" ", at + 1)
    if len(value) - start > width and last > start:
        folds.append(last)
    return folds


def _comment(mapping: CommentedMap, key: str, notes: list[str], indent: int) -> None:
    lines: list[str] = []
    for note in notes:
        lines += wrap(note, LINE_WIDTH - indent - 4, "", "  ")  # "# " and 2 spare, as the header
    if lines:
        mapping.yaml_set_comment_before_after_key(key, before="\n".join(lines), indent=indent)


def _task(t: TaskOut, indent: int) -> CommentedMap:
    out = CommentedMap()
    out["id"] = t.id
    out["text"] = text(t.text, "text", indent)
    for key in ("lead", "support"):
        out[key] = flow(getattr(t, key))
        _comment(out, key, t.notes.get(key, []), indent)
    out["deadline"] = text(t.deadline, "deadline", indent)
    out["product"] = text(t.product, "product", indent)
    if t.note:
        out["note"] = text(t.note, "note", indent)
    if t.omit:
        out["omit"] = flow(t.omit)
        _comment(out, "omit", t.notes.get("omit", []), indent)
    return out


def _section(s: SectionOut, indent: int) -> CommentedMap:
    """A section whose keys stand at column `indent`; its lists' items 2 * INDENT in."""
    out = CommentedMap()
    out["id"] = s.id
    out["title"] = text(s.title, "title", indent)
    _comment(out, "title", s.notes.get("title", []), indent)
    if s.omit:
        out["omit"] = flow(s.omit)
        _comment(out, "omit", s.notes.get("omit", []), indent)
    inner = indent + 2 * INDENT
    if s.tasks:
        out["tasks"] = tasks = CommentedSeq(_task(t, inner) for t in s.tasks)
        for i in range(1, len(tasks)):  # a blank line between tasks
            tasks.yaml_set_comment_before_after_key(i, before="\n", indent=inner)
    if s.sections:
        out["sections"] = CommentedSeq(_section(x, inner) for x in s.sections)
    return out


def catalog_yaml(catalog: CatalogOut, header: list[str]) -> str:
    """The catalog as YAML, `header` (lines of text) as its opening comment."""
    data = catalog.data()
    root = CommentedMap()
    for key in ("id", "appendix", "index", "year", "title", "bodies", "numbering"):
        if key in data:
            value = data[key]
            root[key] = text(value, key, 0) if isinstance(value, str) else value
    root["columns"] = CommentedSeq(flow(dict(c)) for c in catalog.columns)
    root["sections"] = sections = CommentedSeq(_section(s, 2 * INDENT) for s in catalog.sections)
    root.yaml_set_comment_before_after_key("sections", before="\n")
    for i in range(1, len(sections)):  # a blank line between the top sections
        sections.yaml_set_comment_before_after_key(i, before="\n", indent=INDENT)
    if header:
        root.yaml_set_start_comment("\n".join(f"# {h}".rstrip() for h in header))
    return dump(root)


def stamp(when: dt.date) -> str:
    """The header's date line, on a line of its own: a fresh import of the same documents
    differs from a file written earlier only there."""
    return f"Ngày nhập: {short(when)}."


def header(
    catalog: CatalogOut, source: str, unit_name: str, slug: str, when: dt.date,
    schema: str | None,
) -> list[str]:  # fmt: skip
    """The catalog's opening comment: where it comes from and how to read it (with `schema`,
    the line that gives editors the catalog's JSON Schema, for a file in catalogs/); the date
    of the import on a line of its own."""
    what = f"Phụ lục {catalog.appendix}" if catalog.appendix else "Phụ lục"
    lines = [schema, ""] if schema else []
    lines += wrap(
        f'{what} - Chỉ số {catalog.index} năm {catalog.year}: nhập từ bảng của tệp "{source}" '
        f'bằng lệnh plangen import, cơ quan đọc theo hồ sơ đơn vị "{slug}" ({unit_name}).',
        LINE_WIDTH - 2,
    )
    lines += ["", stamp(when), ""]
    for item in (
        "Số thứ tự và mã mục (A, B / I, II, …) do plangen tự đánh theo vị trí.",
        '"lead" (chủ trì) và "support" (phối hợp) ghi tên vai trò (roles.yaml): cơ quan cụ thể '
        "lấy theo loại đơn vị và hồ sơ đơn vị.",
        'Dòng "# TODO" đánh dấu chỗ cần xem lại bằng tay; xóa dòng đó khi đã sửa.',
    ):
        lines += wrap(item, LINE_WIDTH - 2, "- ", "  ")
    return lines
