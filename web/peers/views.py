"""Peer pages and their JSON twins: choose peers, compare KPI by KPI, adopt a peer
target, see what better-scoring peers did, and the U4SSC index side by side."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from decision_support.errors import InputError, Problem
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.targets import TargetSet
from decision_support.kpis.values import KPIValue
from decision_support.peers.compare import (
    POPULATION_BANDS,
    Comparison,
    benchmark_index,
    compare,
    offer_for,
    peer_practices,
    peer_target_offers,
    population_band,
    select_peers,
)
from decision_support.peers.dataset import PeerCity, PeerDataset, load_dataset
from decision_support.peers.export import (
    city_to_dict,
    comparison_to_dict,
    offer_to_dict,
    practices_to_dicts,
    profile_to_dict,
)
from decision_support.projects.library import load_library
from models.permissions import Action
from models.services.kpi_targets import save_city_target
from models.services.kpi_values import city_assessment
from web.access import city_api_blueprint, city_blueprint, require
from web.charts import figure_html
from web.database import db_session
from web.peers.charts import achievement_figure, distribution_figure, index_figure

bp = city_blueprint("peers", __name__, "peers")
api = city_api_blueprint("peers_api", __name__, "peers")


@dataclass(frozen=True)
class Selection:
    """The chosen peers and how they were chosen (kept in every link and form)."""

    peers: list[PeerCity]
    ids: list[str]
    band: str | None
    region: str | None

    @property
    def query(self) -> dict[str, Any]:
        if self.ids:
            return {"peers": self.ids}
        return {k: v for k, v in (("band", self.band), ("region", self.region)) if v}


def _dataset() -> PeerDataset:
    return load_dataset(current_app.config.get("PEERS_DATASET_DIR"))


def _selection(dataset: PeerDataset, source: Any) -> Selection:
    """Peers from ``peers`` (ids), ``band`` and ``region`` arguments; with none of them,
    the peers of the city's own region (from its country), else every peer."""
    ids = [i for item in source.getlist("peers") for i in item.split(",") if i.strip()]
    band = source.get("band") or None
    region = source.get("region") or None
    if not ids and band is None and region is None and "chosen" not in source:
        region = dataset.region_of_country(g.city.country)
    peers = select_peers(dataset, ids=ids, band=band, region=region)
    return Selection(peers, ids, band, region)


def _city() -> tuple[list[KPIValue], TargetSet]:
    values, targets, _ = city_assessment(db_session(), g.city)
    return values, targets


def _comparison(
    source: Any,
) -> tuple[PeerDataset, Selection, list[KPIValue], TargetSet, Comparison]:
    dataset = _dataset()
    selection = _selection(dataset, source)
    values, targets = _city()
    return dataset, selection, values, targets, compare(values, selection.peers, dataset, targets)


def _choices(dataset: PeerDataset, selection: Selection) -> dict[str, Any]:
    return {
        "all_peers": dataset.cities,
        "bands": list(POPULATION_BANDS),
        "regions": sorted({c.region for c in dataset.cities}),
        "selection": selection,
        "city_band": population_band(g.city.population),
        "city_region": dataset.region_of_country(g.city.country),
        "population_band": population_band,
    }


@bp.route("/")
def index() -> str:
    """Choose peers; per KPI the city's value beside the peers', bands, best and median."""
    dataset, selection, _, _, comparison = _comparison(request.args)
    chart = (
        figure_html(achievement_figure(list(comparison.rows), g.city.name), "peer-achievement")
        if any(r.has_benchmark for r in comparison.rows)
        else None
    )
    return render_template(
        "peers/index.html", comparison=comparison, chart=chart, **_choices(dataset, selection)
    )


@bp.route("/kpi/<code>")
def kpi(code: str) -> str:
    """One KPI: distribution chart, every peer's value, peer targets and what peers did."""
    found = load_catalogue().find(code)
    if found is None:
        abort(404)
    data_point = request.args.get("data_point") or None
    dataset, selection, _, _, comparison = _comparison(request.args)
    row = next(
        (r for r in comparison.rows if r.kpi.code == found.code and r.data_point == data_point),
        None,
    )
    if row is None:
        abort(404)
    offers = [o for o in peer_target_offers(comparison) if o.row is row]
    practices = [p for p in peer_practices(comparison, dataset) if p.row is row]
    return render_template(
        "peers/kpi.html",
        row=row,
        chart=figure_html(distribution_figure(row, g.city.name), "peer-distribution"),
        offers=offers,
        practices=practices,
        templates=load_library().filter(kpi=found.code),
        **_choices(dataset, selection),
    )


@bp.route("/city/<city_id>")
def city(city_id: str) -> str:
    """A peer city's profile: population, report, every value as printed, its projects."""
    dataset = _dataset()
    found = dataset.city(city_id)
    if found is None:
        abort(404)
    return render_template("peers/city.html", profile=profile_to_dict(dataset, found))


@bp.route("/practices")
def practices() -> str:
    """For each KPI where a peer does better: the peer and its report's projects."""
    dataset, selection, _, _, comparison = _comparison(request.args)
    library = load_library()
    found = peer_practices(comparison, dataset)
    return render_template(
        "peers/practices.html",
        practices=found,
        templates={p.row.kpi.code: library.filter(kpi=p.row.kpi.code) for p in found},
        **_choices(dataset, selection),
    )


@bp.route("/index")
def index_view() -> str:
    """U4SSC score per dimension for the city and its peers, side by side."""
    dataset, selection, values, targets, _ = _comparison(request.args)
    columns = benchmark_index(g.city.name, values, selection.peers, dataset, targets)
    return render_template(
        "peers/index_view.html",
        columns=columns,
        chart=figure_html(index_figure(columns), "peer-index"),
        **_choices(dataset, selection),
    )


def _adopt(source: Any) -> tuple[Any, Selection]:
    """Store the chosen peer target through the city-targets mechanism."""
    require(Action.EDIT_KPIS)
    kpi = load_catalogue().find(source.get("code", ""))
    if kpi is None:
        raise InputError(Problem(f"unknown KPI code '{source.get('code', '')}'", field="code"))
    basis = source.get("basis", "")
    if basis not in ("median", "best"):
        raise InputError(Problem("basis must be 'median' or 'best'", field="basis"))
    _, selection, _, _, comparison = _comparison(source)
    offer = offer_for(comparison, kpi.code, source.get("data_point") or None, basis)
    save_city_target(db_session(), g.city, g.user, offer.target)
    return offer, selection


@bp.route("/targets", methods=["POST"])
def adopt_target() -> Response:
    """Adopt "reach the median / best of the chosen peers" as the city's target."""
    offer, _ = _adopt(request.form)
    flash(
        f"Target for {offer.target.code} set to {offer.target.value:g} ({offer.target.source}).",
        "success",
    )
    return redirect(url_for("kpis.targets"))


@api.route("/cities")
def api_cities() -> Response:
    """Every peer city with its profile and the projects its report describes."""
    dataset = _dataset()
    return jsonify(
        {
            "cities": [
                {
                    **city_to_dict(c),
                    "values": sum(1 for v in dataset.values_of(c.id) if v.reported),
                    "projects": [p.name for p in dataset.projects_of(c.id)],
                }
                for c in dataset.cities
            ]
        }
    )


@api.route("/cities/<city_id>")
def api_city(city_id: str) -> Response:
    """One peer city as in ``decision-support peers show ID --json``."""
    dataset = _dataset()
    found = dataset.city(city_id)
    if found is None:
        abort(404)
    return jsonify(profile_to_dict(dataset, found))


@api.route("/compare")
def api_compare() -> Response:
    """As ``decision-support peers compare --json`` for this city (``?peers=``,
    ``?band=``, ``?region=``)."""
    dataset, selection, values, targets, comparison = _comparison(request.args)
    return jsonify(
        comparison_to_dict(
            comparison,
            peer_target_offers(comparison),
            practices_to_dicts(peer_practices(comparison, dataset), load_library()),
            benchmark_index(g.city.name, values, selection.peers, dataset, targets),
        )
    )


@api.route("/targets", methods=["POST"])
def api_adopt_target() -> tuple[Response, int]:
    """Adopt a peer target: JSON ``{code, data_point, basis, peers | band | region}``."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError("the request body must be a JSON object")
    offer, _ = _adopt(_JsonArgs(body))
    return jsonify({"adopted": offer_to_dict(offer)}), 201


class _JsonArgs:
    """A JSON body read like request arguments (``getlist`` for ``peers``)."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def get(self, key: str, default: Any = None) -> Any:
        value = self._body.get(key, default)
        return value if value is None or isinstance(value, str) else str(value)

    def getlist(self, key: str) -> list[str]:
        value = self._body.get(key) or []
        return [str(v) for v in (value if isinstance(value, list) else [value])]

    def __contains__(self, key: str) -> bool:
        return key in self._body
