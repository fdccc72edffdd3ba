"""A hand-checked peer comparison on the shipped dataset, the CLI twins and their errors.

The city's values (below) against Karmøy, Stavanger, Riyadh and Kristiansund, scored with
the shipped reference targets:

* Household Internet Access (target 100 %): city 80 → 80 % → band 66-95; Karmøy 97.00 →
  97 % → 95+; best peer Karmøy; Stavanger, Riyadh, Kristiansund "not reported".
* Water Supply Loss (no reference target, lower is better): city 40; Karmøy 35.42 → best
  and median 35.42; offers "median 35.42" and "best 35.42"; Karmøy does better.
* Open Data, number (no target): city 100; Stavanger 268 (best), Riyadh NR.
* Resilience Plans (target yes): city yes → 95+; Kristiansund no → 0-33.
"""

import json

import pytest

from decision_support.cli import main
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
    peers = select_peers(dataset, ids=["riyadh", "karmoy"])
    columns = benchmark_index(
        "City", read_values(values_file), peers, dataset, load_reference_targets()
    )
    assert [c.name for c in columns] == ["City", "Riyadh", "Karmøy"]
    riyadh = columns[1]
    assert riyadh.reported == 0 and all(d.score is None for d in riyadh.dimensions)
    city_economy = next(d for d in columns[0].dimensions if d.name == "Economy")
    assert city_economy.scored == 1 and city_economy.points == 3  # internet access, 66-95


def test_selection_by_band_and_region():
    dataset = shipped_dataset()
    assert population_band(24404) == "under-50k" and population_band(None) is None
    assert [c.id for c in select_peers(dataset, band="50k-250k")] == ["stavanger"]
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
