"""Vietnamese text helpers: NFC, slugs, dates, section codes, suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

# Characters XML 1.0 forbids (a DOCX holding one will not open in Word).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def illegal_char(text: str) -> str | None:
    """The first character of `text` that XML cannot hold, as ``U+XXXX``, or None."""
    m = _XML_ILLEGAL.search(text)
    return f"U+{ord(m.group()):04X}" if m else None


def slugify(name: str) -> str:
    """Fold a Vietnamese name to a file-name slug: 'Xã Lộc Bình' -> 'xa-loc-binh'."""
    text = nfc(name).replace("Đ", "D").replace("đ", "d")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def capitalize_first(text: str) -> str:
    """Upper-case a leading letter only: 'các cơ quan' -> 'Các cơ quan', '100% kết quả' stays."""
    return text[:1].upper() + text[1:]


def day2(day: int) -> str:
    return f"{day:02d}"


def month_vn(month: int) -> str:
    """Months 1 and 2 take a leading zero, 3-12 do not (Nghị định 30)."""
    return f"{month:02d}" if month in (1, 2) else str(month)


ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


def roman(n: int) -> str:
    out = []
    for value, sym in ROMAN:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def roman_value(numeral: str) -> int:
    """'IV' -> 4 (for ordering appendices)."""
    values = dict((sym, v) for v, sym in ROMAN if len(sym) == 1)
    total = 0
    for i, ch in enumerate(numeral):
        v = values[ch]
        total += -v if i + 1 < len(numeral) and values[numeral[i + 1]] > v else v
    return total


def letter(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (có phải ý bạn là "x"?)' when a close choice exists, else ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f' (có phải ý bạn là "{close[0]}"?)' if close else ""
