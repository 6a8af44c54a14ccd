"""The demo map in a real browser: headless Chromium loads /map from a running server, draws
the tiles, lists the nearest services on a click, finds a place name, shows coverage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from db.queries.users import create_token, create_user
from db.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

SCREENSHOT = PROJECT_ROOT / ".data" / "screenshots" / "map.png"
WAIT_S = 60


def test_the_map_page_answers_clicks_searches_and_shows_coverage(
    running_server: str, scratch_engine: Engine, browser: Any
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    with scratch_engine.begin() as conn:
        token = create_token(conn, create_user(conn, "map-planner", "planner"))
    wait = WebDriverWait(browser, WAIT_S)

    browser.get(f"{running_server}/map")
    wait.until(lambda d: "map-loaded" in d.find_element(By.TAG_NAME, "body").get_attribute("class"))
    wait.until(lambda d: d.execute_script("return window.registryMap.areTilesLoaded()"))
    rendered = "return window.registryMap.queryRenderedFeatures({layers: [arguments[0]]}).length"
    for layer in ("services", "township-lines", "county-lines", "county-labels"):
        assert browser.execute_script(rendered, layer) > 0, f"nothing drawn in {layer}"
    # Labels in Chinese, drawn from the registry's own glyphs (no font on the client).
    labels = browser.execute_script(
        "return window.registryMap.queryRenderedFeatures({layers: ['county-labels']})"
        ".map(f => f.properties.name)"
    )
    assert any("区" in name or "市" in name for name in labels), labels
    legend = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#legend li")]
    assert any("老年餐桌" in text for text in legend) and any("覆盖率" in text for text in legend)

    browser.find_element(By.ID, "search-input").send_keys("威海")
    browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#search-results.loaded li")) > 0)
    found = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#search-results li")]
    assert any("威海" in text for text in found), found
    browser.find_element(By.CSS_SELECTOR, "#search-results li").click()  # flies there
    wait.until(lambda d: d.execute_script("return window.registryMap.getZoom()") > 13.9)
    wait.until(lambda d: d.execute_script("return window.registryMap.areTilesLoaded()"))
    wait.until(lambda d: d.execute_script(rendered, "villages-fill") > 0)
    wait.until(lambda d: d.execute_script(rendered, "place-name-labels") > 0)

    browser.execute_script("window.registryMap.jumpTo({center: [122.05, 37.2], zoom: 8.4})")
    wait.until(lambda d: d.execute_script("return window.registryMap.areTilesLoaded()"))

    canvas = browser.find_element(By.CSS_SELECTOR, "#map canvas")
    ActionChains(browser).move_to_element_with_offset(canvas, 20, 10).click().perform()
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#nearest-results.loaded li")) > 0)
    hits = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#nearest-results li")]
    assert len(hits) == 5
    assert all(text.split()[1] in ("m", "km") for text in hits), hits
    assert all("道路" in text or "无道路" in text for text in hits), hits
    wait.until(lambda d: d.execute_script(rendered, "routes") > 0)

    browser.find_element(By.ID, "coverage-token").send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "#coverage-form button").click()
    wait.until(lambda d: "%" in d.find_element(By.ID, "coverage-status").text)
    assert "townships" in browser.find_element(By.ID, "coverage-status").text
    wait.until(lambda d: d.execute_script(rendered, "coverage-fill") > 0)
    # The planners' question: within 1 km along the roads.
    Select(browser.find_element(By.ID, "coverage-mode")).select_by_value("roadDistanceMeters")
    browser.find_element(By.CSS_SELECTOR, "#coverage-form button").click()
    wait.until(lambda d: "by road" in d.find_element(By.ID, "coverage-status").text)

    browser.execute_script("document.getElementById('panel').scrollTop = 0")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(SCREENSHOT))
    assert Path(SCREENSHOT).stat().st_size > 10_000
