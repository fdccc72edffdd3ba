"""``decision-support procurement …``: procedure and timeline assessment, the ICT
tender checker, OCDS export and the list of rule packs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from cli.output import emit, json_option
from decision_support.data.editions import data_editions
from decision_support.files.documents import read_bounded_bytes
from rules.assessment import assess
from rules.brand_scan import BrandList, default_brand_list
from rules.checker import check_tender
from rules.contract import Lot, PlannedContract
from rules.criteria_pack import load_criteria_pack
from rules.ocds_export import DEFAULT_OCID_PREFIX, export_planned_tender
from rules.ocds_review import review_document
from rules.planned_contracts import read_planned_contracts
from rules.report_xlsx import report_xlsx
from rules.rule_pack import (
    CATEGORIES,
    PACK_DIRS_ENV,
    RulePack,
    available_packs,
    load_pack,
    pack_search_dirs,
    parse_yaml,
    route_pack,
    unverified_citations,
)
from rules.tender_input import is_ocds, read_tender_input_file, tenders_from_input
from rules.valuation import check_splitting_by_kind


def _resolve_pack(name: str, on: date | None, dirs: tuple[str, ...]) -> RulePack:
    return load_pack(name, on=on, search_dirs=pack_search_dirs(dirs))


def _pack_for_contract(name: str, contract: PlannedContract, dirs: tuple[str, ...]) -> RulePack:
    """The named pack, routed to its jurisdiction's concession pack for a concession."""
    on = contract.notice_date or date.today()
    pack = _resolve_pack(name, contract.notice_date, dirs)
    return route_pack(pack, contract.contract_kind, on, pack_search_dirs(dirs))


def _iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from exc


packs_dir_option = click.option(
    "--packs-dir",
    "packs_dirs",
    multiple=True,
    type=click.Path(file_okay=False),
    help=f"Extra directory of rule packs (repeatable; also ${PACK_DIRS_ENV}).",
)


def contract_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options describing a planned contract, shared by ``assess`` and ``export-ocds``."""
    options = [
        click.option(
            "--pack",
            "pack_name",
            required=True,
            help="Pack id (eu-2026), jurisdiction (eu, uk) or YAML file.",
        ),
        click.option(
            "--value",
            type=float,
            required=True,
            help="Estimated value net of VAT, without options and renewals.",
        ),
        click.option("--category", type=click.Choice(CATEGORIES), required=True),
        click.option(
            "--authority", type=click.Choice(["central", "sub-central", "utility"]), required=True
        ),
        click.option(
            "--date",
            "notice_date",
            callback=_iso_date,
            help="Planned notice date YYYY-MM-DD (default today); picks the pack.",
        ),
        click.option("--no-electronic", is_flag=True, help="Tenders not submitted electronically."),
        click.option("--pin", is_flag=True, help="A qualifying prior information notice was sent."),
        click.option("--urgent", is_flag=True, help="Duly substantiated urgency."),
        click.option(
            "--documents-later",
            is_flag=True,
            help="Procurement documents not all available electronically from the notice.",
        ),
        click.option(
            "--options", "options_value", type=float, default=0.0, help="Value of options."
        ),
        click.option(
            "--renewals", "renewals_value", type=float, default=0.0, help="Value of renewals."
        ),
        click.option(
            "--lot",
            "lots",
            type=float,
            multiple=True,
            help="Value of one lot (repeat per lot; they must add up to --value).",
        ),
        click.option("--innovation", is_flag=True, help="Needs a solution not on the market."),
        click.option("--negotiation", is_flag=True, help="Needs negotiation or adaptation."),
        click.option(
            "--direct-award-ground",
            default=None,
            help="Ground for an award without a call for competition.",
        ),
        click.option(
            "--framework-years", type=float, default=None, help="Framework agreement term in years."
        ),
        click.option("--cpv", default=None, help="Main CPV code (8 digits)."),
        click.option(
            "--concession",
            is_flag=True,
            help="A concession (paid by the right to exploit, e.g. a user-pays PPP): "
            "uses the jurisdiction's concession pack.",
        ),
        click.option(
            "--call-off",
            is_flag=True,
            help="A call-off under a framework agreement (standstill exemption, if any).",
        ),
        click.option(
            "--procedure",
            "procedure_id",
            default=None,
            help="Follow this procedure of the pack instead of the recommended one.",
        ),
        click.option("--title", default="", help="Contract title."),
        click.option(
            "--country",
            default="",
            help="The city's country (ISO 3166-1 alpha-2): its public holidays are not working "
            "days.",
        ),
        click.option(
            "--region",
            default="",
            help="The city's region (ISO 3166-2 subdivision, e.g. SCT, BY) where holidays differ.",
        ),
        packs_dir_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _contract(**kw: Any) -> PlannedContract:
    return PlannedContract(
        category=kw["category"],
        authority=kw["authority"],
        estimated_value=kw["value"],
        options_value=kw["options_value"],
        renewals_value=kw["renewals_value"],
        lots=tuple(Lot(value=v, id=str(i)) for i, v in enumerate(kw["lots"], start=1)),
        framework=kw["framework_years"] is not None,
        framework_years=kw["framework_years"],
        urgent=kw["urgent"],
        pin=kw["pin"],
        electronic=not kw["no_electronic"],
        documents_at_notice=not kw["documents_later"],
        needs_innovation=kw["innovation"],
        needs_negotiation=kw["negotiation"],
        direct_award_ground=kw["direct_award_ground"],
        concession=kw["concession"],
        call_off=kw["call_off"],
        notice_date=kw["notice_date"],
        cpv=kw["cpv"],
        title=kw["title"],
        id=kw.get("contract_id", "") or "",
        buyer=kw.get("buyer", "") or "",
        country=kw["country"].upper(),
        region=kw["region"].upper(),
    )


@click.group()
def procurement() -> None:
    """Procurement rules: procedure and timeline, ICT tender checks, OCDS."""


def _unverified_mark(unverified_steps: set[str], step: str, days: int | None) -> str:
    return " (unverified)" if days is not None and step in unverified_steps else ""


def _render_assessment(p: dict[str, Any]) -> str:
    unverified_steps = {
        s["id"] for s in p["steps"] if any(c.get("unverified") for c in s["citations"])
    }
    standstill = p.get("standstill_citation") or {}
    standstill_unverified = bool(standstill.get("unverified"))
    lines = [
        f"Pack: {p['pack']} ({p['pack_title']}); valid {p['pack_valid_from']} – "
        f"{p['pack_valid_to'] or 'open'}, figures checked {p['pack_checked_on'] or 'never'}",
        f"Value compared: {p['valuation']['compared_value']:,.2f} {p['currency']}; threshold "
        f"{p['threshold']:,.0f} -> {'regulated regime' if p['above_threshold'] else 'below'}"
        f" ({p['regime']})",
        f"Recommended: {p['recommended_procedure']} ({p['recommendation_reason']})",
        "Minimum days: "
        + ", ".join(
            f"{k} {'-' if v is None else v}{_unverified_mark(unverified_steps, k, v)}"
            for k, v in p["min_days"].items()
        ),
        f"Standstill: {p['standstill_days']} {p['standstill_day_kind']} days"
        + (" (unverified)" if p["standstill_days"] and standstill_unverified else ""),
        "Procedures:",
        *(
            f"  [{'x' if q['allowed'] else ' '}] {q['id']}: {q['condition']}"
            for q in p["procedures"]
        ),
        f"Working days: {p['working_calendar']}",
        "Timeline:",
        *(
            f"  {e['date']}  {e['label']}"
            + (
                " (moved past " + ", ".join(f"{h['name']} {h['date']}" for h in moved) + ")"
                if (moved := e["moved_by_holidays"])
                else ""
            )
            for e in p["timeline"]
        ),
        *(f"Warning: {w}" for w in p["warnings"]),
        *(f"Unverified source: {c['ref']} ({c['url']})" for c in p["citations"] if c["unverified"]),
    ]
    return "\n".join(lines)


@procurement.command("assess")
@contract_options
@json_option
def assess_command(pack_name: str, packs_dirs: tuple[str, ...], as_json: bool, **kw: Any) -> None:
    """Regime, allowed procedures, minimum time limits and a dated timeline."""
    contract = _contract(**kw)
    pack = _pack_for_contract(pack_name, contract, packs_dirs)
    result = assess(contract, pack, procedure_id=kw["procedure_id"])
    emit(result.as_dict(), as_json, _render_assessment)


@procurement.command("export-ocds")
@contract_options
@click.option(
    "--ocid-prefix",
    default=DEFAULT_OCID_PREFIX,
    show_default=True,
    help="Registered OCDS ocid prefix.",
)
@click.option("--buyer", default="", help="Buyer (contracting authority) name.")
@click.option("--id", "contract_id", default="", help="Local contract id used in the ocid.")
@click.option(
    "--language",
    default="en",
    show_default=True,
    help="The city's language (ISO 639-1 / BCP 47), the release's default language.",
)
def export_ocds_command(
    pack_name: str, packs_dirs: tuple[str, ...], ocid_prefix: str, language: str, **kw: Any
) -> None:
    """Print the planned tender as an OCDS 1.1.5 release package (JSON)."""
    contract = _contract(**kw)
    pack = _pack_for_contract(pack_name, contract, packs_dirs)
    result = assess(contract, pack, procedure_id=kw["procedure_id"])
    package = export_planned_tender(contract, result, ocid_prefix=ocid_prefix, language=language)
    emit(package, True)


def _render_check(p: dict[str, Any]) -> str:
    lines = []
    for report in p["reports"]:
        s = report["summary"]["by_status"]
        lines.append(f"{report['tender']['title']}: " + ", ".join(f"{k} {v}" for k, v in s.items()))
        lines.append(f"  Rule pack: {report['pack_validity']}")
        scope = report["scope"]
        lines.append(
            f"  ICT criteria: {'applied' if scope['ict'] else 'not applied'} ({scope['reason']})"
        )
        for f in report["findings"]:
            if f["status"] in ("fail", "warning"):
                lines.append(f"  {f['status'].upper():8} {f['criterion']}: {f['message']}")
                lines.append(f"           fix: {f['fix']}")
        if report["data_quality"]:
            lines.append(
                f"  The record's own problems (lib-cove-ocds): {len(report['data_quality'])}"
            )
            lines.extend(f"    {q['path']}: {q['message']}" for q in report["data_quality"][:20])
    return "\n".join(lines)


def _brand_list(path: str | None) -> BrandList | None:
    if path is None:
        return None
    data = parse_yaml(read_bounded_bytes(Path(path)), Path(path).name)
    base = default_brand_list()
    extra = data.get("brands", []) if isinstance(data, dict) else data
    return BrandList(tuple([*base.brands, *map(str, extra)]), base.equivalence_phrases)


@procurement.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--pack",
    "pack_name",
    required=True,
    help="Pack id, jurisdiction (picked by the tender date) or YAML file.",
)
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(dir_okay=False),
    help="Specification text file scanned for brand names and standards.",
)
@click.option(
    "--authority",
    type=click.Choice(["central", "sub-central", "utility"]),
    default="sub-central",
    show_default=True,
    help="Authority type when the file does not say.",
)
@click.option(
    "--criteria",
    "criteria_file",
    type=click.Path(dir_okay=False),
    help="Criteria pack YAML (default: the shipped ICT criteria).",
)
@click.option(
    "--brands",
    "brands_file",
    type=click.Path(dir_okay=False),
    help="YAML list of extra brand names to scan for.",
)
@click.option(
    "--xlsx",
    "xlsx_out",
    type=click.Path(dir_okay=False),
    help="Also write the report as an .xlsx file.",
)
@click.option(
    "--ict/--not-ict",
    "ict",
    default=None,
    help="Apply (or not) the ICT criteria; by default the CPV codes decide.",
)
@packs_dir_option
@json_option
def check_command(
    file: str,
    *,
    ict: bool | None,
    pack_name: str,
    spec_file: str | None,
    authority: str,
    criteria_file: str | None,
    brands_file: str | None,
    xlsx_out: str | None,
    packs_dirs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Check a tender description or OCDS file against the ICT tender criteria."""
    document = read_tender_input_file(file)
    tenders = tenders_from_input(document, Path(file).name)
    data_quality = review_document(document) if is_ocds(document) else []
    spec = Path(spec_file).read_text(encoding="utf-8") if spec_file else ""
    criteria = load_criteria_pack(criteria_file)
    brands = _brand_list(brands_file)
    reports = []
    for read in tenders:
        tender = read.with_specification(spec) if spec else read
        pack = _resolve_pack(pack_name, tender.notice_date, packs_dirs)
        reports.append(
            check_tender(
                tender,
                pack,
                criteria,
                brands,
                default_authority=authority,
                ict=ict,
                data_quality=data_quality,
            )
        )
    if xlsx_out:
        Path(xlsx_out).write_bytes(report_xlsx(reports))
    first = reports[0].as_dict()
    payload = {
        **first,
        "findings": [
            {**f, "ocid": r.tender.ocid, "tender": r.tender.title}
            for r in reports
            for f in r.as_dict()["findings"]
        ]
        if len(reports) > 1
        else first["findings"],
        "summary": _combined_summary([r.summary for r in reports]),
        "reports": [r.as_dict() for r in reports],
    }
    emit(payload, as_json, _render_check)


def _combined_summary(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    if len(summaries) == 1:
        return {**summaries[0], "tenders": 1}
    by_status: dict[str, int] = {}
    by_severity: dict[str, dict[str, int]] = {}
    for s in summaries:
        for status, n in s["by_status"].items():
            by_status[status] = by_status.get(status, 0) + n
        for severity, counts in s["by_severity"].items():
            slot = by_severity.setdefault(severity, {})
            for status, n in counts.items():
                slot[status] = slot.get(status, 0) + n
    return {
        "total": sum(s["total"] for s in summaries),
        "by_status": by_status,
        "by_severity": by_severity,
        "legal_failures": sum(s["legal_failures"] for s in summaries),
        "tenders": len(summaries),
    }


@procurement.command("splitting")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--pack", "pack_name", required=True, help="Pack id, jurisdiction or YAML file.")
@click.option("--date", "on", callback=_iso_date, help="Date that picks the pack (default today).")
@packs_dir_option
@json_option
def splitting_command(
    file: str, *, pack_name: str, on: date | None, packs_dirs: tuple[str, ...], as_json: bool
) -> None:
    """Anti-splitting check over a file of planned contracts (same CPV division and year;
    concessions, ``kind: concession``, under the jurisdiction's concessions pack;
    framework call-offs, ``kind: call-off``, left out)."""
    pack = _resolve_pack(pack_name, on, packs_dirs)
    concessions = route_pack(pack, "concession", on or date.today(), pack_search_dirs(packs_dirs))
    warnings = check_splitting_by_kind(read_planned_contracts(file), pack, concessions)
    payload = {"pack": pack.id, "warnings": [w.as_dict() for w in warnings]}
    emit(
        payload,
        as_json,
        lambda p: "\n".join(w["message"] for w in p["warnings"]) or "No splitting pattern found",
    )


@procurement.command("packs")
@packs_dir_option
@click.option(
    "--data",
    "data_files",
    is_flag=True,
    help="List the reference-data files (criteria, catalogues, targets) instead of the packs.",
)
@json_option
def packs_command(packs_dirs: tuple[str, ...], data_files: bool, as_json: bool) -> None:
    """List the rule packs, their validity dates, when their figures were last
    checked and how many of their citations are unverified (``--data``: the same
    dates for the reference-data files)."""
    if data_files:
        emit(
            [e.as_dict() for e in data_editions().values()],
            as_json,
            lambda rows: "\n".join(
                f"{r['path']:66} {r['valid_from']} – {r['valid_to'] or 'open':10}  "
                f"checked {r['checked_on']}  {r['title']}"
                for r in rows
            ),
        )
        return
    payload = [
        {
            "id": p.id,
            "title": p.title,
            "jurisdiction": p.jurisdiction,
            "contract_kind": p.contract_kind,
            "edition": p.edition or None,
            "currency": p.currency,
            "vat": p.vat,
            **p.dates(),
            "unverified_citations": len(unverified_citations(p)),
            "extends": p.extends,
            "source": p.source,
        }
        for p in available_packs(pack_search_dirs(packs_dirs))
    ]
    emit(
        payload,
        as_json,
        lambda rows: "\n".join(
            f"{r['id']:20} {r['jurisdiction']:11} "
            f"{r['valid_from']} – {r['valid_to'] or 'open':10}  "
            f"checked {r['checked_on'] or 'never'}  "
            f"{r['unverified_citations']:2} unverified  {r['title']}"
            for r in rows
        ),
    )
