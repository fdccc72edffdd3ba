from pathlib import Path

from decision_support.kpis.analysis import (
    benchmarking_wheel,
    city_snapshot,
    group_by_sdg,
    kpi_trend,
    priority_gaps,
    sdg_goals,
)
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.scoring import score_values
from decision_support.kpis.targets import load_reference_targets, read_targets
from decision_support.kpis.values import read_values

DEMO = Path(__file__).resolve().parents[3] / "scenarios" / "demo_city"


def demo():
    values = read_values(DEMO / "kpi_values.csv")
    targets = load_reference_targets().with_city_targets(read_targets(DEMO / "kpi_targets.csv"))
    return values, targets, score_values(values, targets)


def test_demo_city_imports_cleanly_for_three_years():
    values, targets, assessment = demo()
    assert {v.year for v in values} == {2023, 2024, 2025}
    assert all(v.source == "fictional demo data" for v in values)
    assert len({v.quality for v in values if v.quality}) >= 4
    core = {k.code for k in load_catalogue() if k.core}
    reported = {v.code for v in values if v.reported}
    assert core <= reported
    assert len(targets.city_targets) == 8
    bands = {s.band for s in assessment.scored}
    assert bands == {"0-33", "33-66", "66-95", "95+"}


def test_priority_gaps_lowest_band_first_core_before_advanced():
    _, _, assessment = demo()
    gaps = priority_gaps(assessment)
    assert all(g.points < 4 for g in gaps)
    keys = [(g.points, not g.core) for g in gaps]
    assert keys == sorted(keys)
    by_code = {(g.code, g.data_point): g for g in gaps}
    water_loss = by_code[("EC: I: WS: 3C", None)]
    # 28 % water loss against the city's 15 % target: 53.57 %, gap 13 points of percentage.
    assert (water_loss.value, water_loss.target, water_loss.gap) == (28.0, 15.0, 13.0)
    assert (water_loss.achievement_pct, water_loss.band, water_loss.target_origin) == (
        53.57,
        "33-66",
        "city",
    )
    pm25 = by_code[("EN: EN: AQ: 1C", "PM2.5")]
    assert (pm25.gap, pm25.band) == (6.8, "33-66")
    smart = by_code[("EC: ICT: ES: 1C", None)]
    assert (smart.value, smart.target, smart.gap) == (34.0, 100.0, 66.0)
    assert gaps[0].code == "EC: ICT: WS: 1C"  # 18 % vs 60 %: band 0-33, core


def test_snapshot_counts_add_up():
    _, _, assessment = demo()
    snapshot = city_snapshot(assessment)
    assert snapshot.total_kpis == 91
    assert snapshot.reported + snapshot.not_reported == 91
    assert snapshot.not_reported == 3
    assert sum(snapshot.band_counts.values()) == snapshot.scored_values == len(assessment.scored)
    assert len(snapshot.dimensions) == 3 and len(snapshot.sub_dimensions) == 7


def test_wheel_has_every_segment_with_parents_first():
    _, _, assessment = demo()
    nodes = benchmarking_wheel(assessment)
    ids = [n.id for n in nodes]
    assert len(ids) == len(set(ids))
    seen = {""}
    for node in nodes:
        assert node.parent in seen
        seen.add(node.id)
    leaves = [n for n in nodes if n.level == "kpi"]
    assert len(leaves) == sum(max(1, len(k.data_points)) for k in load_catalogue())
    statuses = {n.status for n in leaves}
    assert statuses == {"scored", "not reported", "no benchmark"}
    assert all((n.band is None) == (n.status != "scored") for n in leaves)


def test_sdg_grouping_uses_itu_targets_and_ks_mapping():
    catalogue = load_catalogue()
    assert sdg_goals(catalogue.get("EC: ICT: ICT: 2C")) == (17,)
    assert sdg_goals(catalogue.get("EC: ICT: ICT: 3C")) == (5, 9, 17)
    _, _, assessment = demo()
    groups = group_by_sdg(assessment)
    assert [g.goal for g in groups] == sorted(g.goal for g in groups)
    for g in groups:
        if g.scored:
            assert g.score_pct == round(
                100 * sum(s.points for s in g.scored) / (4 * len(g.scored)), 2
            )


def test_trend_per_kpi_across_years():
    values, targets, _ = demo()
    trend = kpi_trend(values, "EC:I:WS:3C", None, targets)
    assert [(p.year, p.value, p.achievement_pct) for p in trend] == [
        (2023, 30.0, 50.0),
        (2024, 29.0, 51.72),
        (2025, 28.0, 53.57),
    ]
    resilience = kpi_trend(values, "SC: SH: SA: 3A", None, targets)
    assert [p.points for p in resilience] == [1, 4, 4]
    no_benchmark = kpi_trend(values, "EC: ICT: ICT: 5A", None, targets)
    assert [p.band for p in no_benchmark] == [None, None, None]
