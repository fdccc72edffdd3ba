"""The city dashboard summarises each persona's starting point from real data."""

from decision_support.kpis.analysis import priority_gaps
from models.services.cities import city_by_slug
from models.services.kpi_values import city_assessment


def test_dashboard_shows_bands_top_gaps_and_splitting_warnings(client, auth, db):
    auth.login_as("city_leader")
    page = client.get("/cities/demo-city/").get_data(as_text=True)
    assert "Where the city stands (U4SSC bands)" in page
    for dimension in ("Economy", "Environment", "Society and Culture"):
        assert dimension in page
    _, _, assessment = city_assessment(db, city_by_slug(db, "demo-city"))
    top = priority_gaps(assessment)[:5]
    assert top, "the demo city has gaps"
    for gap in top:
        assert gap.name in page
    assert "contract-splitting warning" in page
