"""A city whose rule pack lives only in the app's ``RULE_PACK_DIRS`` folder: the
portfolio run's lead times, the procurement pages and the dashboard all use it."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from models.cities import City
from models.scenarios import PortfolioRun
from rules.rule_pack import load_pack
from scenarios.city_scenario import with_lead_times

# The EU rules with a 40-day standstill (the EU's is 10): longer lead times than eu-2026.
SLOWLAND = Path(__file__).parents[1] / "data" / "rule_packs" / "slowland-2026.yaml"


@pytest.fixture
def slowland(app, db, tmp_path: Path) -> Path:
    folder = tmp_path / "packs"
    folder.mkdir()
    shutil.copy(SLOWLAND, folder / "slowland-2026.yaml")
    app.config["RULE_PACK_DIRS"] = [str(folder)]
    app.config["PORTFOLIO_RUN_INLINE"] = True
    city = db.scalar(select(City).where(City.slug == "demo-city"))
    city.rule_pack = "slowland-2026"
    db.commit()
    return folder


def _lead_times(document: dict) -> dict[str, int]:
    return {p["id"]: p["procurement"]["lead_time_days"] for p in document["projects"]}


def test_a_web_run_takes_its_lead_times_from_the_app_pack_folder(slowland, client, auth, db):
    auth.login_as("finance_officer")
    form = {
        "source": "city",
        "mode": "",
        "time_limit": "10",
        "gap": "0.01",
        "start_year": "2027",
        "horizon_years": "5",
        "carry_over": "y",
    }
    response = client.post("/cities/demo-city/portfolio/", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    run = db.scalars(select(PortfolioRun)).one()
    stored = _lead_times(run.inputs)
    assert stored and all(days > 0 for days in stored.values())

    without = copy.deepcopy(run.inputs)
    for project in without["projects"]:
        project["procurement"].pop("lead_time_days")
    pack = load_pack("slowland-2026", search_dirs=[slowland])
    assert _lead_times(with_lead_times(copy.deepcopy(without), pack)) == stored
    # and not the EU pack's: the longer standstill delays the contracts it applies to
    eu = _lead_times(with_lead_times(copy.deepcopy(without), load_pack("eu-2026")))
    assert all(stored[pid] in (eu[pid], eu[pid] + 30) for pid in stored)
    assert any(stored[pid] == eu[pid] + 30 for pid in stored)


@pytest.mark.usefixtures("slowland")
def test_procurement_pages_and_dashboard_use_the_same_pack(client, auth):
    auth.login_as("procurement_officer")
    for path in ("/cities/demo-city/", "/cities/demo-city/procurement/contracts/"):
        assert client.get(path).status_code == 200, path
