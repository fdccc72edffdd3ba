"""A hand-checked peer comparison on the shipped dataset, the CLI twins and their errors.

The city's values (below) against Karmøy, Stavanger, Riyadh and Kristiansund, scored with
the shipped reference targets:

* Household Internet Access (target 100 %): city 80 → 80 % → band 66-95; Karmøy 97.00 →
  97 % → 95+; best peer Karmøy; Stavanger, Riyadh, Kristiansund "not reported".
* Water Supply Loss (no reference target, lower is better): city 40; Karmøy 35.42 → best
  and median 35.42; offers "median 35.42" and "best 35.42"; Karmøy does better.
* Open Data, number (no target): city 100; Stavanger 268 (best), Riyadh NR.
* Resilience Plans (target yes): city yes → 95+; Kristiansund no → 0-33.

Against Kristiansund, Asker and Bizerte (social inclusion and safety pages):

* Childcare Availability (reference target 45 %): city 50 → 111 % → 95+; Kristiansund
  94.70 and Asker 98.32 → 95+; Bizerte 34.20 → 76 % → 66-95; best Asker; median 94.70.
* Violent Crime Rate (no target, lower is better): city 500; Kristiansund 811.57, Asker
  393.98, Bizerte 25.56 → best Bizerte, median 393.98; Asker and Bizerte do better.
* Local Food Production: Asker's report says "Not Reported", Kristiansund has no value in
  the dataset: both "not reported", with different reasons.
"""

import json

import pytest

from cli.main import main
from decision_support.errors import InputError
from decision_support.kpis.targets import load_reference_targets
from decision_support.kpis.values import read_values
from decision_support.peers.compare import (
    benchmark_index,
    compare,
    offer_for,
    peer_practices,
    peer_target_offers,
    population_band,
    select_peers,
)
from decision_support.peers.dataset import shipped_dataset

CITY = (
    "code,data_point,year,value\n"
    "EC: ICT: ICT: 1C,,2024,80\n"
    "EC: I: WS: 3C,,2024,40\n"
    "EC: ICT: PS: 1A,number,2024,100\n"
    "SC: SH: SA: 3A,,2024,yes\n"
)
PEERS = ["karmoy", "stavanger", "riyadh", "kristiansund"]


@pytest.fixture
def values_file(tmp_path):
    path = tmp_path / "city.csv"
    path.write_text(CITY, encoding="utf-8")
    return path


@pytest.fixture
def comparison(values_file):
    dataset = shipped_dataset()
    peers = select_peers(dataset, ids=PEERS)
    return compare(read_values(values_file), peers, dataset, load_reference_targets())


def _row(comparison, code, data_point=None):
    return next(r for r in comparison.rows if r.kpi.code == code and r.data_point == data_point)


def test_hand_checked_comparison(comparison):
    internet = _row(comparison, "EC: ICT: ICT: 1C")
    assert internet.city_scored.band == "66-95"
    by_city = {p.city.id: p for p in internet.peers}
    assert by_city["karmoy"].number == 97.0 and by_city["karmoy"].band == "95+"
    assert {by_city[c].status for c in ("stavanger", "riyadh", "kristiansund")} == {"not reported"}
    assert by_city["riyadh"].number is None  # never zero
    assert internet.best.city.id == "karmoy"

    loss = _row(comparison, "EC: I: WS: 3C")
    assert not loss.has_benchmark and loss.direction == "lower_is_better"
    assert loss.best.city.id == "karmoy" and loss.median == 35.42

    open_data = _row(comparison, "EC: ICT: PS: 1A", "number")
    assert open_data.best.city.id == "stavanger" and open_data.best.number == 268.0
    assert {p.city.id: p.status for p in open_data.peers}["riyadh"] == "not reported"

    resilience = _row(comparison, "SC: SH: SA: 3A")
    assert resilience.city_scored.band == "95+"
    assert {p.city.id: p.band for p in resilience.reported_peers} == {"kristiansund": "0-33"}


SOCIAL = "code,year,value\nSC: SH: SI: 5A,2024,50\nSC: SH: SA: 8C,2024,500\n"


def test_hand_checked_social_inclusion_and_safety(tmp_path):
    path = tmp_path / "city.csv"
    path.write_text(SOCIAL, encoding="utf-8")
    dataset = shipped_dataset()
    peers = select_peers(dataset, ids=["kristiansund", "asker", "bizerte"])
    comparison = compare(read_values(path), peers, dataset, load_reference_targets())

    childcare = _row(comparison, "SC: SH: SI: 5A")
    assert childcare.target.value == 45.0 and childcare.city_scored.band == "95+"
    bands = {p.city.id: (p.number, p.band) for p in childcare.peers}
    assert bands == {
        "kristiansund": (94.7, "95+"),
        "asker": (98.32, "95+"),
        "bizerte": (34.2, "66-95"),
    }
    assert childcare.best.city.id == "asker" and childcare.median == 94.7

    crime = _row(comparison, "SC: SH: SA: 8C")
    assert crime.best.city.id == "bizerte" and crime.median == 393.98
    better = {p.peer.city.id for p in peer_practices(comparison, dataset) if p.row is crime}
    assert better == {"asker", "bizerte"}
    offers = {o.basis: o.target.value for o in peer_target_offers(comparison) if o.row is crime}
    assert offers == {"median": 393.98, "best": 25.56}

    food = _row(comparison, "SC: SH: FS: 1A")
    reasons = {p.city.id: (p.status, p.reason) for p in food.peers}
    assert reasons["asker"] == ("not reported", "the report lists it as not reported")
    assert reasons["kristiansund"][0] == "not reported"
    assert "no value in the dataset" in reasons["kristiansund"][1]
    assert reasons["bizerte"] == ("reported", None)


def test_peer_targets_only_for_kpis_without_a_target(comparison):
    offers = {
        (o.row.kpi.code, o.row.data_point, o.basis): o for o in peer_target_offers(comparison)
    }
    assert offers[("EC: I: WS: 3C", None, "median")].target.value == 35.42
    assert offers[("EC: I: WS: 3C", None, "best")].target.value == 35.42
    assert offers[("EC: ICT: PS: 1A", "number", "best")].target.value == 268.0
    assert not any(code == "EC: ICT: ICT: 1C" for code, _, _ in offers)  # has a target
    target = offers[("EC: I: WS: 3C", None, "best")].target
    assert (
        target.origin == "city"
        and "Karmøy" in target.source
        and target.direction == "lower_is_better"
    )
    with pytest.raises(InputError, match="no peer best target"):
        offer_for(comparison, "EC: ICT: ICT: 1C", None, "best")


def test_practices_name_the_better_peers(comparison):
    practices = peer_practices(comparison, shipped_dataset())
    found = {(p.row.kpi.code, p.peer.city.id) for p in practices}
    assert ("EC: ICT: ICT: 1C", "karmoy") in found
    assert ("EC: I: WS: 3C", "karmoy") in found
    assert ("EC: ICT: PS: 1A", "stavanger") in found
    assert not any(code == "SC: SH: SA: 3A" for code, _ in found)  # the city is ahead


def test_index_scores_city_and_peers(values_file):
    dataset = shipped_dataset()
    peers = select_peers(dataset, ids=["rana", "karmoy"])
    columns = benchmark_index(
        "City", read_values(values_file), peers, dataset, load_reference_targets()
    )
    assert [c.name for c in columns] == ["City", "Rana", "Karmøy"]
    rana = columns[1]
    assert rana.reported == 0 and all(d.score is None for d in rana.dimensions)
    assert columns[0].reported == 4 and columns[2].reported == 14
    city_economy = next(d for d in columns[0].dimensions if d.name == "Economy")
    assert city_economy.scored == 1 and city_economy.points == 3  # internet access, 66-95


def test_selection_by_band_and_region():
    dataset = shipped_dataset()
    assert population_band(24404) == "under-50k" and population_band(None) is None
    assert [c.id for c in select_peers(dataset, band="50k-250k")] == ["stavanger", "bizerte"]
    assert {c.id for c in select_peers(dataset, region="western asia")} == {"riyadh"}
    with pytest.raises(InputError, match="unknown population band"):
        select_peers(dataset, band="huge")


def test_cli_list_and_compare_print_one_json_document(values_file, capsys):
    assert main(["peers", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {c["id"] for c in listed["cities"]} >= {"karmoy", "valencia"}
    assert (
        main(
            ["peers", "compare", "--values", str(values_file), "--peers", ",".join(PEERS), "--json"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    internet = next(k for k in data["kpis"] if k["code"] == "EC: ICT: ICT: 1C")
    assert internet["best_peer"] == "karmoy" and internet["city"]["band"] == "66-95"
    riyadh = next(p for p in internet["peers"] if p["city_id"] == "riyadh")
    assert riyadh["value"] == "not reported"


def test_cli_bad_input_exits_2_with_one_line(values_file, tmp_path, capsys):
    assert (
        main(["peers", "compare", "--values", str(values_file), "--peers", "atlantis", "--json"])
        == 2
    )
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("city_id,year\nx,2020\n", encoding="utf-8")
    assert main(["peers", "import", "--values", str(bad), "--into", str(tmp_path / "d")]) == 2
    captured = capsys.readouterr()
    assert "required column" in captured.err and len(captured.err.strip().splitlines()) == 1
    assert not (tmp_path / "d").exists()


def test_cli_show_prints_a_profile(capsys):
    assert main(["peers", "show", "rana", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["country"] == "Norway" and data["population"] is None
    assert {v["value"] for v in data["values"]} == {"not reported"}
    assert "printed 1.86" in data["values"][0]["note"]
    assert main(["peers", "show", "nowhere"]) == 2
