"""`plangen serve` in a real browser: headless Chromium driven through Selenium.

The server runs with uvicorn in a thread on a free localhost port, over a private copy of
the data. A clerk opens the list, opens xã Đình Lập, changes a role's bodies, sees the
preview follow, saves, and downloads the appendix; a validation error shows on its field,
tied to it for a screen reader, and a refused save puts the focus on it; a plan date is
typed either way; a download that fails says why, a PDF says it is being made; on a phone
the downloads are near the top; a second browser's save of the same profile meets the
conflict page; with accounts, the Đình Lập clerk is refused another unit.

Without chromium and chromedriver the module is skipped, except on CI ($CI set), where it
fails. PLANGEN_SCREENSHOT=1 also writes the unit page (1366x768) to docs/img/serve-unit.png.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pytest
from conftest import fold

ON_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and Path(p).exists()),
    None,
)
DRIVER = next(
    (
        p
        for p in ("/usr/bin/chromedriver", shutil.which("chromedriver") or "")
        if p and Path(p).exists()
    ),
    None,
)
MISSING = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", DRIVER)) if not path]

pytestmark = pytest.mark.skipif(
    bool(MISSING) and not ON_CI,
    reason=f"{' and '.join(MISSING)} not installed: no browser to drive",
)

SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "img" / "serve-unit.png"
WAIT = 15  # seconds for anything the page does


# --------------------------------------------------------------------------- fixtures


class Server:
    """uvicorn in a thread, on a socket bound to a free localhost port."""

    def __init__(self, data: Path, users: Path | None = None) -> None:
        import uvicorn

        from generator.web import create_app

        self.data = data
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        app = create_app(data, [], users)
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + WAIT
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(WAIT)
        self.sock.close()


def _chrome(downloads: Path):
    if MISSING:  # only reached on CI: the skipif let the module run
        pytest.fail(f"CI is set but {' and '.join(MISSING)} is not installed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="plangen-chromium-")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1366,768",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False},
    )
    driver.set_page_load_timeout(WAIT)
    driver.profile_dir = profile
    return driver


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads):
    driver = _chrome(downloads)
    yield driver
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


@pytest.fixture
def server(data_copy):
    with Server(data_copy) as running:
        yield running


# --------------------------------------------------------------------------- helpers


def by(css: str):
    from selenium.webdriver.common.by import By

    return (By.CSS_SELECTOR, css)


def wait(driver, condition, message: str = ""):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition, message)


def field(driver, name: str):
    return driver.find_element(*by(f'[name="{name}"]'))


def type_into(element, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    element.send_keys(Keys.CONTROL, "a")
    element.send_keys(Keys.DELETE)
    element.send_keys(text)


def texts(driver, css: str) -> list[str]:
    """The text of every element `css` selects, read at once (the live preview replaces
    the elements while a test reads them)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".filter(e => !e.closest('[hidden]')).map(e => e.textContent)",
        css,
    )


def lead_cells(driver) -> list[str]:
    return [fold(t) for t in texts(driver, '#preview td[data-col="lead"]')]


def errors_of(driver, name: str) -> list[str]:
    return [fold(t) for t in texts(driver, f'ul[data-errors-for="{name}"] li')]


def lead_columns(docx: bytes) -> list[list[str]]:
    """The "Cơ quan chủ trì" cells of every table of a DOCX that has that column."""
    import io

    import docx as python_docx

    out = []
    for table in python_docx.Document(io.BytesIO(docx)).tables:
        header = [fold(c.text) for c in table.rows[0].cells]
        if "Cơ quan chủ trì" in header:
            col = header.index("Cơ quan chủ trì")
            out.append([fold(row.cells[col].text) for row in table.rows[1:]])
    return out


def unit_file(data: Path, slug: str = "dinh-lap") -> Path:
    return data / "catalogs" / "units" / f"{slug}.yaml"


def open_dinh_lap(driver, server) -> None:
    driver.get(server.url + "/")
    driver.find_element(*by('tr[data-unit="dinh-lap"] a')).click()
    wait(driver, lambda d: d.find_elements(*by("#profile")), "the unit page did not open")


# --------------------------------------------------------------------------- tests


def test_edit_preview_save_and_download(browser, server, downloads, tmp_path):
    path = unit_file(server.data)
    before = path.read_text(encoding="utf-8")
    first_line = before.splitlines()[0]
    assert first_line.startswith("#")
    open_dinh_lap(browser, server)
    assert "xã Đình Lập" in browser.find_element(*by("h1")).text
    assert any("Phòng Nội vụ" in cell for cell in lead_cells(browser))

    new_body = "Phòng Nội vụ - Tư pháp"
    type_into(field(browser, "role:home_affairs"), new_body)
    wait(
        browser,
        lambda d: any(new_body in cell for cell in lead_cells(d)),
        "the preview did not show the new body",
    )
    assert path.read_text(encoding="utf-8") == before  # previewing saves nothing

    browser.find_element(*by("#save-button")).click()
    wait(browser, lambda d: d.find_elements(*by("#saved")), "no saved message")
    after = path.read_text(encoding="utf-8")
    assert after.splitlines()[0] == first_line  # the comment is kept
    assert f"home_affairs: [{new_body}]" in after
    assert [line for line in after.splitlines() if "home_affairs" not in line] == [
        line for line in before.splitlines() if "home_affairs" not in line
    ]
    assert any(new_body in cell for cell in lead_cells(browser))

    if os.environ.get("PLANGEN_SCREENSHOT"):
        browser.execute_script("window.scrollTo(0, 0)")
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT))
    shot = tmp_path / "unit.png"
    browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert browser.execute_script("return [innerWidth, innerHeight]") == [1366, 768]

    # the whole plan when the core renders it, and Phụ lục II on its own
    links = browser.find_elements(*by('#downloads a[href$="-ke-hoach-2026.docx"]'))
    links += browser.find_elements(*by('#downloads a[href$="sipas-2026.docx"]'))
    assert links
    for link in links:
        name = link.get_attribute("href").rsplit("/", 1)[-1]
        target = downloads / name
        target.unlink(missing_ok=True)
        link.click()
        wait(browser, lambda d, t=target: t.exists() and t.stat().st_size > 0, "no download")
        time.sleep(0.2)  # the browser renames the finished file into place
        leads = [lead for table in lead_columns(target.read_bytes()) for lead in table]
        assert any(new_body in lead for lead in leads), name


def test_validation_error_on_its_field(browser, server):
    path = unit_file(server.data)
    before = path.read_bytes()
    open_dinh_lap(browser, server)
    type_into(field(browser, "plan_number"), "12a")
    wait(browser, lambda d: errors_of(d, "plan_number"), "no live error under the number")
    assert "12a" in errors_of(browser, "plan_number")[0]
    assert browser.find_elements(*by("#preview-blocked"))
    browser.find_element(*by("#save-button")).click()
    wait(browser, lambda d: "/save" in d.current_url, "the form was not posted")
    [message] = errors_of(browser, "plan_number")
    assert 'số kế hoạch "12a" phải là số' in message
    assert "invalid" in browser.find_element(*by('[data-field="plan_number"]')).get_attribute(
        "class"
    )
    assert field(browser, "plan_number").get_attribute("value") == "12a"
    assert path.read_bytes() == before


def test_a_second_browser_meets_the_conflict(browser, server, downloads):
    path = unit_file(server.data)
    other = _chrome(downloads)
    try:
        open_dinh_lap(browser, server)
        open_dinh_lap(other, server)
        type_into(field(browser, "role:home_affairs"), "Phòng Nội vụ mới")
        browser.find_element(*by("#save-button")).click()
        wait(browser, lambda d: d.find_elements(*by("#saved")), "first save failed")
        saved = path.read_text(encoding="utf-8")

        type_into(field(other, "plan_number"), "236")
        other.find_element(*by("#save-button")).click()
        wait(other, lambda d: d.find_elements(*by("#conflict")), "no conflict shown")
        assert path.read_text(encoding="utf-8") == saved
        assert "+  number: 236" in other.find_element(*by("#conflict-diff")).text
        assert field(other, "role:home_affairs").get_attribute("value") == "Phòng Nội vụ mới"
        assert field(other, "plan_number").get_attribute("value") == "236"
        other.find_element(*by("#save-button")).click()
        wait(other, lambda d: d.find_elements(*by("#saved")), "second save failed")
        text = path.read_text(encoding="utf-8")
        assert "number: 236" in text and "home_affairs: [Phòng Nội vụ mới]" in text
    finally:
        other.quit()
        shutil.rmtree(other.profile_dir, ignore_errors=True)


def test_a_clerk_is_refused_another_unit(browser, data_copy, tmp_path):
    from generator.web.users import set_account

    users = tmp_path / "users.yaml"
    set_account(users, "dinhlap", "mat-khau-xa", unit="dinh-lap")
    with Server(data_copy, users) as server:
        browser.delete_all_cookies()
        browser.get(server.url + "/units/dinh-lap")
        wait(browser, lambda d: d.find_elements(*by('input[name="password"]')), "no login form")
        field(browser, "name").send_keys("dinhlap")
        field(browser, "password").send_keys("mat-khau-xa")
        browser.find_element(*by('form[action="/login"] button')).click()
        wait(browser, lambda d: d.find_elements(*by("#profile")), "login failed")
        browser.get(server.url + "/units/lang-son")
        assert "chỉ xem và sửa được hồ sơ của đơn vị mình" in browser.page_source
        status = browser.execute_async_script(
            "const done = arguments[0];"
            "fetch('/units/lang-son', {credentials: 'same-origin'}).then(r => done(r.status));"
        )
        assert status == 403
        assert 'data-unit="lang-son"' not in (browser.get(server.url + "/") or browser.page_source)


def status_text(driver) -> str:
    return fold(driver.find_element(*by("#download-status")).text)


def test_a_failed_download_says_why(browser, server):
    open_dinh_lap(browser, server)
    page = browser.current_url
    path = unit_file(server.data)  # the saved profile is broken meanwhile (a text editor)
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("home_affairs:", "home_afairs:"), encoding="utf-8")
    browser.find_element(*by('#downloads a[href$="sipas-2026.docx"]')).click()
    wait(browser, lambda d: "Không tải được" in status_text(d), "the failure was silent")
    text = status_text(browser)
    assert "Phụ lục II" in text and "Hồ sơ đã lưu còn lỗi nên chưa tải được tệp" in text
    assert 'có phải ý bạn là "home_affairs"' in text  # the error itself, in Vietnamese
    status = browser.find_element(*by("#download-status"))
    assert "bad" in status.get_attribute("class")
    assert browser.current_url == page  # the clerk stays on the page, the form as it was
    # a file that is not there (404) is said too
    path.write_text(good, encoding="utf-8")
    browser.execute_script(
        "document.querySelector('#downloads a[data-download]').href = arguments[0]",
        server.url + "/units/dinh-lap/files/khong-co.docx",
    )
    browser.find_element(*by("#downloads a[data-download]")).click()
    wait(browser, lambda d: "không có tệp" in status_text(d), "no message for a 404")
    assert "Error" not in status_text(browser)


def test_a_pdf_says_it_is_being_made(browser, server, downloads, monkeypatch):
    import generator.render.pdf as pdf_module

    gate = threading.Event()

    def slow(docs):  # LibreOffice taking its time
        gate.wait(WAIT)
        return [b"%PDF-1.4 thu\n" for _ in docs]

    monkeypatch.setattr(pdf_module, "soffice", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(pdf_module, "to_pdf", slow)
    open_dinh_lap(browser, server)
    links = browser.find_elements(*by("#downloads a[data-pdf]"))
    names = [link.accessible_name for link in links]
    assert len(set(names)) == len(names) == 3, names  # not three links called "PDF"
    assert "PDF Phụ lục II (SIPAS)" in names and all(n.startswith("PDF ") for n in names)
    link = next(link for link in links if "Phụ lục II" in link.accessible_name)
    name = link.get_attribute("href").rsplit("/", 1)[-1]
    target = downloads / name
    target.unlink(missing_ok=True)
    try:
        link.click()
        wait(browser, lambda d: "sang PDF" in status_text(d), "no progress shown")
        assert "Đang chuyển Phụ lục II (SIPAS) sang PDF" in status_text(browser)
        assert link.get_attribute("aria-busy") == "true"
        wait(browser, lambda d: "giây" in status_text(d), "the wait is not counted")
    finally:
        gate.set()
    wait(browser, lambda d: "Đã tải" in status_text(d), "the PDF did not arrive")
    wait(browser, lambda d: target.exists() and target.read_bytes().startswith(b"%PDF"), "no file")
    assert link.get_attribute("aria-busy") is None


def test_the_plan_date_typed_either_way(browser, server):
    path = unit_file(server.data)
    for typed, written in (
        ("07/07/2026", "date: 2026-07-07"),
        ("2026-07-08", "date: 2026-07-08"),
        ("9/7/2026", "date: 2026-07-09"),
        ("07/2026", "date: 2026-07"),
    ):
        open_dinh_lap(browser, server)
        type_into(field(browser, "plan_date"), typed)
        wait(
            browser,
            lambda d: d.find_element(*by("#profile")).get_attribute("data-previewed"),
            "no live preview",
        )
        assert errors_of(browser, "plan_date") == [], typed
        browser.find_element(*by("#save-button")).click()
        wait(browser, lambda d: d.find_elements(*by("#saved")), f"{typed} was not saved")
        assert written in path.read_text(encoding="utf-8"), typed
    open_dinh_lap(browser, server)
    type_into(field(browser, "plan_date"), "31/02/2026")
    wait(browser, lambda d: errors_of(d, "plan_date"), "no error for a day that does not exist")
    assert errors_of(browser, "plan_date") == ['ngày "31/02/2026" không tồn tại']


def test_a_refused_save_ties_its_errors_to_their_fields_and_focuses_the_first(browser, server):
    from selenium.webdriver.common.by import By

    open_dinh_lap(browser, server)
    type_into(field(browser, "signer_name"), "Nguyễn Văn A")
    type_into(field(browser, "plan_number"), "12a")
    browser.find_element(*by("#save-button")).click()
    wait(browser, lambda d: "/save" in d.current_url, "the form was not posted")
    number = field(browser, "plan_number")
    assert number.get_attribute("aria-invalid") == "true"
    [described] = number.get_attribute("aria-describedby").split()
    assert "12a" in browser.find_element(By.ID, described).text
    assert field(browser, "signer_name").get_attribute("aria-invalid") is None
    active = browser.switch_to.active_element
    assert active.get_attribute("name") == "plan_number", active.get_attribute("outerHTML")
    # the summary above the form names the field, and its link leads to it
    summary = browser.find_element(*by("#field-error-links a"))
    assert summary.text == "Số kế hoạch"
    # fixed as the clerk types: no longer invalid, no longer listed
    type_into(field(browser, "plan_number"), "236")
    wait(
        browser,
        lambda d: field(d, "plan_number").get_attribute("aria-invalid") is None,
        "the field stayed invalid",
    )
    assert browser.find_element(*by("#field-errors-note")).get_attribute("hidden") is not None
    # a role's error is tied to its role field, the defaults line kept as its description
    type_into(field(browser, "role:home_affairs"), "Phòng {{ unit.foo }}")
    wait(browser, lambda d: errors_of(d, "role:home_affairs"), "no error under the role")
    role = field(browser, "role:home_affairs")
    assert role.get_attribute("aria-invalid") == "true"
    ids = role.get_attribute("aria-describedby").split()
    assert ids == ["e-role:home_affairs", "d-role:home_affairs"]
    assert "unit" in browser.find_element(By.ID, ids[0]).text
    [listed] = browser.find_elements(*by("#field-error-links li"))
    assert listed.text.startswith("Cơ quan nội vụ")
    # the roles are named by what they mean, the kind by its Vietnamese name
    label = browser.find_element(*by('label[for="f-role:home_affairs"]')).text
    assert label.startswith("Cơ quan nội vụ") and "(commune)" not in browser.page_source


def test_on_a_phone_the_downloads_are_near_the_top(browser, server):
    metrics = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        open_dinh_lap(browser, server)
        width, height = browser.execute_script("return [innerWidth, innerHeight]")
        assert width == 390
        top = browser.execute_script(
            "return document.getElementById('downloads').getBoundingClientRect().top + scrollY"
        )
        assert top < 1.5 * height, top
        links = browser.find_elements(*by("#downloads a[data-download]"))
        assert links and all(link.is_displayed() for link in links)
    finally:
        desk = {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False}
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", desk)
