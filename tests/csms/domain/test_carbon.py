"""Carbon accounting: a sample day reproduced by hand, factors with sources, credits and exports."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from csms.domain.carbon import (
    CarbonInputError,
    GridEmissionFactor,
    PetrolBaseline,
    SiteEnergyInterval,
    account_sessions,
    credits_by_id_token,
    load_grid_emission_factor,
    load_petrol_baseline,
    split_green_grid,
    to_csv,
    to_json,
)

DAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 in Changsha


def hour(h: int) -> tuple[datetime, datetime]:
    return DAY + timedelta(hours=h), DAY + timedelta(hours=h + 1)


def sample_day() -> list[SiteEnergyInterval]:
    """Four hourly intervals of one site; sessions A and C belong to token T1, B to token T2."""
    return [
        # 08-09: PV 10 kWh, base 4 kWh, A 6 kWh + C 2 kWh
        SiteEnergyInterval(*hour(0), pv_wh=10_000, base_load_wh=4_000, session_wh={"A": 6_000, "C": 2_000}),
        # 09-10: PV 20 kWh, base 5 kWh, A 10 kWh + B 10 kWh
        SiteEnergyInterval(*hour(1), pv_wh=20_000, base_load_wh=5_000, session_wh={"A": 10_000, "B": 10_000}),
        # 12-13: PV 30 kWh, base 5 kWh, B 10 kWh, battery charges 10 kWh
        SiteEnergyInterval(
            *hour(4), pv_wh=30_000, base_load_wh=5_000, session_wh={"B": 10_000}, battery_charge_wh=10_000
        ),
        # 18-19: no PV, base 6 kWh, B 14 kWh, battery discharges 10 kWh
        SiteEnergyInterval(
            *hour(10), pv_wh=0, base_load_wh=6_000, session_wh={"B": 14_000}, battery_discharge_wh=10_000
        ),
    ]


def test_shipped_factor_is_mee_2023_national_average_with_source() -> None:
    f = load_grid_emission_factor()
    assert f.kg_co2_per_kwh == 0.5306
    assert f.data_year == 2023
    assert "公告2025年第47号" in f.document
    assert f.publisher.startswith("生态环境部")
    assert f.url.startswith("https://www.mee.gov.cn/")
    assert load_grid_emission_factor("CN_NATIONAL_2022").kg_co2_per_kwh == 0.5366
    with pytest.raises(CarbonInputError, match="unknown grid emission factor 'XX'"):
        load_grid_emission_factor("XX")


def test_shipped_petrol_baseline() -> None:
    b = load_petrol_baseline()
    assert (b.petrol_l_per_100km, b.petrol_kg_co2_per_l, b.ev_kwh_per_100km) == (7.0, 2.26, 15.0)


def test_sample_day_split_by_hand() -> None:
    s = split_green_grid(sample_day())
    # 08-09: PV 10 -> base 4 first, 6 left for charging 8 (A 6, C 2): green share 6/8 = 0.75
    #        A green 4.5 grid 1.5; C green 1.5 grid 0.5
    # 09-10: PV 20 -> base 5, 15 left for charging 20 (A 10, B 10): share 0.75
    #        A green 7.5 grid 2.5; B green 7.5 grid 2.5
    # 12-13: PV 30 -> base 5, charging 10 (B all green), battery 10 (green pool 10/10), export 5
    # 18-19: no PV; battery 10 kWh serves residual base 6 and charging 14 pro rata:
    #        to charging 10 * 14/20 = 7, pool 100 % green -> B green 7 grid 7
    # A: 16 kWh = green 4.5 + 7.5 = 12, grid 4
    # B: 34 kWh = green 7.5 + 10 + 7 = 24.5, grid 9.5
    # C: 2 kWh = green 1.5, grid 0.5
    assert (s["A"].energy_wh, s["A"].green_wh, s["A"].grid_wh) == pytest.approx((16_000, 12_000, 4_000))
    assert (s["B"].energy_wh, s["B"].green_wh, s["B"].grid_wh) == pytest.approx((34_000, 24_500, 9_500))
    assert (s["C"].energy_wh, s["C"].green_wh, s["C"].grid_wh) == pytest.approx((2_000, 1_500, 500))
    assert s["B"].green_share_pct == pytest.approx(100 * 24.5 / 34)


def test_sample_day_emissions_avoided_and_credits_by_hand() -> None:
    factor = load_grid_emission_factor()  # 0.5306 kg/kWh
    baseline = PetrolBaseline(7.0, 2.26, 15.0)
    res = {
        r.session_id: r
        for r in account_sessions(sample_day(), {"A": "T1", "B": "T2", "C": "T1"}, factor, baseline)
    }
    # emissions = grid kWh * 0.5306: A 4 -> 2.1224, B 9.5 -> 5.0407, C 0.5 -> 0.2653 kg
    assert res["A"].emissions_kg_co2 == pytest.approx(2.1224)
    assert res["B"].emissions_kg_co2 == pytest.approx(5.0407)
    assert res["C"].emissions_kg_co2 == pytest.approx(0.2653)
    # distance = kWh / 15 * 100: A 106.667 km; petrol = km * 7/100 L * 2.26 kg/L = 16.874667 kg
    assert res["A"].distance_km == pytest.approx(106.666667)
    assert res["A"].petrol_baseline_kg_co2 == pytest.approx(16.874667)
    # avoided: A 16.874667 - 2.1224 = 14.752267
    #          B 34/15*7*2.26 = 35.858667 - 5.0407 = 30.817967
    #          C 2/15*7*2.26 = 2.109333 - 0.2653 = 1.844033
    assert res["A"].avoided_kg_co2 == pytest.approx(14.752267)
    assert res["B"].avoided_kg_co2 == pytest.approx(30.817967)
    assert res["C"].avoided_kg_co2 == pytest.approx(1.844033)
    credits = {c.id_token: c for c in credits_by_id_token(res.values())}
    # T1 = A + C: 18 kWh, green 13.5, emissions 2.3877, avoided 16.5963
    t1 = credits["T1"]
    assert (t1.sessions, t1.energy_wh, t1.green_wh) == (2, pytest.approx(18_000), pytest.approx(13_500))
    assert t1.emissions_kg_co2 == pytest.approx(2.3877)
    assert t1.avoided_kg_co2 == pytest.approx(16.5963)
    assert t1.credits == pytest.approx(16.5963)
    assert credits["T2"].credits == pytest.approx(30.817967)
    assert credits_by_id_token(res.values(), credit_per_kg_co2=0.1)[1].credits == pytest.approx(3.0817967)


def test_no_negative_credit() -> None:
    dirty = GridEmissionFactor("dirty", 3.0)  # a grid far worse than petrol
    res = account_sessions(
        [SiteEnergyInterval(*hour(0), pv_wh=0, base_load_wh=0, session_wh={"X": 10_000})],
        {"X": "T"},
        dirty,
        PetrolBaseline(),
    )
    assert res[0].avoided_kg_co2 < 0
    assert credits_by_id_token(res)[0].credits == 0


def test_grid_charged_battery_is_not_green() -> None:
    ivs = [
        SiteEnergyInterval(*hour(0), pv_wh=0, base_load_wh=0, battery_charge_wh=10_000),
        SiteEnergyInterval(
            *hour(1), pv_wh=0, base_load_wh=0, session_wh={"X": 10_000}, battery_discharge_wh=10_000
        ),
    ]
    assert split_green_grid(ivs)["X"].green_wh == 0
    # a half-green battery at the start gives half-green discharge
    ivs2 = [ivs[1]]
    s = split_green_grid(ivs2, initial_battery_wh=20_000, initial_green_fraction=0.5)
    assert s["X"].green_wh == pytest.approx(5_000)


def test_other_sessions_on_site_dilute_the_green_share() -> None:
    # only X is listed, but 20 kWh were charged in total: PV 10 kWh -> share 0.5
    iv = SiteEnergyInterval(
        *hour(0), pv_wh=10_000, base_load_wh=0, session_wh={"X": 5_000}, charging_wh=20_000
    )
    assert split_green_grid([iv])["X"].green_wh == pytest.approx(2_500)


def test_bad_intervals_name_the_row() -> None:
    a = SiteEnergyInterval(*hour(1), pv_wh=0, base_load_wh=0)
    b = SiteEnergyInterval(*hour(0), pv_wh=0, base_load_wh=0)
    with pytest.raises(CarbonInputError, match=r"intervals\[1\]: overlaps or precedes"):
        split_green_grid([a, b])
    with pytest.raises(CarbonInputError, match=r"intervals\[0\]: session_wh\['Y'\] must be >= 0"):
        split_green_grid([SiteEnergyInterval(*hour(0), pv_wh=0, base_load_wh=0, session_wh={"Y": -1})])
    with pytest.raises(CarbonInputError, match=r"intervals\[0\]: pv_wh must be >= 0"):
        split_green_grid([SiteEnergyInterval(*hour(0), pv_wh=-5, base_load_wh=0)])
    with pytest.raises(CarbonInputError, match=r"no id token for session\(s\) \['B'\]"):
        account_sessions(sample_day(), {"A": "T1", "C": "T1"}, load_grid_emission_factor(), PetrolBaseline())


def test_csv_and_json_exports() -> None:
    res = account_sessions(
        sample_day(), {"A": "T1", "B": "T2", "C": "T1"}, load_grid_emission_factor(), PetrolBaseline()
    )
    text = to_csv(res)
    lines = text.splitlines()
    assert lines[0] == (
        "session_id,id_token,energy_wh,green_wh,grid_wh,green_share_pct,emissions_kg_co2,distance_km,"
        "petrol_baseline_kg_co2,avoided_kg_co2,factor_key,factor_kg_co2_per_kwh"
    )
    assert (
        lines[1] == "A,T1,16000.0,12000.0,4000.0,75.0,2.1224,106.6667,16.8747,14.7523,CN_NATIONAL_2023,0.5306"
    )
    assert len(lines) == 4
    zh = to_csv(credits_by_id_token(res), lang="zh").splitlines()
    assert zh[0] == "用户标识,会话数,充电量(Wh),光伏绿电(Wh),排放量(kgCO2),减排量(kgCO2),碳普惠积分"
    assert zh[1] == "T1,2,18000.0,13500.0,2.3877,16.5963,16.5963"
    data = json.loads(to_json(credits_by_id_token(res)))
    assert data[1] == {
        "id_token": "T2",
        "sessions": 1,
        "energy_wh": 34000.0,
        "green_wh": 24500.0,
        "emissions_kg_co2": 5.0407,
        "avoided_kg_co2": 30.818,
        "credits": 30.818,
    }
    assert to_csv([]) == ""


def test_a_csv_writer_can_make_the_export_formula_safe() -> None:
    """The REST edge passes the formula-safe writer: an id token from a station cannot become a formula."""
    from compliance.reports.safe_cells import SafeCsvWriter

    res = account_sessions(
        sample_day(), {"A": "=cmd|' /C calc'!A0", "B": "T2", "C": "T1"}, load_grid_emission_factor(),
        PetrolBaseline(),
    )
    assert to_csv(res).splitlines()[1].startswith("A,=cmd")
    assert to_csv(res, writer_factory=SafeCsvWriter).splitlines()[1].startswith("A,'=cmd")
