"""Benchmark: 100,000 car parks checked against a rule pack and written to verdicts CSV (target < 10 s).

Run: ``.venv/bin/python -m bench.compliance_check [--count N] [--rules PACKS] [--with-import]``.
Records are synthetic (seeded); the timed part is evaluation plus streaming the CSV to disk, the path an
inspector's ``compliance check`` takes. ``--with-import`` also times reading the same register from CSV.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from compliance.categories import Category
from compliance.evaluate import evaluate_all
from compliance.model import CarPark
from compliance.packs import resolve_packs
from compliance.register_files import read_register
from compliance.reports.tables import write_verdicts_csv

SEED = 4


def synthetic_car_parks(count: int, seed: int = SEED) -> list[CarPark]:
    """``count`` consistent random car parks over every category (no I/O)."""
    rng = random.Random(seed)
    categories = [c for c in Category if c is not Category.UNKNOWN]
    out = []
    for i in range(count):
        category = categories[i % len(categories)]
        total = rng.randint(0, 600)
        built = rng.randint(0, total // 2)
        reserved = rng.randint(0, total - built)
        out.append(
            CarPark(
                id=f"B{i:06d}",
                name=f"bench {i}",
                category=category,
                district=("岳麓区", "望城区", "宁乡市")[i % 3],
                is_public=rng.random() < 0.5,
                is_new=rng.random() < 0.4,
                total_spaces=total,
                dedicated_spaces=rng.randint(0, total) if category is Category.RESIDENTIAL else 0,
                spaces_with_chargers=built,
                spaces_reserved=reserved if rng.random() > 0.02 else None,
                dc_fast_chargers_60kw=min(rng.randint(0, 3), built),
                on_trunk_road=rng.random() < 0.15,
                underground_levels=rng.choice((0, 0, 1, 2)),
                fire_alarm=True,
                smoke_extraction=rng.random() < 0.9,
                sprinklers=True,
                emergency_lighting=True,
            )
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.compliance_check")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rules", default="xiangjiang-2023")
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--with-import", action="store_true")
    args = parser.parse_args(argv)
    packs = resolve_packs(args.rules)
    rules = sum(len(p.rules) for p in packs)

    started = time.perf_counter()
    car_parks = synthetic_car_parks(args.count)
    generated_s = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "verdicts.csv"
        started = time.perf_counter()
        rows = write_verdicts_csv(evaluate_all(car_parks, packs), out, args.lang)
        checked_s = time.perf_counter() - started
        size_mb = out.stat().st_size / 1e6
        print(f"rule packs:            {args.rules} ({rules} rules)")
        print(f"car parks:             {args.count:,} (generated in {generated_s:.2f} s, not timed)")
        print(
            f"checked + CSV written: {checked_s:.2f} s  (target < 10 s)  {'OK' if checked_s < 10 else 'OVER'}"
        )
        print(f"verdict rows:          {rows:,}  ({size_mb:.1f} MB, with {args.lang} explanations)")
        print(f"per car park:          {checked_s / max(args.count, 1) * 1e6:.1f} us")
        if args.with_import:
            register = Path(tmp) / "register.csv"
            _write_register(car_parks, register)
            started = time.perf_counter()
            imported = read_register(register)
            import_s = time.perf_counter() - started
            print(
                f"register CSV import:   {import_s:.2f} s for {len(imported.records):,} records, "
                f"{len(imported.errors)} errors"
            )


def _write_register(car_parks: list[CarPark], path: Path) -> None:
    keys = (
        "id",
        "name",
        "district",
        "category",
        "is_public",
        "is_new",
        "total_spaces",
        "dedicated_spaces",
        "spaces_with_chargers",
        "spaces_reserved",
        "dc_fast_chargers_60kw",
        "on_trunk_road",
        "station_ids",
    )
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(keys)
        for cp in car_parks:
            values = [getattr(cp, k) for k in keys]
            writer.writerow(
                [
                    ""
                    if v is None
                    else str(v).lower()
                    if isinstance(v, bool)
                    else ";".join(v)
                    if isinstance(v, tuple)
                    else v
                    for v in values
                ]
            )


if __name__ == "__main__":
    main()
