"""The value types every input model is made of, and the immutable base model.

Every model is frozen, its lists tuples and its mappings `FrozenDict`s: a loaded file is
shared (by a batch's units, by the web server's threads) and nobody may change it under
another reader. Text is NFC, stripped, and refused when it holds a character a DOCX cannot
carry. Dates are parsed once, here, into `PlanDate`. Field descriptions are in Vietnamese:
they become the JSON Schema an editor shows the person who writes these files.
"""

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from generator.core.dates import PlanDate
from generator.core.frozen import FrozenDict
from generator.core.text import illegal_char, nfc

ID_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
ROLE_PATTERN = r"^[a-z][a-z0-9_]*$"
# "finance" | "finance (tham mưu kinh phí)" (a note in brackets) | "home_affairs tham mưu UBND
# tỉnh" (a note written as running text after the body's name).
ROLE_REF = re.compile(
    r"^(?P<role>[a-z][a-z0-9_]*)(?:\s*\((?P<note>[^()]+)\)|\s+(?P<text>[^\s(].*))?$"
)


class Strict(BaseModel):
    """Unknown keys are errors (a misspelt key is never silently ignored); frozen."""

    model_config = ConfigDict(extra="forbid", validate_default=False, frozen=True, defer_build=True)


def _clean(value: str) -> str:
    value = nfc(value).strip()
    bad = illegal_char(value)
    if bad:
        raise ValueError(f"chứa ký tự điều khiển {bad} không được phép trong DOCX")
    return value


def _text(value: str) -> str:
    value = _clean(value)
    if not value:
        raise ValueError("không được để trống")
    return value


def _name(value: str) -> str:
    if "{{" in value or "{%" in value or "}}" in value:
        raise ValueError("là một tên, không được chứa {{ … }} hay {% … %}")
    return value


def _role_ref(value: str) -> str:
    if not ROLE_REF.match(value):
        raise ValueError(
            f'"{value}" không phải tên vai trò (chữ thường, số, "_"; có thể kèm ghi chú '
            'trong ngoặc, ví dụ "finance (tham mưu kinh phí)", hoặc viết liền sau, ví dụ '
            '"home_affairs tham mưu UBND tỉnh")'
        )
    return value


Text = Annotated[str, AfterValidator(_text)]
OptionalText = Annotated[str, AfterValidator(_clean)]  # may be empty (document fields)
# A value other text is filled with ({{ unit.name }}): never a template itself.
Name = Annotated[str, AfterValidator(_text), AfterValidator(_name)]
Id = Annotated[str, Field(pattern=ID_PATTERN)]
KindId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
RoleKey = Annotated[str, Field(pattern=ROLE_PATTERN)]
RoleRef = Annotated[str, AfterValidator(_role_ref)]
ColumnKey = Literal["stt", "task", "lead", "support", "deadline", "product", "note"]
BodyLayout = Literal["inline", "lines"]
Numeral = Literal["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def Map(key: Any, value: Any) -> Any:  # noqa: N802 - a type, written like one
    """A mapping field: validated as a dict, kept as a FrozenDict."""
    return Annotated[dict[key, value], AfterValidator(FrozenDict)]


def split_role_ref(ref: str) -> tuple[str, str | None]:
    """'finance (tham mưu kinh phí)' -> ('finance', '(tham mưu kinh phí)');
    'home_affairs tham mưu UBND tỉnh' -> ('home_affairs', 'tham mưu UBND tỉnh'): the note as
    it follows the body's name."""
    m = ROLE_REF.match(ref)
    assert m, ref
    if m.group("note"):
        return m.group("role"), f"({m.group('note').strip()})"
    return m.group("role"), m.group("text")


def _date(value: object) -> PlanDate:
    return PlanDate.parse(value)


def _full(value: PlanDate) -> PlanDate:
    if value.day is None:
        raise ValueError(f'ngày "{value.iso()}" phải đủ ngày, tháng, năm (YYYY-MM-DD)')
    return value


def _plan_number(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(r"[0-9]{1,9}", text):
        raise ValueError(f'số kế hoạch "{text}" phải là số (chữ số 0-9)')
    return text


# "235" (an int in YAML is read as its digits); None while the văn thư has not assigned it.
PlanNumber = Annotated[
    str | int | None,
    BeforeValidator(_plan_number),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}),
]

_DATE_SCHEMA = {"type": "string", "pattern": r"^\d{4}-\d{1,2}(-\d{1,2})?$"}
_FULL_SCHEMA = {"type": "string", "pattern": r"^\d{4}-\d{1,2}-\d{1,2}$"}

# "2026-07-06", or "2026-07" while the day is not assigned: parsed once, into a PlanDate.
DateField = Annotated[
    PlanDate,
    BeforeValidator(_date),
    PlainSerializer(PlanDate.iso, return_type=str),
    WithJsonSchema(_DATE_SCHEMA),
]
FullDate = Annotated[
    PlanDate,
    BeforeValidator(_date),
    AfterValidator(_full),
    PlainSerializer(PlanDate.iso, return_type=str),
    WithJsonSchema(_FULL_SCHEMA),
]
