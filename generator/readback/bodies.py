"""Body names in a lead or support cell, matched to the importing unit's known bodies.

The names a cell may hold are the importing unit's own: the bodies its kind and profile
give every role, `{{ unit.short }}` filled in for that unit. A cell is scanned from the
left: at each position the longest known name that matches (ignoring case, NFC, runs of
white space, the dash, old or new tone placement, a final ".") is taken, then a note in
brackets or a running-text note; separators are ";", ",", line breaks and "- " bullets.
Matching known names before splitting keeps "Sở Văn hóa, Thể thao và Du lịch" whole.
Which role a known body becomes is decided elsewhere (roles.py).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from generator.core.text import nfc
from generator.model.fields import ROLE_REF

# New-style tone marks (hoà, khoẻ, thuỷ) compare equal to the old style (hòa, khỏe, thủy).
_TONES = ("\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
_NEW_TO_OLD = {
    unicodedata.normalize("NFC", a + b + t): unicodedata.normalize("NFC", a + t) + b
    for a, b in (("o", "a"), ("o", "e"), ("u", "y"))
    for t in _TONES
}
_NEW_TONE = re.compile("|".join(_NEW_TO_OLD))
_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-"})
_BULLET = re.compile(r"^[-–+•*]\s+")


def match_key(text: str) -> str:
    """A comparison form of `text` with the same length: lower case, one dash, old-style tone
    marks. (Positions in the key are positions in the text.)"""
    lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return _NEW_TONE.sub(lambda m: _NEW_TO_OLD[m.group()], lowered.translate(_DASHES))


def name_key(name: str) -> str:
    return match_key(" ".join(nfc(name).split()).rstrip(". "))


@dataclass
class Mention:
    """One body named in a lead/support cell."""

    text: str  # as written in the cell, note included
    key: str | None  # match key of the known body; None when the unit does not know it
    note: str | None = None  # "(tham mưu kinh phí)" or running text ("chủ trì tổng hợp")
    # an unknown name that opens with a known one ("Sở Nội vụ tỉnh"): that body's match key,
    # whose role the catalog uses for the other units
    base: str | None = None


class Bodies:
    """The importing unit's bodies: every role's bodies, placeholders filled in; and the other
    names issued documents give them (the kinds' `aliases`), matched like a body but not one
    of the role's bodies (a role with one body stays a role with one body)."""

    def __init__(
        self,
        roles: dict[str, list[str]],
        order: list[str],
        aliases: dict[str, list[str]] | None = None,
    ) -> None:
        self.order = {r: i for i, r in enumerate(order)}
        self.roles: dict[str, list[str]] = {}  # role -> body keys
        self.by_key: dict[str, list[str]] = {}  # body (or alias) key -> roles
        self.display: dict[str, str] = {}
        self.aliases: set[str] = set()  # keys that are other names, not bodies
        for role in sorted(roles, key=lambda r: self.order.get(r, len(order))):
            keys = []
            for body in roles[role]:
                key = name_key(body)
                if not key:
                    continue
                keys.append(key)
                self.display.setdefault(key, body)
                if role not in self.by_key.setdefault(key, []):
                    self.by_key[key].append(role)
            self.roles[role] = keys
        for role, names in (aliases or {}).items():
            if not self.roles.get(role):
                continue  # no body here: another name of nothing
            for name in names:
                key = name_key(name)
                if not key or (key in self.by_key and key not in self.aliases):
                    continue  # a body's own name is that body's
                if role not in self.by_key.setdefault(key, []):
                    self.by_key[key].append(role)  # another name of two roles' body: a tie
                self.display.setdefault(key, name)
                self.aliases.add(key)
        self.longest_first = sorted(self.by_key, key=lambda k: (-len(k), k))
        self._by_start: dict[str, list[str]] = {}  # first character -> names, longest first
        for name in self.longest_first:
            self._by_start.setdefault(name[0], []).append(name)

    def match_at(self, key: str, pos: int) -> tuple[str, int] | None:
        for name in self._by_start.get(key[pos : pos + 1], ()):
            end = pos + len(name)
            if key.startswith(name, pos) and (end == len(key) or not key[end].isalnum()):
                return name, end
        return None

    def nearest(self, text: str) -> list[str]:
        names = {self.display[k].lower(): self.display[k] for k in self.display}
        close = difflib.get_close_matches(text.lower(), list(names), n=3, cutoff=0.5)
        return [names[c] for c in close]


def _normalise_cell(text: str) -> str:
    lines = []
    for line in nfc(text).split("\n"):
        line = _BULLET.sub("", " ".join(line.split()))
        if line:
            lines.append(line)
    return "\n".join(lines)


def _closing(text: str, start: int) -> int:
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _segment_end(text: str, pos: int) -> int:
    """The next ";", "," or line break at bracket depth 0 (or the end)."""
    depth = 0
    for i in range(pos, len(text)):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")" and depth:
            depth -= 1
        elif depth == 0 and c in ";,\n":
            return i
    return len(text)


def split_bodies(raw: str, bodies: Bodies) -> tuple[list[Mention], list[str]]:
    """The bodies named in a cell, known names matched longest first (so "Sở Văn hóa, Thể
    thao và Du lịch" is one body), separators ";", ",", line breaks and "- " bullets; also
    what was read loosely ("và" between two known bodies)."""
    text = _normalise_cell(raw)
    key = match_key(text)
    n = len(text)
    out: list[Mention] = []
    remarks: list[str] = []
    pos = 0
    last_sep = ""
    while pos < n:
        while pos < n and text[pos] in ";,\n .":
            if text[pos] in ";,\n":
                last_sep = text[pos]
            pos += 1
        if pos >= n:
            break
        hit = bodies.match_at(key, pos)
        if hit:
            name, end = hit
            note = None
            p = end
            while p < n and text[p] == " ":
                p += 1
            if p < n and text[p] == "(":
                close = _closing(text, p)
                inner = text[p + 1 : close].strip() if close != -1 else ""
                if inner and "(" not in inner and ")" not in inner:
                    note = f"({' '.join(inner.split())})"
                    end = p = close + 1
            while p < n and text[p] in " .":
                p += 1
            seg_end = _segment_end(text, p)
            trailing = text[p:seg_end].strip().rstrip(". ").strip()
            if trailing and filler(trailing):  # "Sở Nội vụ -": the dash says nothing
                out.append(Mention(text[pos:end].strip(), name, note))
                pos, last_sep = seg_end, ""
                continue
            if trailing:
                after_va = p + 3 if key.startswith("và ", p) else -1
                if after_va > 0 and bodies.match_at(key, after_va):
                    out.append(Mention(text[pos:end].strip(), name, note))
                    remarks.append(f'"và" giữa hai cơ quan được đọc như dấu ";" ({trailing})')
                    pos, last_sep = after_va, ";"
                    continue
                if note is None and running_note(trailing):
                    out.append(Mention(text[pos:seg_end].strip().rstrip(". "), name, trailing))
                    pos, last_sep = seg_end, ""
                    continue
                _add_unknown(out, text[pos:seg_end], last_sep, base=name)
                pos, last_sep = seg_end, ""
                continue
            out.append(Mention(text[pos:end].strip(), name, note))
            pos, last_sep = max(p, end), ""
            continue
        seg_end = _segment_end(text, pos)
        _add_unknown(out, text[pos:seg_end], last_sep)
        pos, last_sep = seg_end, ""
    return [m for m in out if m.text], remarks


# Words that name a level or a place: after a body's name they make a different body ("Sở Nội
# vụ tỉnh", "Sở Tài chính tỉnh Lạng Sơn"), not a note every unit may print after its own body.
LEVEL_WORDS = (
    "tỉnh", "thành phố", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường", "đặc khu",
    "trung ương", "cấp", "thôn", "tổ dân phố",
)  # fmt: skip
_LEVEL_RE = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(w) for w in LEVEL_WORDS) + r")(?!\w)", re.IGNORECASE
)
_NOT_LEVEL = re.compile(r"(?<!\w)(?:xã hội|hợp tác xã|cấp kinh phí|cấp phép)(?!\w)", re.I)
_JOINING = ("và", "cùng", "với", "hoặc", "hay", "các", "những")
FILLER_CELL = re.compile(r"^[\s.;,]*(?:[-–—/…]+|[xX]|\.\.\.)?[\s.;,]*$")


def running_note(trailing: str) -> bool:
    """Whether the words after a known body's name read as a note any unit may print after
    its own body ("tham mưu kinh phí"): lower case, no proper name or acronym, no level or
    place word, not another body joined by "và"/"cùng" …"""
    if not trailing or not trailing[0].islower() or not ROLE_REF.match(f"x {trailing}"):
        return False
    if any(c.isupper() for c in trailing):
        return False
    if trailing.split()[0] in _JOINING:
        return False
    return not _LEVEL_RE.search(_NOT_LEVEL.sub(" ", trailing))


def filler(text: str) -> bool:
    """A cell (or part of one) holding only "-", "x", "/", "…": nothing, not a body."""
    return bool(FILLER_CELL.match(text))


def _add_unknown(out: list[Mention], segment: str, sep: str, base: str | None = None) -> None:
    """An unknown name; ", tail" starting in lower case continues the unknown name before
    it ("Sở Văn hóa, thể thao" of a unit that does not know it stays one name)."""
    segment = " ".join(segment.split()).rstrip(". ").strip()
    if not segment or filler(segment):
        return
    if sep == "," and out and out[-1].key is None and segment[0].islower():
        out[-1].text = f"{out[-1].text}, {segment}"
        return
    out.append(Mention(segment, None, base=base))
