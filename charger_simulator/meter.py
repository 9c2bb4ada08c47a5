"""Metering physics: power, current, voltage and SoC that agree with each other.

Pure functions. AC: ``power_w = voltage_v * current_a * phases`` (unity power factor, phase-to-neutral
voltage). DC: the link voltage follows the EV battery's state of charge, ``power_w = voltage_v *
current_a``. EVs taper their acceptance above 80 % SoC, as real DC sessions do.
"""

from __future__ import annotations

from dataclasses import dataclass

AC_PHASE_VOLTAGE_V = 230.0
DC_VOLTAGE_EMPTY_V = 350.0
DC_VOLTAGE_FULL_V = 420.0
TAPER_START_SOC_PCT = 80.0


@dataclass(frozen=True)
class MeterReading:
    """One consistent sample of a connector's meter.

    ``energy_wh`` is the import register [Wh], ``power_w`` [W], ``current_a`` per phase [A],
    ``voltage_v`` [V], ``soc_pct`` [%] (DC only, else None).
    """

    energy_wh: float
    power_w: float
    current_a: float
    voltage_v: float
    soc_pct: float | None


def dc_voltage_v(soc_pct: float) -> float:
    """DC link voltage [V] for a battery at ``soc_pct`` (linear between empty and full)."""
    return DC_VOLTAGE_EMPTY_V + (DC_VOLTAGE_FULL_V - DC_VOLTAGE_EMPTY_V) * soc_pct / 100.0


def ev_acceptance_w(ev_max_power_w: float, soc_pct: float | None) -> float:
    """Power [W] the EV accepts: full up to 80 % SoC, then linear down to 0 at 100 %."""
    if soc_pct is None or soc_pct <= TAPER_START_SOC_PCT:
        return ev_max_power_w
    return max(0.0, ev_max_power_w * (100.0 - soc_pct) / (100.0 - TAPER_START_SOC_PCT))


def reading(energy_wh: float, power_w: float, dc: bool, phases: int, soc_pct: float | None) -> MeterReading:
    """Build a reading whose current and voltage are derived from ``power_w`` [W]."""
    if dc:
        # Round the voltage first so the reported current times the reported voltage is the power.
        voltage_v = round(dc_voltage_v(soc_pct if soc_pct is not None else 50.0), 1)
        current_a = power_w / voltage_v
    else:
        voltage_v = AC_PHASE_VOLTAGE_V
        current_a = power_w / (voltage_v * phases)
    return MeterReading(
        energy_wh=round(energy_wh, 1),
        power_w=round(power_w, 1),
        current_a=round(current_a, 2),
        voltage_v=round(voltage_v, 1),
        soc_pct=None if not dc or soc_pct is None else round(soc_pct, 1),
    )


def sampled_values(r: MeterReading) -> list[dict]:
    """The reading as version-neutral sampled values (measurand, value, unit)."""
    values = [
        {"measurand": "Energy.Active.Import.Register", "value": r.energy_wh, "unit": "Wh"},
        {"measurand": "Power.Active.Import", "value": r.power_w, "unit": "W"},
        {"measurand": "Current.Import", "value": r.current_a, "unit": "A"},
        {"measurand": "Voltage", "value": r.voltage_v, "unit": "V"},
    ]
    if r.soc_pct is not None:
        values.append({"measurand": "SoC", "value": r.soc_pct, "unit": "Percent"})
    return values
