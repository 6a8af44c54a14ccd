"""The printable area report: in headless Chromium it renders, its figures equal the
API's, its charts have a bar per township; a screenshot is kept."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from db.queries.users import create_token, create_user
from db.settings import PROJECT_ROOT
from tests.conftest import signed_out

SCREENSHOT = PROJECT_ROOT / ".data" / "screenshots" / "report.png"
KINDS = ("ELDER_DINING_TABLE", "ELDER_CARE_INSTITUTION")


def _api(base: str, token: str, query: str) -> Any:
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def _expected(base: str, token: str, code: str, distances: tuple[int, ...]) -> dict[str, Any]:
    """The report's figures, asked of the GraphQL API."""
    fields = []
    for kind in KINDS:
        for mode, argument in (("radius", "radiusMeters"), ("road", "roadDistanceMeters")):
            for d in distances:
                fields.append(
                    f'{kind}_{mode}_{d}: coverage(areaCode: "{code}", kinds: [{kind}], '
                    f"{argument}: {d}) {{ share }}"
                )
    gaps = (
        f'gaps: coverage(areaCode: "{code}", kinds: [ELDER_DINING_TABLE], '
        f"roadDistanceMeters: {distances[0]}) {{ gaps(first: 1) {{ totalCount }} "
        "byArea { name share } }"
    )
    area = (
        f'area(code: "{code}") {{ households elderly capacity {{ beds dailyMeals '
        "bedsPer100Elderly } }"
    )
    data = _api(base, token, "{ " + " ".join([*fields, gaps, area]) + " }")
    expected: dict[str, Any] = {
        f"coverage:{kind.lower()}:{mode}:{d}": data[f"{kind}_{mode}_{d}"]["share"]
        for kind in KINDS
        for mode in ("radius", "road")
        for d in distances
    }
    expected.update(
        {
            "households": data["area"]["households"],
            "elderly": data["area"]["elderly"],
            "beds": data["area"]["capacity"]["beds"],
            "meals": data["area"]["capacity"]["dailyMeals"],
            "beds_per_100": data["area"]["capacity"]["bedsPer100Elderly"],
            "gaps": data["gaps"]["gaps"]["totalCount"],
        }
    )
    expected["townships"] = {a["name"]: a["share"] for a in data["gaps"]["byArea"]}
    return expected


@pytest.mark.slow
def test_the_report_renders_in_a_browser_with_the_apis_figures(
    running_server: str, scratch_engine: Engine, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    with scratch_engine.begin() as conn:
        token = create_token(conn, create_user(conn, "report-planner", "planner"))
    code, distances = "371002", (500, 1000)
    browser.get(
        f"{running_server}/reports/areas/{code}?distances=500,1000"
        f"&kinds={','.join(KINDS)}&access_token={token}"
    )
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("环翠区 养老服务覆盖报告")
    shown = browser.execute_script(
        "const out = {}; document.querySelectorAll('[data-figure]').forEach("
        "e => { out[e.dataset.figure] = Number(e.dataset.value); }); return out;"
    )
    bars = browser.execute_script(
        "return Array.from(document.querySelectorAll('rect[data-chart=\"coverage-by-township\"]'))"
        ".map(e => [e.dataset.label, Number(e.dataset.value)]);"
    )
    expected = _expected(running_server, token, code, distances)
    townships = expected.pop("townships")
    for name, value in expected.items():
        assert shown[name] == pytest.approx(value, abs=1e-9), name
    assert dict(bars) == pytest.approx(townships, abs=1e-9)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#gap-map circle")) == expected["gaps"]
    width, height = browser.execute_script(
        "return [document.body.scrollWidth, document.body.scrollHeight];"
    )
    browser.set_window_size(max(width, 1000), height + 100)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000


def test_the_report_is_for_planners(client: TestClient, token_for: Any) -> None:
    signed_out(client)
    assert client.get("/reports/areas/371002").status_code == 403
    response = client.get(f"/reports/areas/371002?access_token={token_for('planner')}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "环翠区" in response.text


@pytest.mark.parametrize(
    ("link", "status", "field"),
    [
        ("/reports/areas/371099", 404, "code"),
        ("/reports/areas/37x", 400, "code"),
        ("/reports/areas/371002?distances=far", 400, "distances"),
        ("/reports/areas/371002?distances=1,2,3,4,5", 400, "distances"),
        ("/reports/areas/371002?kinds=BAKERY", 400, "kinds"),
    ],
)
def test_bad_report_links(planner: TestClient, link: str, status: int, field: str) -> None:
    response = planner.get(link)
    assert response.status_code == status
    assert response.json()["field"] == field
