from collections import Counter

import pytest

from decision_support.errors import UnknownKPIError
from decision_support.kpis.catalogue import compact_code, load_catalogue, printed_code


def test_catalogue_has_the_91_kpis_in_three_dimensions():
    catalogue = load_catalogue()
    assert len(catalogue) == 91
    assert Counter(k.dimension for k in catalogue) == {
        "Economy": 45,
        "Environment": 17,
        "Society and Culture": 29,
    }
    assert sum(k.core for k in catalogue) == 54
    assert len({k.category for k in catalogue}) == 22
    assert len({k.sub_dimension for k in catalogue}) == 7


@pytest.mark.parametrize(
    "spelling", ["EC: ICT: ICT: 1C", "EC:ICT:ICT:1C", " ec : ict:ict : 1c ", "EC:ICT: ICT:1C"]
)
def test_both_code_spellings_resolve_to_the_same_kpi(spelling):
    kpi = load_catalogue().get(spelling)
    assert kpi.name == "Household Internet Access"
    assert kpi.code == "EC: ICT: ICT: 1C"


def test_code_spellings_round_trip():
    for kpi in load_catalogue():
        assert compact_code(kpi.code) == kpi.code_compact
        assert printed_code(kpi.code_compact) == kpi.code


def test_unknown_code_raises_a_domain_error():
    with pytest.raises(UnknownKPIError, match="unknown U4SSC KPI code 'EC: X: Y: 9Z'"):
        load_catalogue().get("EC: X: Y: 9Z")


def test_data_points_follow_the_collection_methodology():
    catalogue = load_catalogue()
    assert catalogue.get("EN:EN:AQ:1C").data_points == ("PM2.5", "PM10", "NO2", "SO2", "O3")
    assert catalogue.get("EC:ICT:ICT:4C").data_points == ("3G", "4G")
    assert catalogue.get("EC:ICT:ICT:1C").data_points == ()
