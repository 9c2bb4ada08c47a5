"""MeterValues: normalised readings stored through the group committer, linked to their transaction (the
writer, :class:`csms.db.session_writes.MeterWriter`, lets the session model decide its register window)."""

from __future__ import annotations

from csms.db.batching import GroupCommitter
from csms.db.session_writes import MeterWriter
from csms.domain.metering import MeterReport

__all__ = ["MeterReport", "MeterService"]


class MeterService:
    def __init__(self, committer: GroupCommitter) -> None:
        self._committer = committer
        self.writer = MeterWriter()

    async def write(self, report: MeterReport) -> None:
        """Store ``report``; returns once it is committed (the station is answered after that)."""
        await self._committer.submit(self.writer, report)
