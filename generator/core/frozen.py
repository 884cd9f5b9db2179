"""An immutable dict: what a cache hands out must not change under another reader.

Loaded files are kept in memory and shared (by the web server's threads, by a batch's
units), and the resolved tables are plain values; a `FrozenDict` is a dict for every reader
(pydantic serialises it, `json` writes it, pickling keeps it frozen) but refuses every
change.
"""

from __future__ import annotations

from typing import Any, NoReturn


class FrozenDict(dict):
    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("FrozenDict không thay đổi được (dữ liệu dùng chung)")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self):
        return (FrozenDict, (dict(self),))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


def freeze(value: Any) -> Any:
    """`value` with every dict a FrozenDict and every list a tuple, all the way down."""
    if isinstance(value, dict):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(v) for v in value)
    return value
