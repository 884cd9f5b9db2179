"""The roll-up page in a real browser (headless Chromium through Selenium, as
test_web_browser.py): Sở Nội vụ's account sees the page with its two charts drawn; a unit's
clerk is refused (403). Skipped without chromium and chromedriver, except on CI.
PLANGEN_SCREENSHOT=1 also writes the page to docs/img/rollup.png."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_cycle import UNITS, scenario
from test_web_browser import MISSING, ON_CI, Server, _chrome, by, field, wait

from generator.web.users import set_account

pytestmark = pytest.mark.skipif(
    bool(MISSING) and not ON_CI,
    reason=f"{' and '.join(MISSING)} not installed: no browser to drive",
)

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "img" / "rollup.png"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rollup-browser")
    run = scenario(tmp, str(tmp / "data" / "plangen.db"))
    users = tmp / "users.yaml"
    set_account(users, "binhgia", "mat-khau-xa", unit="xa-binh-gia")
    set_account(users, "sonoivu", "mat-khau-so", admin=True)
    saved = os.environ.pop("PLANGEN_DB", None)
    try:
        with Server(run["data"], users) as server:
            yield server
    finally:
        if saved is not None:
            os.environ["PLANGEN_DB"] = saved


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = _chrome(tmp_path_factory.mktemp("downloads"))
    yield driver
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


def sign_in(browser, server, name: str, password: str) -> None:
    browser.delete_all_cookies()
    browser.get(server.url + "/login")
    wait(browser, lambda d: d.find_elements(*by('input[name="password"]')), "no login form")
    field(browser, "name").send_keys(name)
    field(browser, "password").send_keys(password)
    browser.find_element(*by('form[action="/login"] button')).click()
    wait(browser, lambda d: "/login" not in d.current_url, "login failed")


def test_the_province_sees_the_rollup_and_its_charts(browser, site):
    sign_in(browser, site, "sonoivu", "mat-khau-so")
    browser.get(site.url + "/rollup?period=2026-Q3&date=2026-09-16")
    wait(browser, lambda d: d.find_elements(*by("svg#chart-areas")), "no chart")
    chart = browser.find_element(*by("svg#chart-areas"))
    assert chart.is_displayed() and chart.size["width"] > 300 and chart.size["height"] > 100
    bars = browser.find_elements(*by("svg#chart-areas rect"))
    assert len(bars) > 10
    late = browser.find_elements(*by("svg#chart-late rect"))
    assert len(late) == len(UNITS)  # every unit submitted; each has its bar (0 is a bar too)
    rows = browser.find_elements(*by("#rollup-units tbody tr"))
    assert len(rows) == len(UNITS)
    # the page asks nothing from elsewhere: every resource is the server's own
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)"
    )
    assert set(hosts) <= {site.url.split("//")[1]}
    if os.environ.get("PLANGEN_SCREENSHOT"):
        browser.set_window_size(1366, 1600)
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1366, "height": 1450, "deviceScaleFactor": 1, "mobile": False},
        )
        browser.get(site.url + "/rollup?period=2026-Q3&date=2026-09-16")
        wait(browser, lambda d: d.find_elements(*by("svg#chart-areas")), "no chart")
        browser.save_screenshot(str(SCREENSHOT))


def test_a_units_clerk_is_refused_the_rollup(browser, site):
    sign_in(browser, site, "binhgia", "mat-khau-xa")
    browser.get(site.url + "/rollup")
    assert "Chỉ tài khoản quản trị (Sở Nội vụ)" in browser.page_source
    assert not browser.find_elements(*by("svg#chart-areas"))
    status = browser.execute_async_script(
        "const done = arguments[0];"
        "fetch('/rollup', {credentials: 'same-origin'}).then(r => done(r.status));"
    )
    assert status == 403
