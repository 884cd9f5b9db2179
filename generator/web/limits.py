"""Bounds on the server's costly work: how many password checks, tracker reads and PDF
conversions run at once, how many wait, and how many wrong passwords an address or an
account may try.

Plain threading primitives: the waits happen in worker threads (never in the event loop),
and what would wait past a queue's length is refused at once, so a flood of requests
cannot pile up threads, memory (each scrypt check takes 16 MB) or LibreOffice processes.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager


class Busy(Exception):
    """Every slot is taken and the queue is full (or the wait ran out)."""


class Slots:
    """At most `size` holders at once and at most `queue` more waiting, each up to `wait`
    seconds; anyone beyond is refused (`Busy`)."""

    def __init__(self, size: int, queue: int = 0, wait: float = 0.0) -> None:
        self.size = max(1, size)
        self.queue = max(0, queue)
        self.wait = wait
        self._cond = threading.Condition(threading.Lock())
        self.busy = 0
        self.waiting = 0

    def acquire(self) -> bool:
        with self._cond:
            if self.busy < self.size:
                self.busy += 1
                return True
            if self.waiting >= self.queue or self.wait <= 0:
                return False
            self.waiting += 1
            try:
                if self._cond.wait_for(lambda: self.busy < self.size, self.wait):
                    self.busy += 1
                    return True
                return False
            finally:
                self.waiting -= 1

    def release(self) -> None:
        with self._cond:
            self.busy -= 1
            self._cond.notify()

    @contextmanager
    def hold(self):
        """A slot for the block; `Busy` when none is free in time (call in a worker thread:
        it may wait)."""
        if not self.acquire():
            raise Busy
        try:
            yield
        finally:
            self.release()


class LoginLimits:
    """Wrong passwords per address and per account name in a sliding window, and sign-ins in
    progress per address.

    An attempt is counted when it starts, before the password is checked, under the lock:
    guesses sent at once cannot all pass the count before the first failure is recorded. A
    sign-in that succeeds takes its attempt back. Entries that fall out of the window are
    dropped, so the table only holds the failures of the last window.
    """

    def __init__(
        self,
        per_address: int,
        per_account: int,
        window: float,
        in_progress: int,
        sweep_every: float = 60.0,
    ) -> None:
        self.per_address = per_address
        self.per_account = per_account
        self.window = window
        self.in_progress = in_progress
        self.sweep_every = sweep_every
        self._lock = threading.Lock()
        self.failures: dict[tuple[str, str], list[float]] = {}
        self.running: dict[str, int] = {}
        self._swept = time.monotonic()

    def _recent(self, key: tuple[str, str], now: float) -> int:
        times = [t for t in self.failures.get(key, ()) if now - t < self.window]
        if times:
            self.failures[key] = times
        else:
            self.failures.pop(key, None)
        return len(times)

    def _sweep(self, now: float) -> None:
        if now - self._swept < self.sweep_every:
            return
        self._swept = now
        for key in list(self.failures):
            self._recent(key, now)

    def begin(self, address: str, name: str) -> tuple[str | None, float]:
        """(why the attempt is refused, or None; the attempt's time, for `end`)."""
        address_key, account_key = ("address", address), ("account", name[:100])
        with self._lock:
            now = time.monotonic()
            self._sweep(now)
            if self.running.get(address, 0) >= self.in_progress:
                return "in-progress", now
            if self._recent(address_key, now) >= self.per_address:
                return "address", now
            if self._recent(account_key, now) >= self.per_account:
                return "account", now
            self.failures.setdefault(address_key, []).append(now)
            self.failures.setdefault(account_key, []).append(now)
            self.running[address] = self.running.get(address, 0) + 1
            return None, now

    def end(self, address: str, name: str, started: float, failed: bool) -> None:
        """The attempt begun at `started` is over; `failed`: it stays counted."""
        with self._lock:
            left = self.running.get(address, 1) - 1
            if left > 0:
                self.running[address] = left
            else:
                self.running.pop(address, None)
            if failed:
                return
            for key in (("address", address), ("account", name[:100])):
                times = self.failures.get(key)
                if times and started in times:
                    times.remove(started)
                if not times:
                    self.failures.pop(key, None)
