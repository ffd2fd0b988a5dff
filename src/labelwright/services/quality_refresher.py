"""The server's background refresher of the quality aggregates: a daemon thread that counts
the changes writers marked (`quality_aggregates.catch_up_all`) every few seconds, so the
backlog stays small even when nobody opens the quality dashboard. `labelwright start` runs it
in a process of its own; an app built otherwise (tests, embedding) runs it in a thread.
Concurrent refreshers skip the projects another one is counting."""

from __future__ import annotations

import logging
import threading

from labelwright.services import quality_aggregates
from labelwright.services.context import Platform

__all__ = ["QualityRefresher", "start_quality_refresher"]

log = logging.getLogger(__name__)


class QualityRefresher:
    """Runs `catch_up_all` every `every` seconds in a daemon thread until `stop`."""

    def __init__(self, platform: Platform, *, every: float) -> None:
        self.platform = platform
        self.every = every
        self.batch = (
            quality_aggregates.REFRESH_BATCH
            if platform.db.is_sqlite
            else quality_aggregates.REFRESH_BATCH_POSTGRESQL
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="labelwright-quality-refresher", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, timeout: float = 30.0) -> None:
        """Ask the thread to stop (it finishes its current batch) and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run_once(self) -> int:
        """One pass; returns the number of tasks and annotations counted."""
        with self.platform.db.session() as session:
            return quality_aggregates.catch_up_all(
                session, batch=self.batch, should_stop=self._stop.is_set
            )

    def _run(self) -> None:
        full = self.batch * quality_aggregates.MAX_BATCHES_PER_PASS
        wait = self.every
        while not self._stop.wait(wait):
            try:
                counted = self.run_once()
            except Exception:  # keep refreshing after a transient database error
                log.exception("Background refresh of the quality aggregates failed")
                counted = 0
            # A large backlog (a bulk import) is worked off pass after pass.
            wait = 0.0 if counted >= full else self.every


def start_quality_refresher(platform: Platform, *, every: float) -> QualityRefresher | None:
    """Start the background refresher (None when `every` is 0: disabled)."""
    if every <= 0:
        return None
    refresher = QualityRefresher(platform, every=every)
    refresher.start()
    return refresher
