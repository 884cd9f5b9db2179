"""Vietnamese text helpers: NFC, slugs, dates, section codes, suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from generator.core.errors import UserError, Where

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


def unknown(
    message: str,
    name: str,
    choices: Iterable[str],
    where: Where | None = None,
    listed: str | None = None,
    tail: str = "",
    shown: Iterable[str] | None = None,
) -> UserError:
    """The one "unknown name" error: `message`, a did-you-mean among `choices`, then (with
    `listed`, the words before the list, such as "có") the choices or those `shown`, and
    `tail`."""
    choices = list(choices)
    text = message + did_you_mean(name, choices)
    if listed is not None:
        text += f"; {listed}: " + ", ".join(sorted(choices if shown is None else shown))
    return UserError(text + tail, where)


SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


MAX_SLUG = 80  # its output files add ~40 characters; a file name holds 255 bytes


def check_slug(slug: str) -> str:
    """A unit id is a file name: lower-case ASCII letters, digits and "-", not too long."""
    if not SLUG.fullmatch(slug):
        raise UserError(
            f'tên đơn vị "{slug}" không hợp lệ: chỉ dùng chữ thường không dấu, '
            'số và "-" (ví dụ dinh-lap), không dùng "/" hay ".."'
        )
    if len(slug) > MAX_SLUG:
        raise UserError(
            f"mã đơn vị dài {len(slug)} ký tự, tối đa {MAX_SLUG} (tên các tệp kết quả bắt đầu "
            "bằng mã này): chọn mã ngắn hơn, ví dụ --slug bqlda"
        )
    return slug
