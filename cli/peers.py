"""``decision-support peers …``: the peer-city dataset, comparisons and imports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli.output import emit, json_option
from decision_support.errors import InputError
from decision_support.kpis.catalogue import load_catalogue
from decision_support.kpis.targets import load_reference_targets, read_targets
from decision_support.kpis.values import read_values
from decision_support.peers.compare import (
    POPULATION_BANDS,
    benchmark_index,
    compare,
    peer_practices,
    peer_target_offers,
    select_peers,
)
from decision_support.peers.dataset import import_dataset, load_dataset
from decision_support.peers.export import (
    city_to_dict,
    comparison_to_dict,
    practices_to_dicts,
    profile_to_dict,
)
from decision_support.projects.library import load_library

dataset_option = click.option(
    "--dataset",
    "dataset_dir",
    type=click.Path(file_okay=False),
    help="Folder of imported peer results, added to the shipped dataset.",
)
band_option = click.option(
    "--band", type=click.Choice(list(POPULATION_BANDS)), help="Peers in this population band."
)
region_option = click.option("--region", help="Peers in this region (e.g. 'Northern Europe').")


@click.group()
def peers() -> None:
    """Peer cities: published U4SSC results of other cities."""


def _render_list(payload: dict[str, Any]) -> str:
    lines = [f"{'id':<16} {'name':<36} {'country':<14} {'region':<18} population  values"]
    for city in payload["cities"]:
        population = "-" if city["population"] is None else f"{city['population']:,}"
        lines.append(
            f"{city['id']:<16} {city['name'][:36]:<36} {city['country']:<14} "
            f"{city['region']:<18} {population:>10}  {city['values']:>6}"
        )
    return "\n".join(lines)


@peers.command("list")
@band_option
@region_option
@dataset_option
@json_option
def list_command(
    band: str | None, region: str | None, dataset_dir: str | None, as_json: bool
) -> None:
    """List the peer cities (optionally one population band or region)."""
    dataset = load_dataset(dataset_dir)
    chosen = select_peers(dataset, band=band, region=region)
    payload = {
        "cities": [
            {
                **city_to_dict(c),
                "values": sum(1 for v in dataset.values_of(c.id) if v.reported),
                "not_reported": sum(1 for v in dataset.values_of(c.id) if not v.reported),
                "projects": len(dataset.projects_of(c.id)),
            }
            for c in chosen
        ]
    }
    emit(payload, as_json, _render_list)


def _render_profile(payload: dict[str, Any]) -> str:
    population = payload["population"]
    lines = [
        f"{payload['name']} ({payload['country']}, {payload['region']})",
        f"population: {population if population is not None else 'unknown'}"
        + (f" ({payload['population_source']})" if payload["population_source"] else ""),
        f"report: {payload['report']} {payload['report_url']}",
        "",
    ]
    for value in payload["values"]:
        what = value["code"] + (f" ({value['data_point']})" if value["data_point"] else "")
        unit = value["unit_as_printed"] or ""
        lines.append(f"  {what:<26} {value['name_as_printed'][:40]:<40} {value['value']} {unit}")
    if payload["projects"]:
        lines.append("")
        lines.extend(f"  project: {p['name']}: {p['summary']}" for p in payload["projects"])
    return "\n".join(lines)


@peers.command("show")
@click.argument("city_id")
@dataset_option
@json_option
def show_command(city_id: str, dataset_dir: str | None, as_json: bool) -> None:
    """One peer city: profile, every value as printed (with its page) and its projects."""
    dataset = load_dataset(dataset_dir)
    city = select_peers(dataset, ids=[city_id])[0]
    emit(profile_to_dict(dataset, city), as_json, _render_profile)


def _render_comparison(payload: dict[str, Any]) -> str:
    lines = [f"peers: {', '.join(p['name'] for p in payload['peers'])}", ""]
    for row in payload["kpis"]:
        what = row["code"] + (f" ({row['data_point']})" if row["data_point"] else "")
        city = row["city"]
        lines.append(f"{what}  {row['name']}")
        lines.append(f"  city: {city['value']}  band {city['band'] or '-'}")
        for peer in row["peers"]:
            lines.append(f"  {peer['city']}: {peer['value']}  band {peer['band'] or '-'}")
        if row["best_peer"]:
            lines.append(f"  best peer: {row['best_peer']} ({row['best_value']})")
    return "\n".join(lines)


@peers.command("compare")
@click.option(
    "--values",
    "values_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="The city's KPI values file (CSV or XLSX, as for `kpis score`).",
)
@click.option(
    "--peers",
    "peer_ids",
    multiple=True,
    help="Peer city id (repeat, or comma-separated); default: by --band/--region, else all.",
)
@band_option
@region_option
@click.option(
    "--targets", "targets_path", type=click.Path(dir_okay=False), help="The city's targets."
)
@click.option("--city", help="Use this city's rows when the values file has a city column.")
@dataset_option
@json_option
def compare_command(
    values_path: str,
    peer_ids: tuple[str, ...],
    band: str | None,
    region: str | None,
    targets_path: str | None,
    city: str | None,
    dataset_dir: str | None,
    as_json: bool,
) -> None:
    """Compare a city's values with peer cities' published values."""
    catalogue = load_catalogue()
    values = read_values(values_path, catalogue=catalogue)
    if city is not None:
        values = [v for v in values if v.city == city]
        if not values:
            raise InputError(f"no values for city '{city}' in {values_path}")
    cities = {v.city for v in values}
    if len(cities) > 1:
        raise InputError("the values file holds several cities; choose one with --city")
    targets = load_reference_targets(catalogue)
    if targets_path:
        targets = targets.with_city_targets(read_targets(targets_path, catalogue=catalogue))
    dataset = load_dataset(dataset_dir)
    ids = [part.strip() for item in peer_ids for part in item.split(",") if part.strip()]
    chosen = select_peers(dataset, ids=ids, band=band, region=region)
    if not chosen:
        raise InputError("no peer city matches the chosen band/region")
    comparison = compare(values, chosen, dataset, targets, catalogue)
    payload = comparison_to_dict(
        comparison,
        peer_target_offers(comparison),
        practices_to_dicts(peer_practices(comparison, dataset), load_library()),
        benchmark_index(city or "city", values, chosen, dataset, targets, catalogue),
    )
    emit(payload, as_json, _render_comparison)


@peers.command("import")
@click.option(
    "--values", "values_path", required=True, type=click.Path(dir_okay=False, exists=True)
)
@click.option("--cities", "cities_path", type=click.Path(dir_okay=False, exists=True))
@click.option("--projects", "projects_path", type=click.Path(dir_okay=False, exists=True))
@click.option(
    "--into",
    "folder",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder of the extra dataset (created if needed); pass it as --dataset later.",
)
@json_option
def import_command(
    values_path: str,
    cities_path: str | None,
    projects_path: str | None,
    folder: str,
    as_json: bool,
) -> None:
    """Add published U4SSC results (all or nothing; every problem with row and column)."""
    summary = import_dataset(Path(folder), values_path, cities_path, projects_path)
    emit(
        summary.__dict__,
        as_json,
        lambda p: (
            f"imported {p['cities']} cities, {p['values']} values, "
            f"{p['projects']} projects into {p['folder']}"
        ),
    )
