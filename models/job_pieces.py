"""The solves a fanned-out background analysis hands to the job engine's workers.

A frontier point, a robustness sample or one run of a batch is a *piece*: one row per
solve, written by the job that fans out (``queued``), claimed by whichever worker
gets to it first with one conditional UPDATE (``running``, ``claimed_at``), and
settled with its outcome (``done``, ``failed`` or ``cancelled``). The row is how the
job learns of results solved on other workers (or other machines); the pieces of a
job are deleted once the job has folded their outcomes into its own results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

PIECE_STATUSES = ("queued", "running", "done", "failed", "cancelled")
SETTLED_PIECE_STATUSES = ("done", "failed", "cancelled")


class JobPiece(Base):
    """One solve of a scenario job, as queued, claimed and settled by the workers."""

    __tablename__ = "job_pieces"
    __table_args__ = (
        UniqueConstraint("job_id", "batch", "position"),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in PIECE_STATUSES) + ")", name="status"
        ),
        CheckConstraint("batch >= 0 AND position >= 0", name="order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_jobs.id", ondelete="CASCADE"), index=True
    )
    batch: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
