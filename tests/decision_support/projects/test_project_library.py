"""The shipped project library: schema, sources, ranges, coverage, variants; and the
loader's error messages for malformed library files."""

import copy
import math

import pytest

from decision_support.kpis.catalogue import load_catalogue
from decision_support.projects.currency import load_conversion
from decision_support.projects.library import (
    city_parameters,
    load_library,
    parse_library,
    shipped_documents,
)
from decision_support.projects.model import FINANCING_TAGS, LibraryError


@pytest.fixture(scope="module")
def library():
    return load_library()


def test_library_has_at_least_60_templates_and_20_low_cost(library):
    assert len(library) >= 60
    assert sum(t.low_cost for t in library) >= 20


def test_every_u4ssc_sub_dimension_is_covered_by_some_impact(library):
    catalogue = load_catalogue()
    moved = {catalogue.get(i.kpi).sub_dimension for t in library for i in t.impacts}
    assert moved == {k.sub_dimension for k in catalogue}
    files = {t.sub_dimension for t in library}
    assert files == {k.sub_dimension for k in catalogue}


def test_most_of_the_22_categories_are_covered(library):
    catalogue = load_catalogue()
    categories = {catalogue.get(i.kpi).category for t in library for i in t.impacts}
    assert len({k.category for k in catalogue}) == 22
    assert len(categories) >= 17


def test_every_impact_names_a_catalogue_kpi_and_a_valid_data_point(library):
    catalogue = load_catalogue()
    for t in library:
        for i in t.impacts:
            kpi = catalogue.get(i.kpi)
            if kpi.data_points:
                assert i.data_point in kpi.data_points, (t.id, i.kpi)
            else:
                assert i.data_point is None, (t.id, i.kpi)


def test_every_figure_cites_a_source_url(library):
    for t in library:
        blocks = [t.capex_sources, t.opex.sources, t.timing_sources] + [
            i.sources for i in t.impacts
        ]
        if t.savings is not None:
            blocks.append(t.savings.sources)
        for keys in blocks:
            assert keys, t.id
            for url in t.source_urls(keys):
                assert url.startswith(("http://", "https://")), (t.id, url)


def test_figures_are_in_range(library):
    conversion = load_conversion()
    for t in library:
        for rng in (t.capex_per_unit, t.capex_fixed):
            if rng is not None:
                assert 0 <= rng.low <= rng.typical <= rng.high, t.id
        assert t.capex_per_unit is not None or t.capex_fixed is not None
        assert t.opex.per_unit >= 0 and t.opex.fixed >= 0
        if t.savings is not None:
            assert t.savings.per_unit >= 0 and t.savings.fixed >= 0
        assert math.isclose(sum(t.capex_profile), 1.0, abs_tol=1e-6), t.id
        assert len(t.capex_profile) == max(1, math.ceil(t.duration_years - 1e-9)), t.id
        assert t.lifetime_years >= t.duration_years > 0, t.id
        assert t.price_year in conversion.price_index
        assert set(t.tags) <= set(FINANCING_TAGS)
        assert t.procurement.category in {"works", "supplies", "services"}
        assert len(t.procurement.cpv) == 8 and t.procurement.cpv.isdigit()
        assert {t.risk.cost_overrun, t.risk.delivery} <= {"low", "medium", "high"}


def test_impacts_point_the_right_way(library):
    """An impact moves its KPI in the better direction (context-dependent KPIs aside)."""
    catalogue = load_catalogue()
    for t in library:
        for i in t.impacts:
            direction = catalogue.get(i.kpi).direction
            if direction in ("higher_is_better", "yes_is_better"):
                assert i.value > 0, (t.id, i.kpi)
            elif direction == "lower_is_better":
                assert i.value < 0, (t.id, i.kpi)


def test_impact_denominators_and_defaults_are_known_city_parameters(library):
    known = city_parameters()
    for t in library:
        assert t.size.default_from is None or t.size.default_from in known
        for i in t.impacts:
            assert i.of is None or i.of in known


def test_variants_are_mutually_exclusive_both_ways(library):
    variants = [t for t in library if t.variant_of]
    assert len(variants) >= 5
    for v in variants:
        full = library.get(v.variant_of)
        assert v.low_cost and not full.low_cost
        assert v.intervention == full.intervention
        assert full.id in v.excludes and v.id in full.excludes
    for t in library:
        for other in t.excludes:
            assert t.id in library.get(other).excludes


def test_filters(library):
    low = library.filter(low_cost=True)
    assert low and all(t.low_cost for t in low)
    water = library.filter(kpi="EC:I:WS:3C")
    assert {"nrw-performance-contract", "active-leak-detection", "pressure-management"} <= {
        t.id for t in water
    }
    assert library.filter(kpi="EC: I: WS: 3C") == water


def test_unknown_template_is_an_input_error(library):
    with pytest.raises(LibraryError, match="unknown project template 'nope'"):
        library.get("nope")


# ---------------------------------------------------------------- malformed library data


def _documents(*files):
    """A deep copy of some shipped files; by default the first three ICT templates
    (Wi-Fi, community mesh and its full variant FTTH), a small valid library."""
    documents = shipped_documents()
    if files:
        return {f: copy.deepcopy(documents[f]) for f in files}
    ict = copy.deepcopy(documents["ict.yaml"])
    ict["templates"] = ict["templates"][:3]
    return {"ict.yaml": ict}


def test_a_small_document_set_is_a_valid_library_on_its_own():
    assert len(parse_library(_documents())) == 3


def _first(documents, file="ict.yaml"):
    return documents[file]["templates"][0]


def test_schema_error_names_file_template_and_field():
    documents = _documents()
    _first(documents)["capex"]["per_unit"]["low"] = -5
    with pytest.raises(LibraryError) as info:
        parse_library(documents)
    problem = info.value.problems[0]
    assert "ict.yaml" in problem.message and "public-wifi-hotspots" in problem.message
    assert problem.field == "capex.per_unit.low"


def test_rule_errors_are_all_collected():
    documents = _documents()
    first = _first(documents)
    first["impacts"][0]["kpi"] = "EC: XX: 9Z"
    first["capex"]["per_unit"]["typical"] = 1_000_000  # above high
    first["capex"]["profile"] = [0.5, 0.4]
    first["timing"]["lifetime_years"] = 0.5
    first["impacts"][0]["sources"] = ["S9"]
    with pytest.raises(LibraryError) as info:
        parse_library(documents)
    text = "\n".join(p.message for p in info.value.problems)
    assert "unknown U4SSC KPI code" in text
    assert "low <= typical <= high" in text
    assert "capex profile has 2 shares" in text
    assert "sum to 0.900000" in text
    assert "lifetime (0.5 years) is shorter than duration" in text
    assert "cites source 'S9'" in text
    assert all("public-wifi-hotspots" in p.message for p in info.value.problems)


def test_data_point_is_required_for_data_point_kpis():
    documents = _documents("environment.yaml")
    lez = next(
        t for t in documents["environment.yaml"]["templates"] if t["id"] == "low-emission-zone"
    )
    del lez["impacts"][0]["data_point"]
    with pytest.raises(LibraryError, match=r"data_point must be one of PM2\.5"):
        parse_library(documents)


def test_missing_source_and_unknown_references_are_rejected():
    documents = _documents()
    first = _first(documents)
    del first["opex_per_year"]["sources"]
    first["requires"] = ["no-such-template"]
    with pytest.raises(LibraryError) as info:
        parse_library(documents)
    text = "\n".join(p.message for p in info.value.problems)
    assert "'sources' is a required property" in text
    documents = _documents()
    _first(documents)["requires"] = ["no-such-template"]
    with pytest.raises(LibraryError, match="unknown template 'no-such-template'"):
        parse_library(documents)


def test_duplicate_ids_and_variant_groups_are_checked():
    documents = _documents()
    templates = documents["ict.yaml"]["templates"]
    templates.append(copy.deepcopy(templates[0]))
    with pytest.raises(LibraryError, match="duplicate id"):
        parse_library(documents)
    documents = _documents()
    mesh = next(
        t for t in documents["ict.yaml"]["templates"] if t["id"] == "community-mesh-network"
    )
    mesh["intervention"] = "something-else"
    with pytest.raises(LibraryError, match="must share the intervention group"):
        parse_library(documents)
