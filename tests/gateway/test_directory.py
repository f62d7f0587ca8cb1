"""The agency directory: import checks and search by country, area and service."""

from __future__ import annotations

import pytest

from bot.casework.directory import parse_directory
from tests.gateway.casework_support import SERVICE, Casework, find

CSV = """id,name,kind,countries,areas,categories,languages,services,opening_hours,timezone,contact_phone,source,verified
csv-one,SAMPLE One,ngo,KE;UG,Kisumu,trafficking,en;sw,shelter;legal_aid,24/7,Africa/Nairobi,,sample,false
"""


def test_csv_and_yaml_import_the_same_fields() -> None:
    (entry,) = parse_directory(CSV, "agencies.csv")
    assert entry.countries == ["KE", "UG"] and entry.services == ["shelter", "legal_aid"]
    assert entry.areas == ["Kisumu"] and entry.verified is False and entry.source == "sample"


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"id": "Bad Id", "name": "x", "kind": "ngo", "countries": ["KE"], "source": "s"}, "id must be"),
        ({"id": "a1", "name": "x", "kind": "army", "countries": ["KE"], "source": "s"}, "kind must be"),
        ({"id": "a1", "name": "x", "kind": "ngo", "countries": ["Kenya"], "source": "s"}, "alpha-2"),
        ({"id": "a1", "name": "x", "kind": "ngo", "countries": ["KE"], "source": ""}, "source are required"),
        ({"id": "a1", "name": "x", "kind": "ngo", "countries": ["KE"], "source": "s", "services": ["spa"]},
         "unknown service"),
    ],
)
def test_bad_entries_are_refused_with_where_and_why(row, error) -> None:
    import yaml

    with pytest.raises(ValueError, match=error):
        parse_directory(yaml.safe_dump({"agencies": [row]}), "d.yml")


async def search(casework: Casework, query: str) -> dict:
    response = await casework.client.get(f"/api/v1/directory?{query}", headers=SERVICE)
    assert response.status == 200, await response.text()
    return dict(await response.json())


async def test_services_in_the_named_area_come_first(casework: Casework) -> None:
    found = await search(casework, "country=KE&area=mombasa&service=shelter")
    assert found["area_matched"] is True
    assert [e["id"] for e in found["entries"]] == ["sample-ke-mombasa-shelter"]
    assert found["entries"][0]["verified"] is False and found["entries"][0]["source"]


async def test_an_area_with_nothing_local_says_so_and_lists_country_wide_services(casework: Casework) -> None:
    found = await search(casework, "country=KE&area=Kisumu")
    assert found["area_matched"] is False
    assert find(found["entries"], "sample-ke-mombasa-shelter") is None  # never presented as nearby
    assert find(found["entries"], "sample-ke-children-services") is not None


async def test_nothing_known_is_an_empty_list_not_a_guess(casework: Casework) -> None:
    assert (await search(casework, "country=FR"))["entries"] == []
    assert (await search(casework, "country=TH&service=shelter"))["entries"] == []


async def test_directory_queries_are_checked(casework: Casework) -> None:
    for query in ("country=Kenya", "country=KE&service=spa", ""):
        assert (await casework.client.get(f"/api/v1/directory?{query}", headers=SERVICE)).status == 400
    assert (await casework.client.get("/api/v1/directory?country=KE")).status == 401
