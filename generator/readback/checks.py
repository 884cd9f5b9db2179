"""What only a person can decide, found in the source table and the edition: slips in the
source's numbering (plangen numbers by position anyway), tasks numbered on across sections
(the catalog's `numbering: continuous`, not a slip), and other catalogs of the same edition
that every unit's plan would hold beside the new one."""

from __future__ import annotations

from generator.core.text import roman, roman_value
from generator.model.catalog import Catalog
from generator.readback.draft import CatalogOut
from generator.readback.source import Row, is_roman


def continuous(rows: list[Row]) -> bool:
    """Whether the tasks are numbered 1, 2, … over the whole table, across two or more
    sections (some plans do), rather than from 1 in each section."""
    numbers: list[int] = []
    sections_with_tasks = 0
    fresh = True
    for row in rows:
        if row.kind == "section":
            fresh = True
            continue
        if not row.code.isdigit():
            return False
        if fresh:
            sections_with_tasks += 1
            fresh = False
        numbers.append(int(row.code))
    return sections_with_tasks > 1 and numbers == list(range(1, len(numbers) + 1))


def numbering_notes(rows: list[Row], running: bool = False) -> list[str]:
    """Section codes and task numbers out of order (with `running`, task numbers counted
    over the whole table)."""
    out: list[str] = []
    letters = 0
    romans = 0
    number = 0
    for row in rows:
        if row.kind == "section":
            if not running:
                number = 0
            if not row.code:
                continue
            if is_roman(row.code):
                want = roman(romans + 1)
                romans = roman_value(row.code)
            else:
                want = chr(ord("A") + letters)
                letters, romans = ord(row.code) - ord("A") + 1, 0
            if row.code != want:
                out.append(
                    f'{row.where}: mục "{row.code}" (theo thứ tự phải là "{want}"): plangen '
                    "tự đánh lại mã mục theo vị trí"
                )
            continue
        number += 1
        if row.code.isdigit() and int(row.code) != number:
            out.append(
                f"{row.where}: STT {row.code} (theo thứ tự phải là {number}): plangen tự "
                "đánh số lại"
            )
            number = int(row.code)
    return out


def duplicate_catalogs(others: list[Catalog], catalog: CatalogOut) -> list[str]:
    """The edition's other catalogs (`others`) against the new one: an unnumbered appendix
    beside numbered ones (or the other way round), and the same appendix and index twice."""
    out: list[str] = []
    others = sorted(others, key=lambda m: m.id)
    same_year = [m for m in others if m.year == catalog.year]
    numbered = [m for m in same_year if m.appendix]
    unnumbered = [m for m in same_year if not m.appendix]
    if not catalog.appendix and numbered:
        out.append(
            'phụ lục không đánh số ("PHỤ LỤC") cùng năm với '
            + ", ".join(f"Phụ lục {m.appendix} ({m.id})" for m in numbered)
            + ': Kế hoạch của mỗi đơn vị sẽ kèm cả các phụ lục đó và gọi phụ lục này là "Phụ '
            'lục"; ghi appendix (số La Mã) vào catalog nếu nó đi cùng các phụ lục kia'
        )
    elif catalog.appendix and unnumbered:
        out.append(
            f"Phụ lục {catalog.appendix} cùng năm với phụ lục không đánh số "
            + ", ".join(f'"{m.id}"' for m in unnumbered)
            + ": Kế hoạch của mỗi đơn vị sẽ kèm cả hai; ghi appendix (số La Mã) cho catalog "
            "kia nếu chúng đi cùng nhau"
        )
    for m in others:
        if m.year == catalog.year and m.appendix == catalog.appendix and m.index == catalog.index:
            label = f"Phụ lục {m.appendix}" if m.appendix else "PHỤ LỤC"
            out.append(
                f'catalog "{m.id}" cũng là {label} ({m.index}) năm {m.year}: mỗi đơn vị sẽ '
                "có cả hai phụ lục; chuyển catalog cũ ra khỏi thư mục nếu đây là bản thay thế"
            )
    return out
