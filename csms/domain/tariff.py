"""Time-of-use (分时电价) tariffs: which period a moment falls in, and what energy costs.

Pure: the only I/O is reading the shipped default tariff from ``csms/domain/data``.

A tariff is an ordered list of rules ``(period, start, end, months)`` in local wall-clock time
(China Standard Time, UTC+8, no daylight saving). The first rule that matches wins, so seasonal
"sharp" (尖峰) rules are listed before the all-year rules they carve out of. Every minute of every
month must be covered by some rule; this is checked when the tariff is built.

Examples
--------
>>> from datetime import datetime, UTC
>>> t = hunan_default_tariff()
>>> t.period_at(datetime(2026, 3, 2, 4, 30, tzinfo=UTC))   # 12:30 in Changsha
'valley'
>>> t.period_at(datetime(2026, 1, 5, 11, 0, tzinfo=UTC))   # 19:00 in January
'sharp'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from csms.errors import InvalidInput

__all__ = [
    "TariffError",
    "TouRule",
    "TouTariff",
    "EnergyInterval",
    "CostBreakdown",
    "cost",
    "tariff_from_dict",
    "hunan_default_tariff",
]

_DAY_S = 86_400
MAX_RULES = 200
"""Most rules (and priced periods) a tariff may have: its coverage check is quadratic in them."""
_ALL_MONTHS = frozenset(range(1, 13))


class TariffError(InvalidInput, ValueError):
    """A tariff definition or an energy interval is invalid; the message names the key or row."""


def _require_aware(t: datetime, what: str) -> None:
    if t.tzinfo is None or t.utcoffset() is None:
        raise TariffError(f"{what} must be a timezone-aware datetime, got naive {t.isoformat()}")


@dataclass(frozen=True)
class TouRule:
    """One time-of-use window in local time.

    ``start_s``/``end_s`` are seconds after local midnight ``[0, 86400]``, end exclusive;
    ``end_s`` may be 86400 for "until midnight". A window may not wrap past midnight: write
    23:00-07:00 as two rules (23:00-24:00 and 00:00-07:00).
    """

    period: str
    start_s: int
    end_s: int
    months: frozenset[int] = _ALL_MONTHS

    def __post_init__(self) -> None:
        if not 0 <= self.start_s < self.end_s <= _DAY_S:
            raise TariffError(
                f"rule {self.period!r}: need 0 <= start < end <= 24:00, got {self.start_s}s-{self.end_s}s"
            )
        if not self.months or not self.months <= _ALL_MONTHS:
            raise TariffError(f"rule {self.period!r}: months must be a non-empty subset of 1..12")

    def matches(self, month: int, second_of_day: float) -> bool:
        return month in self.months and self.start_s <= second_of_day < self.end_s


@dataclass(frozen=True)
class TouTariff:
    """A time-of-use tariff.

    Attributes
    ----------
    prices_cny_per_kwh : period name -> price [CNY/kWh]
    rules : ordered rules; first match wins
    peak_periods : periods in which deferrable charging is held back (peak, sharp)
    valley_periods : periods in which the site battery may charge from the grid
    utc_offset_hours : local offset used to read the rules (China: +8, no DST)
    """

    name: str
    prices_cny_per_kwh: Mapping[str, float]
    rules: tuple[TouRule, ...]
    peak_periods: frozenset[str] = frozenset({"sharp", "peak"})
    valley_periods: frozenset[str] = frozenset({"valley"})
    utc_offset_hours: float = 8.0
    currency: str = "CNY"
    source: Mapping[str, Any] = field(default_factory=dict)
    verified: bool = False
    service_fee_per_kwh: float = 0.0
    """A flat service fee (服务费) per kWh on top of the energy price, in ``currency`` (0: none)."""

    def __post_init__(self) -> None:
        if not self.rules:
            raise TariffError(f"tariff {self.name!r}: no rules")
        if len(self.rules) > MAX_RULES or len(self.prices_cny_per_kwh) > MAX_RULES:
            raise TariffError(f"tariff {self.name!r}: at most {MAX_RULES} rules and periods")
        if not -14 <= self.utc_offset_hours <= 14:
            raise TariffError(f"tariff {self.name!r}: utc_offset_hours must be within -14..14")
        if not (len(self.currency) == 3 and self.currency.isascii() and self.currency.isupper()):
            raise TariffError(f"tariff {self.name!r}: currency must be an ISO 4217 code such as CNY")
        for i, rule in enumerate(self.rules):
            if rule.period not in self.prices_cny_per_kwh:
                raise TariffError(f"tariff {self.name!r}: rules[{i}] period {rule.period!r} has no price")
        for name, price in self.prices_cny_per_kwh.items():
            if not 0 <= price < float("inf"):
                raise TariffError(
                    f"tariff {self.name!r}: prices_cny_per_kwh[{name!r}] must be >= 0, got {price}"
                )
        if not 0 <= self.service_fee_per_kwh < float("inf"):
            raise TariffError(f"tariff {self.name!r}: service_fee_cny_per_kwh must be >= 0")
        boundaries = sorted({0, _DAY_S, *(r.start_s for r in self.rules), *(r.end_s for r in self.rules)})
        object.__setattr__(self, "_boundaries", tuple(boundaries))
        # Coverage: the period is constant between consecutive boundaries, so testing each
        # segment's midpoint for every month proves that every minute of the year is priced.
        for month in range(1, 13):
            for lo, hi in zip(boundaries, boundaries[1:], strict=False):
                if self._match(month, (lo + hi) / 2) is None:
                    raise TariffError(
                        f"tariff {self.name!r}: month {month} {_hhmm(lo)}-{_hhmm(hi)} "
                        "is not covered by any rule"
                    )

    # -- lookup ---------------------------------------------------------------------------
    def _match(self, month: int, second_of_day: float) -> str | None:
        for rule in self.rules:
            if rule.matches(month, second_of_day):
                return rule.period
        return None

    def _local(self, t: datetime) -> tuple[int, float, datetime]:
        _require_aware(t, "time")
        # Fixed offset on purpose: China has no daylight saving, and no tz database is needed.
        local = t.astimezone(UTC).replace(tzinfo=None) + timedelta(hours=self.utc_offset_hours)
        sod = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return local.month, sod, local

    def period_at(self, t: datetime) -> str:
        """Name of the period in force at aware time ``t``."""
        month, sod, _ = self._local(t)
        period = self._match(month, sod)
        assert period is not None  # coverage was proven in __post_init__
        return period

    def price_at(self, t: datetime) -> float:
        """Energy price at ``t`` [CNY/kWh]."""
        return self.prices_cny_per_kwh[self.period_at(t)]

    def is_peak(self, t: datetime) -> bool:
        return self.period_at(t) in self.peak_periods

    def segments(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime, str]]:
        """Split ``[start, end)`` into consecutive pieces of constant period."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        out: list[tuple[datetime, datetime, str]] = []
        t = start
        while t < end:
            period = self.period_at(t)
            seg_end = min(end, self.next_change(t))
            if out and out[-1][2] == period and out[-1][1] == t:
                out[-1] = (out[-1][0], seg_end, period)
            else:
                out.append((t, seg_end, period))
            t = seg_end
        return out

    def next_change(self, t: datetime) -> datetime:
        """The first instant after ``t`` at which the period may change (a rule boundary)."""
        _, sod, _ = self._local(t)
        boundaries: tuple[int, ...] = self._boundaries  # type: ignore[attr-defined]
        nxt = next(b for b in boundaries if b > sod)
        return t + timedelta(seconds=nxt - sod)

    def hours_by_period(self, start: datetime, end: datetime) -> dict[str, float]:
        """Hours of ``[start, end)`` spent in each period."""
        hours: dict[str, float] = {}
        for a, b, p in self.segments(start, end):
            hours[p] = hours.get(p, 0.0) + (b - a).total_seconds() / 3600
        return hours

    def off_peak_hours(self, start: datetime, end: datetime) -> float:
        """Hours of ``[start, end)`` outside the peak periods (flat and valley)."""
        if end <= start:
            return 0.0
        return sum(h for p, h in self.hours_by_period(start, end).items() if p not in self.peak_periods)


def _hhmm(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}"


def _parse_hhmm(text: object, where: str) -> int:
    """``"HH:MM"`` -> seconds since midnight; anything else is a :class:`TariffError` naming ``where``."""
    try:
        hh, mm = str(text).split(":") if isinstance(text, str) else ("", "")
        value = int(hh) * 3600 + int(mm) * 60
    except (ValueError, AttributeError) as exc:
        raise TariffError(f"{where}: expected 'HH:MM', got {text!r}") from exc
    if not 0 <= value <= _DAY_S or not 0 <= int(mm) < 60:
        raise TariffError(f"{where}: time {text!r} out of range 00:00..24:00")
    return value


def tariff_from_dict(data: Mapping[str, Any]) -> TouTariff:
    """Build a tariff from a JSON-like mapping (the shape of ``data/tariff_hunan.json``).

    Bad input raises :class:`TariffError` naming the key, e.g. ``rules[2].start``.
    """
    try:
        prices = {str(k): float(v) for k, v in dict(data["prices_cny_per_kwh"]).items()}
        raw_rules = list(data["rules"])
    except KeyError as exc:
        raise TariffError(f"tariff: missing key {exc.args[0]!r}") from exc
    except (TypeError, ValueError) as exc:
        raise TariffError(f"tariff: prices_cny_per_kwh must map period -> number ({exc})") from exc
    rules = []
    for i, raw in enumerate(raw_rules):
        where = f"rules[{i}]"
        if not isinstance(raw, Mapping) or "period" not in raw:
            raise TariffError(f"{where}: need an object with period, start, end")
        months = raw.get("months")
        try:
            month_set = _ALL_MONTHS if months is None else frozenset(int(m) for m in months)
        except (TypeError, ValueError) as exc:
            raise TariffError(f"{where}.months: expected a list of month numbers") from exc
        rules.append(
            TouRule(
                period=str(raw["period"]),
                start_s=_parse_hhmm(raw.get("start"), f"{where}.start"),
                end_s=_parse_hhmm(raw.get("end"), f"{where}.end"),
                months=month_set,
            )
        )
    return TouTariff(
        name=str(data.get("name", "tariff")),
        prices_cny_per_kwh=prices,
        rules=tuple(rules),
        peak_periods=frozenset(data.get("peak_periods", ("sharp", "peak"))),
        valley_periods=frozenset(data.get("valley_periods", ("valley",))),
        utc_offset_hours=_number(data.get("utc_offset_hours", 8.0), "utc_offset_hours"),
        currency=str(data.get("currency", "CNY")),
        source=dict(data.get("source", {})),
        verified=bool(data.get("verified", False)),
        service_fee_per_kwh=_number(data.get("service_fee_cny_per_kwh", 0.0), "service_fee_cny_per_kwh"),
    )


def _number(value: object, where: str) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise TariffError(f"{where}: expected a number, got {value!r}") from exc


def hunan_default_tariff() -> TouTariff:
    """The shipped default: Hunan commercial TOU periods (see ``data/tariff_hunan.json``).

    The file's ``source`` block says where the periods come from and what is unverified.
    """
    text = resources.files("csms.domain.data").joinpath("tariff_hunan.json").read_text(encoding="utf-8")
    return tariff_from_dict(json.loads(text))


@dataclass(frozen=True)
class EnergyInterval:
    """Energy ``energy_wh`` [Wh] drawn uniformly over ``[start, end)``."""

    start: datetime
    end: datetime
    energy_wh: float


@dataclass(frozen=True)
class CostBreakdown:
    """Result of :func:`cost`: total [CNY] and energy [Wh] / cost [CNY] per period."""

    total_cny: float
    energy_wh_by_period: Mapping[str, float]
    cost_cny_by_period: Mapping[str, float]


def cost(tariff: TouTariff, intervals: Iterable[EnergyInterval] | Sequence[EnergyInterval]) -> CostBreakdown:
    """Cost of energy by interval under ``tariff``.

    An interval that straddles a period boundary is split in proportion to time, i.e. the
    energy is assumed to be drawn at constant power inside the interval.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> t = hunan_default_tariff()
    >>> # 11:00-13:00 Changsha time in March: one hour flat (0.5949), one hour valley (0.2588)
    >>> iv = EnergyInterval(datetime(2026, 3, 2, 3, tzinfo=UTC), datetime(2026, 3, 2, 5, tzinfo=UTC), 20_000)
    >>> c = cost(t, [iv])
    >>> round(c.total_cny, 3)
    8.537
    """
    energy: dict[str, float] = {}
    money: dict[str, float] = {}
    for row, iv in enumerate(intervals):
        if iv.end <= iv.start:
            raise TariffError(f"intervals[{row}]: end must be after start")
        if iv.energy_wh < 0:
            raise TariffError(f"intervals[{row}]: energy_wh must be >= 0, got {iv.energy_wh}")
        span_s = (iv.end - iv.start).total_seconds()
        for a, b, period in tariff.segments(iv.start, iv.end):
            wh = iv.energy_wh * (b - a).total_seconds() / span_s
            energy[period] = energy.get(period, 0.0) + wh
            money[period] = money.get(period, 0.0) + wh / 1000 * tariff.prices_cny_per_kwh[period]
    return CostBreakdown(total_cny=sum(money.values()), energy_wh_by_period=energy, cost_cny_by_period=money)
