"""Ids of the imported sections and tasks, derived from their text so that they read like
the shipped ones: the first words of the slug, at most ID_WORDS words and ID_BASE_MAX
characters; texts that open alike are told apart by the words after what they share; an id
another catalog of the province already uses gets the year, then "-2", "-3" (a unit's
`tasks:` and `omit` name ids without their catalog, in every year of the unit). The same
table in the same workspace always gives the same ids."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from generator.core.text import slugify
from generator.model.catalog import Catalog
from generator.readback.draft import CatalogOut

ID_MAX = 40
ID_BASE_MAX = 32  # room for "-2026" and "-2" after it
ID_WORDS = 6
ID_STOP_WORDS = {"ve", "va", "cua", "cho", "cac", "tai", "trong", "voi", "de", "o", "nhung"}


def taken_ids(catalogs: Iterable[Catalog]) -> set[str]:
    """The section and task ids `catalogs` use."""
    taken: set[str] = set()
    for cat in catalogs:
        for section, _ in cat.iter_sections():
            taken.add(section.id)
            taken.update(t.id for t in section.tasks)
    return taken


def _words(text: str) -> list[str]:
    """The words of `text`'s slug (a slug is made letter by letter, so word by word, and
    the words of a table repeat: each is folded once)."""
    return [p for w in text.split() for p in _slug_words(w) if p]


@functools.lru_cache(maxsize=65536)
def _slug_words(word: str) -> tuple[str, ...]:
    return tuple(slugify(word).split("-"))


def _first_words(words: list[str]) -> str:
    out: list[str] = []
    for w in words[:ID_WORDS]:
        if len("-".join([*out, w])) > ID_BASE_MAX:
            break
        out.append(w)
    return "-".join(out) if out else (words[0][:ID_BASE_MAX] if words else "")


def _distinct(texts: list[str], fallback: str) -> list[str]:
    """Slugs of the first words; texts that open alike ("Nâng cao chất lượng tổ chức thực
    hiện chính sách …") are told apart by the words after what the group shares."""
    words = [_words(t) or [fallback] for t in texts]
    out = [_first_words(w) for w in words]
    for _ in range(4):  # each round looks further into texts that still collide
        groups: dict[str, list[int]] = {}
        for i, ident in enumerate(out):
            groups.setdefault(ident, []).append(i)
        clashes = [g for g in groups.values() if len(g) > 1]
        if not clashes:
            break
        for group in clashes:
            shared = 0
            first = words[group[0]]
            while shared < len(first) and all(
                shared < len(words[i]) and words[i][shared] == first[shared] for i in group
            ):
                shared += 1
            for i in group:
                rest = words[i][shared:]
                while len(rest) > 1 and rest[0] in ID_STOP_WORDS:
                    rest = rest[1:]
                if rest and not any(c.isalpha() for c in "".join(rest[:ID_WORDS])):
                    rest = words[i][:3] + rest  # "lan-2" alone says nothing: keep the opening
                if rest:
                    words[i] = rest
                    out[i] = _first_words(rest)
    return out


def assign_ids(catalog: CatalogOut, taken: set[str], year: int) -> None:
    sections = list(catalog.all_sections())
    tasks = [t for s in sections for t in s.tasks]
    used: set[str] = set()

    def claim(candidate: str) -> str:
        ident = candidate
        if ident in taken:
            ident = f"{candidate}-{year}"
        n = 2
        stem = ident
        while ident in taken or ident in used:
            ident = f"{stem}-{n}"
            n += 1
        used.add(ident)
        return ident[:ID_MAX]

    for s, ident in zip(sections, _distinct([s.title for s in sections], "muc"), strict=True):
        s.id = claim(ident)
    for t, ident in zip(tasks, _distinct([t.text for t in tasks], "nhiem-vu"), strict=True):
        t.id = claim(ident)
