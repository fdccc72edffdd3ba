"""Instantiating library templates for a city: scaling, money conversion, defaults,
errors, and linking a city's candidates together."""

import math

import pytest

from decision_support.projects.currency import load_conversion
from decision_support.projects.instantiate import instantiate, link_candidates
from decision_support.projects.library import load_library
from decision_support.projects.model import CityProfile, ProjectError

# euro-area HICP annual changes 2011..2024 as in currency.yaml, chained by hand
_HICP_2011_TO_2024 = (2.7, 2.5, 1.4, 0.4, 0.2, 0.2, 1.5, 1.8, 1.2, 0.3, 2.6, 8.4, 5.4, 2.4)


def make_city(**overrides):
    values = {
        "name": "Testville",
        "population": 200_000,
        "households": 100_000,
        "sizes": {"water_connections": 50_000, "schools": 40, "public_buildings": 100},
        "baselines": {"EN:EN:WS:2C": 150.0},
    }
    values.update(overrides)
    return CityProfile(**values)


@pytest.fixture(scope="module")
def library():
    return load_library()


def test_smart_water_meters_scale_with_meters_over_connections(library):
    project = instantiate(library.get("smart-water-meters"), make_city(), {"meters": 10_000})
    changes = {i.kpi: i.change for i in project.impacts}
    assert changes["EC: ICT: WS: 1C"] == pytest.approx(20.0)  # 100 × 10 000 / 50 000
    assert changes["EC: I: WS: 3C"] == pytest.approx(-0.4)  # -2 points × 20 % coverage
    assert changes["EN: EN: WS: 2C"] == pytest.approx(-0.6)  # -2 % × 150 L × 20 % coverage
    assert project.sizes == {"meters": 10_000}


def test_money_is_converted_from_usd_2010_to_eur_2024(library):
    project = instantiate(library.get("smart-water-meters"), make_city(), {"meters": 10_000})
    inflation = math.prod(1 + r / 100 for r in _HICP_2011_TO_2024)
    factor = inflation / 1.3257  # USD per EUR, 2010 annual average
    assert project.capex_total == pytest.approx(10_000 * 400 * factor, rel=1e-6)
    assert len(project.capex_by_year) == 5
    assert project.capex_by_year[0] == pytest.approx(project.capex_total / 5, rel=1e-6)
    assert project.opex_per_year == pytest.approx(10_000 * 10 * factor, rel=1e-6)
    assert project.currency == "EUR"


def test_price_year_equal_to_base_year_only_converts_currency(library):
    assert load_conversion().base_year == 2024
    project = instantiate(
        library.get("school-connectivity-pooled"), make_city(), {"schools_connected": 10}
    )
    assert project.capex_total == pytest.approx(10 * 20_000 / 1.0824, rel=1e-6)
    assert project.capex_by_year == pytest.approx((92_387.29, 92_387.29), abs=0.01)
    (impact,) = project.impacts
    assert impact.change == pytest.approx(25.0)  # 10 of 40 schools


def test_cost_levels_pick_the_low_typical_high_capex(library):
    template = library.get("led-street-lighting")
    city = make_city(sizes={"street_lights": 1000})
    capex = {
        level: instantiate(template, city, cost_level=level).capex_total
        for level in ("low", "typical", "high")
    }
    assert capex["low"] < capex["typical"] < capex["high"]
    assert capex["low"] / capex["typical"] == pytest.approx(250 / 406)
    with pytest.raises(ProjectError, match="cost level must be one of"):
        instantiate(template, city, cost_level="cheap")


def test_size_defaults_from_the_city_and_per_100k_impacts(library):
    city = make_city(sizes={"street_lights": 2_000})
    project = instantiate(library.get("led-street-lighting"), city)
    assert project.sizes == {"luminaires": 2_000}
    changes = {i.kpi: i.change for i in project.impacts}
    assert changes["EN: E: E: 2C"] == pytest.approx(-500 * 2_000 / 200_000)
    lanes = instantiate(library.get("protected-bike-lanes"), city, {"km": 15})
    changes = {(i.kpi, i.data_point): i.change for i in lanes.impacts}
    assert changes["EC: I: T: 3C", None] == pytest.approx(7.5)  # 15 km per 2 × 100 000
    assert changes["EC: I: T: 4A", "cycling"] == pytest.approx(0.57 * 7.5)


def test_missing_default_size_names_the_field(library):
    city = make_city(sizes={})
    with pytest.raises(ProjectError) as info:
        instantiate(library.get("led-street-lighting"), city)
    assert info.value.problems[0].field == "luminaires"
    assert "street_lights" in info.value.problems[0].message


def test_bad_sizes_are_rejected(library):
    template = library.get("smart-water-meters")
    with pytest.raises(ProjectError, match="unknown size parameter"):
        instantiate(template, make_city(), {"bins": 3})
    with pytest.raises(ProjectError, match="must be a positive number"):
        instantiate(template, make_city(), {"meters": -1})


def test_impacts_the_city_cannot_size_are_left_out_with_a_note(library):
    city = make_city(baselines={}, sizes={"water_connections": 50_000})
    project = instantiate(library.get("smart-water-meters"), city, {"meters": 5_000})
    assert "EN: EN: WS: 2C" not in {i.kpi for i in project.impacts}
    assert any("EN: EN: WS: 2C not computed" in n for n in project.notes)
    assert any("converted from USD at 2010 prices" in n for n in project.notes)


def test_percentage_changes_are_capped_at_100_points(library):
    project = instantiate(
        library.get("container-based-sanitation"), make_city(), {"households_served": 250_000}
    )
    assert project.impacts[0].change == 100.0


def test_non_euro_city_needs_a_rate_and_gets_local_money(library):
    template = library.get("water-balance-audit")
    with pytest.raises(ProjectError, match="give the EUR→KES rate"):
        instantiate(template, make_city(currency="KES"))
    euros = instantiate(template, make_city()).capex_total
    local = instantiate(template, make_city(currency="KES", eur_to_local=140.0))
    assert local.capex_total == pytest.approx(140 * euros, rel=1e-6)
    assert local.currency == "KES"


def test_candidate_carries_procurement_risk_tags_and_sources(library):
    template = library.get("public-wifi-hotspots")
    project = instantiate(template, make_city(), {"deployments": 2}, project_id="wifi-centre")
    assert project.id == "wifi-centre" and project.template_id == "public-wifi-hotspots"
    assert project.low_cost
    assert project.procurement.category == "supplies"
    # capex plus the 3 operation years the contract includes
    assert project.procurement.estimated_value == pytest.approx(
        project.capex_total + 3 * project.opex_per_year, abs=0.02
    )
    assert project.sources == tuple(template.sources.values())
    assert all(i.source.startswith("https://") for i in project.impacts)
    assert project.impacts[0].change == 8  # 4 hotspots per package


def test_link_candidates_maps_template_references_to_candidate_ids(library):
    city = make_city(sizes={"transit_stops": 500, "water_connections": 50_000})
    rtpi = instantiate(library.get("real-time-passenger-information"), city, project_id="rtpi")
    gtfs = instantiate(library.get("gtfs-static-feed"), city, project_id="gtfs")
    alone = link_candidates([rtpi])
    assert alone[0].requires == ()
    assert any("assumed already in place" in n for n in alone[0].notes)
    linked = {c.id: c for c in link_candidates([rtpi, gtfs])}
    assert linked["rtpi"].requires == ("gtfs",)


def test_linked_variants_exclude_each_other_both_ways(library):
    city = make_city(sizes={"water_network_km": 800, "annual_water_supplied_m3": 1e7})
    full = instantiate(library.get("nrw-performance-contract"), city, project_id="nrw")
    cheap = instantiate(library.get("active-leak-detection"), city, project_id="leaks")
    linked = {c.id: c for c in link_candidates([full, cheap])}
    assert linked["nrw"].excludes == ("leaks",)
    assert linked["leaks"].excludes == ("nrw",)
    only = link_candidates([full])
    assert only[0].excludes == ()


def test_every_template_instantiates_for_the_demo_city_into_a_valid_candidate(library):
    from pathlib import Path

    from decision_support.projects.candidate_files import read_candidate_file
    from decision_support.projects.candidates import validate_candidate

    demo = Path(__file__).resolve().parents[3] / "scenarios" / "demo_city" / "candidates.yaml"
    city = read_candidate_file(demo).city
    for template in library:
        project = instantiate(template, city)
        validate_candidate(project)
        assert project.impacts, template.id
        assert project.capex_total >= 0 and project.lifetime_cost == pytest.approx(
            project.capex_total
            + (project.opex_per_year - project.savings_per_year) * project.lifetime_years
        )


def test_capex_scales_linearly_with_size(library):
    city = make_city(sizes={"street_lights": 1})
    template = library.get("led-street-lighting")
    one = instantiate(template, city, {"luminaires": 1_000})
    three = instantiate(template, city, {"luminaires": 3_000})
    assert three.capex_total == pytest.approx(3 * one.capex_total, rel=1e-6)
    assert three.savings_per_year == pytest.approx(3 * one.savings_per_year, rel=1e-6)
