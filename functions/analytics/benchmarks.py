"""The report's benchmarks and recommendation thresholds: a YAML file, validated by pydantic."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from functions.core.settings import get_settings

PACKAGED = Path(__file__).with_name("benchmarks.yaml")
Metric = Literal["cancellation_rate", "auto_approval_share", "approval_p50_hours", "approval_p90_hours",
                 "heard_back_p90_hours", "retention_rate", "satisfaction_mean"]


class Target(BaseModel):
    """Met when the value is at least `min` or at most `max` (exactly one of them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Target:
        if (self.min is None) == (self.max is None):
            raise ValueError("give exactly one of min or max")
        return self

    def met(self, value: float | None) -> bool | None:
        if value is None:
            return None
        return value >= self.min if self.min is not None else value <= self.max


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    schedule_conflict_share: float = Field(0.30, gt=0, le=1)
    job_mismatch_share: float = Field(0.15, gt=0, le=1)
    hot_spot_ratio: float = Field(1.5, gt=1)
    min_requests: int = Field(5, ge=1)


class Benchmarks(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    metrics: dict[Metric, Target]
    recommendations: Thresholds = Thresholds()


def parse(text: str) -> Benchmarks:
    return Benchmarks.model_validate(yaml.safe_load(text) or {})


@lru_cache(maxsize=4)
def load(path: str | None = None) -> Benchmarks:
    chosen = Path(path or get_settings().report_benchmarks or PACKAGED)
    return parse(chosen.read_text(encoding="utf-8"))
