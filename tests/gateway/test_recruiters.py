"""Licensed-recruiter registries: import from CSV, fuzzy look-up through the casework API."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from bot.casework.recruiters import parse_registry_csv
from bot.registry_import import SAMPLE_REGISTRY, import_registry_path
from tests.gateway.conftest import SERVICE_TOKEN

AUTH = {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture
async def with_sample(gateway: TestClient, database_url: str) -> TestClient:
    count = await import_registry_path(database_url, SAMPLE_REGISTRY, "sample")
    assert count == 10
    return gateway


async def lookup(client: TestClient, **params: str) -> dict:
    response = await client.get("/api/v1/recruiters", params=params, headers=AUTH)
    assert response.status == 200
    return await response.json()


async def test_a_typo_still_finds_the_agency_with_its_licence_and_source(with_sample: TestClient) -> None:
    result = await lookup(with_sample, name="bayanihan manpower servises", country="PH")
    [match] = result["matches"]
    assert match["licence_number"] == "SAMPLE-PH-0001"
    assert match["status"] == "valid" and match["verified"] is False
    assert "SAMPLE" in match["source"]


async def test_an_expired_licence_is_reported_as_expired(with_sample: TestClient) -> None:
    result = await lookup(with_sample, name="Golden Bridge Overseas Placement")
    assert result["matches"][0]["status"] == "expired"


async def test_the_country_filter_and_unknown_names(with_sample: TestClient) -> None:
    assert (await lookup(with_sample, name="Savannah Employment Agency", country="PH"))["matches"] == []
    assert (await lookup(with_sample, name="Totally Unknown Movers"))["matches"] == []


async def test_lookups_need_the_service_token_and_a_sensible_query(with_sample: TestClient) -> None:
    assert (await with_sample.get("/api/v1/recruiters", params={"name": "x y"})).status == 401
    bad = await with_sample.get("/api/v1/recruiters", params={"name": "a"}, headers=AUTH)
    assert bad.status == 400
    bad_country = await with_sample.get(
        "/api/v1/recruiters", params={"name": "abc", "country": "Nepal"}, headers=AUTH
    )
    assert bad_country.status == 400


def test_a_bad_registry_file_is_refused_with_the_line() -> None:
    with pytest.raises(ValueError, match="missing column"):
        parse_registry_csv("name,country\nX,PH\n")
    header = "name,licence_number,country,status,valid_until,source\n"
    with pytest.raises(ValueError, match="line 2: valid_until"):
        parse_registry_csv(header + "X,1,PH,valid,31/12/2027,src\n")
    with pytest.raises(ValueError, match="line 2: a name and an ISO"):
        parse_registry_csv(header + "X,1,Philippines,valid,,src\n")
