"""`plangen serve` over HTTP (FastAPI's TestClient), on a private copy of the data.

Every page, the profile form and its round trip to YAML (comments kept, only the edited
keys changed), validation messages next to their fields (the same as `plangen validate`),
conflicting saves, accounts and 403s, CSRF, upload limits, and downloads read back with
python-docx and openpyxl.
"""

from __future__ import annotations

import difflib
import io
import re
import threading
import time
import warnings
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest

with warnings.catch_warnings():  # starlette warns that it prefers httpx2 to httpx
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conftest import fold, read_table

from generator.check.workspace import validate
from generator.core.errors import UserError
from generator.flow.generate import Options, render_files
from generator.model.workspace import open_workspace
from generator.readback.status import format_report, read_status
from generator.resolve.unit import unit_appendices as appendices
from generator.web import app as app_module
from generator.web import create_app, serve
from generator.web import profiles as profiles_module
from generator.web.users import hash_password, parse_users, set_account, verify_password
from generator.web.users import main as users_main

LOCAL = ("127.0.0.1", 50000)
BASE = "http://127.0.0.1"


# --------------------------------------------------------------------------- helpers


class Page(HTMLParser):
    """What a test needs of a page: the profile form's fields, the errors under each
    field, the preview's cells, the links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.fields: dict[str, list[str]] = {}  # what the browser would submit
        self.checkboxes: dict[str, list[tuple[str, bool]]] = {}
        self.errors: dict[str, list[str]] = {}
        self.cells: list[tuple[str, str, str]] = []  # (catalog, column, text) of the preview
        self.links: list[str] = []
        self.general: list[str] = []
        self._form = None
        self._textarea: str | None = None
        self._errors_for: str | None = None
        self._li = False
        self._catalog = ""
        self._cell: str | None = None
        self._general = False
        self._buffer: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = a.get("id")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "article" and a.get("data-catalog"):
            self._catalog = a["data-catalog"]
        if tag == "td" and a.get("data-col"):
            self._cell, self._buffer = a["data-col"], []
        if tag == "ul" and a.get("data-errors-for") is not None:
            self._errors_for = a["data-errors-for"]
            self.errors.setdefault(self._errors_for, [])
        if tag == "div" and a.get("id") == "general-errors" and "hidden" not in a:
            self._general = True
        if tag == "li" and (self._errors_for is not None or self._general):
            self._li, self._buffer = True, []
        if self._form != "profile" or "name" not in a:
            if tag == "textarea" and self._form == "profile":
                pass
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind == "checkbox":
                checked = "checked" in a
                self.checkboxes.setdefault(name, []).append((a.get("value", "on"), checked))
                if checked:
                    self.fields.setdefault(name, []).append(a.get("value", "on"))
            else:
                self.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea, self._buffer = name, []

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            text = "".join(self._buffer)
            self.fields.setdefault(self._textarea, []).append(text.removeprefix("\n"))
            self._textarea = None
        if tag == "td" and self._cell:
            self.cells.append((self._catalog, self._cell, "".join(self._buffer)))
            self._cell = None
        if tag == "li" and self._li:
            text = " ".join("".join(self._buffer).split())
            if self._errors_for is not None:
                self.errors[self._errors_for].append(text)
            else:
                self.general.append(text)
            self._li = False
        if tag == "ul" and self._errors_for is not None:
            self._errors_for = None
        if tag == "div" and self._general and not self._li:
            self._general = False
        if tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea or self._cell or self._li:
            self._buffer.append(data)

    def form(self, **changes: str | list[str]) -> dict[str, list[str]]:
        out = {k: list(v) for k, v in self.fields.items()}
        for name, value in changes.items():
            out[name.replace("__", ":")] = value if isinstance(value, list) else [value]
        return out

    def lead_cells(self, catalog: str | None = None) -> list[str]:
        return [t for c, col, t in self.cells if col == "lead" and (catalog in (None, c))]


def client_for(data: Path, users: Path | None = None, **kw) -> TestClient:
    app = create_app(data, [], users, secret=b"test-secret")
    return TestClient(app, client=LOCAL, base_url=BASE, **kw)


def unit_file(data: Path, slug: str = "dinh-lap") -> Path:
    return data / "catalogs" / "units" / f"{slug}.yaml"


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def cli_messages(data: Path, text: str, tmp_path: Path, slug: str = "dinh-lap") -> list[str]:
    """What `plangen validate` says about a profile with this text (same rules, same words)."""
    folder = tmp_path / "cli-units"
    folder.mkdir(exist_ok=True)
    path = folder / f"{slug}.yaml"
    path.write_text(text, encoding="utf-8")
    ws = open_workspace(data, [folder])
    return [p.message for p in validate(ws, [slug]) if p.where.path == path]


def task_tables(docx: bytes) -> list[list[str]]:
    """The lead cells of every task table of a DOCX (the whole plan holds one per appendix):
    tables whose header names "Cơ quan chủ trì", rows with a number in the first cell."""
    import docx as python_docx

    out = []
    for table in python_docx.Document(io.BytesIO(docx)).tables:
        header = [fold(c.text) for c in table.rows[0].cells]
        if "Cơ quan chủ trì" not in header:
            continue
        col = header.index("Cơ quan chủ trì")
        out.append(
            [
                fold(row.cells[col].text)
                for row in table.rows[1:]
                if fold(row.cells[0].text).isdigit()
            ]
        )
    return out


@pytest.fixture
def client(data_copy: Path) -> TestClient:
    return client_for(data_copy)


@pytest.fixture
def accounts(tmp_path: Path) -> Path:
    path = tmp_path / "users.yaml"
    set_account(path, "dinhlap", "mat-khau-xa", unit="dinh-lap")
    set_account(path, "sonoivu", "mat-khau-so", admin=True)
    return path


def login(client: TestClient, name: str, password: str):
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login",
        data={"csrf": token, "name": name, "password": password, "next": "/"},
        follow_redirects=False,
    )


# --------------------------------------------------------------------------- pages


def test_units_page_lists_units_with_plan_and_deadline(client, data_copy):
    late = unit_file(data_copy, "xa-muon")
    late.write_text(
        "kind: commune\nprovince: lang-son\n"
        "name: xã Muộn\nplan:\n  number: 7\n  date: 2026-07-20\n",
        encoding="utf-8",
    )
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    ws = open_workspace(data_copy)
    for slug in ws.unit_files:
        assert f'data-unit="{slug}"' in r.text
    row = r.text[r.text.index('data-unit="dinh-lap"') :]
    row = fold(re.sub(r"<[^>]+>", " ", row[: row.index("</tr>")]))
    assert "xã Đình Lập" in row and "Số 235/KH-UBND, ngày 06/7/2026" in row
    assert "08/7/2026" in row and "Trong hạn" in row
    row = r.text[r.text.index('data-unit="xa-muon"') :]
    assert "Quá hạn" in row[: row.index("</tr>")]


def test_unit_page_shows_the_profile_the_kind_defaults_and_the_preview(client, data_copy):
    r = client.get("/units/dinh-lap")
    assert r.status_code == 200
    page = Page(r.text)
    assert page.fields["plan_number"] == ["235"]
    assert page.fields["plan_date"] == ["2026-07-06"]
    assert page.fields["role:home_affairs"] == ["Phòng Nội vụ"]
    ws = open_workspace(data_copy)
    default = ws.kind("commune").roles["home_affairs"]
    field = r.text[r.text.index('data-field="role:home_affairs"') :]
    assert "Mặc định: " + "; ".join(default) in fold(field[: field.index("</div>")])
    # the preview is the unit's appendices, cell for cell
    apps = appendices(ws, "dinh-lap")
    assert [c for c, *_ in page.cells if c] and {c for c, *_ in page.cells} == {
        a.catalog for a in apps
    }
    for a in apps:
        expected = [fold(row.cells["lead"]) for row in a.tasks]
        assert [fold(t) for t in page.lead_cells(a.catalog)] == expected
    # the downloads of the saved profile
    names = [name for name, _ in render_files(ws, "dinh-lap", Options(Path(".")))]
    for name in names:
        assert f"/units/dinh-lap/files/{name}" in page.links
    assert "Hạn ban hành kế hoạch" in r.text and "08/7/2026" in r.text


def test_plan_body_preview_or_a_note_when_the_core_has_none(client, data_copy):
    page = client.get("/units/dinh-lap").text
    ws = open_workspace(data_copy)
    try:
        from generator.resolve.body import build_plan

        plan = build_plan(ws, "dinh-lap", appendices(ws, "dinh-lap"))
    except (ImportError, UserError):
        assert 'id="plan-note"' in page
        return
    text = fold(re.sub(r"<[^>]+>", " ", page))
    assert fold(plan.doc_type) in text
    for para in plan.paragraphs[:5]:
        assert fold(para.text) in text


def test_preview_of_an_unsaved_form(client, data_copy):
    before = unit_file(data_copy).read_bytes()
    page = Page(client.get("/units/dinh-lap").text)
    form = page.form(role__home_affairs="Phòng Nội vụ - Tư pháp")
    r = client.post("/units/dinh-lap/preview", data=form, headers={"accept": "application/json"})
    assert r.status_code == 200
    body = r.json()
    assert body["ok"] and body["dirty"] and body["fields"] == {}
    preview = Page(body["html"])
    leads = preview.lead_cells()
    assert any("Phòng Nội vụ - Tư pháp" in cell for cell in leads)
    assert not any(re.search(r"Phòng Nội vụ(?! - Tư pháp)", cell) for cell in leads)
    # without the script: the whole page, the form keeping what was typed
    r = client.post("/units/dinh-lap/preview", data=form)
    assert r.status_code == 200
    assert Page(r.text).fields["role:home_affairs"] == ["Phòng Nội vụ - Tư pháp"]
    assert unit_file(data_copy).read_bytes() == before  # nothing saved


def test_save_changes_only_the_edited_key_and_keeps_comments(client, data_copy):
    path = unit_file(data_copy)
    before = path.read_text(encoding="utf-8")
    page = Page(client.get("/units/dinh-lap").text)
    r = client.post(
        "/units/dinh-lap/save",
        data=page.form(role__home_affairs="Phòng Nội vụ\nVăn phòng HĐND và UBND xã"),
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/units/dinh-lap?saved=1"
    after = path.read_text(encoding="utf-8")
    assert comments(after) == comments(before)
    assert after.splitlines()[0] == before.splitlines()[0]  # the schema comment line
    diff = changed_lines(before, after)
    assert len(diff) == 2 and all("home_affairs" in line for line in diff), diff
    assert list(open_workspace(data_copy).unit("dinh-lap").model.roles["home_affairs"]) == [
        "Phòng Nội vụ",
        "Văn phòng HĐND và UBND xã",
    ]
    # the previous version is kept beside the profile
    [kept] = (path.parent / ".history").glob("dinh-lap.*.yaml")
    assert kept.read_text(encoding="utf-8") == before
    # the page says so, and shows the saved value
    page = client.get(r.headers["location"])
    assert 'id="saved"' in page.text
    assert Page(page.text).fields["role:home_affairs"] == [
        "Phòng Nội vụ\nVăn phòng HĐND và UBND xã"
    ]
    # a save with nothing changed leaves the file alone
    page = Page(page.text)
    r = client.post("/units/dinh-lap/save", data=page.form(), follow_redirects=False)
    assert r.status_code == 303 and path.read_text(encoding="utf-8") == after


def test_save_adds_and_clears_nested_keys_keeping_the_file_shape(client, data_copy):
    path = unit_file(data_copy)
    before = path.read_text(encoding="utf-8")
    page = Page(client.get("/units/dinh-lap").text)
    form = page.form(signer_name="Nguyễn Văn An", plan_symbol="KH-UBND", long_date="1")
    assert client.post("/units/dinh-lap/save", data=form).status_code == 200
    unit = open_workspace(data_copy).unit("dinh-lap").model
    assert unit.document.signer.name == "Nguyễn Văn An"
    assert unit.plan.symbol == "KH-UBND" and unit.plan.long_date is True
    middle = path.read_text(encoding="utf-8")
    assert comments(middle) == comments(before)
    page = Page(client.get("/units/dinh-lap").text)
    form = page.form(signer_name="", plan_symbol="")
    form.pop("long_date")
    assert client.post("/units/dinh-lap/save", data=form).status_code == 200
    assert path.read_text(encoding="utf-8") == before


def test_validation_errors_are_shown_next_to_their_field(client, data_copy, tmp_path):
    path = unit_file(data_copy)
    before = path.read_text(encoding="utf-8")
    page = Page(client.get("/units/dinh-lap").text)
    # (typed, how the page says the key the CLI's message starts with: '"name": …' is
    # 'Tên đơn vị: …', and left out where the rest names the field already)
    cases = {
        "plan_number": ("12a", ""),
        "plan_date": ("2026-13-01", "Ngày ban hành: "),
        "name": ("", "Tên đơn vị: "),
    }
    for field, (value, label) in cases.items():
        r = client.post("/units/dinh-lap/save", data=page.form(**{field: value}))
        assert r.status_code == 422, field
        shown = Page(r.text)
        assert shown.fields[field] == [value]  # what was typed stays in the form
        cli = cli_messages(data_copy, profiles_module.apply(before, {field: value}), tmp_path)
        assert cli and all(re.match(r'"\w+": ', m) for m in cli), cli
        expected = [label + m.split(": ", 1)[1] for m in cli]
        assert shown.errors[field] == expected, field
        others = {k: v for k, v in shown.errors.items() if v and k != field}
        assert not others, others
        assert path.read_text(encoding="utf-8") == before
    # a list field: an omission naming no task (the same message as plangen validate)
    r = client.post("/units/dinh-lap/save", data=page.form(omit=["khong-co-nhiem-vu"]))
    assert r.status_code == 422
    expected = cli_messages(
        data_copy, profiles_module.apply(before, {"omit": ("khong-co-nhiem-vu",)}), tmp_path
    )
    assert Page(r.text).errors["omit"] == expected
    # the live preview reports the same, by field
    r = client.post(
        "/units/dinh-lap/preview",
        data=page.form(plan_number="12a"),
        headers={"accept": "application/json"},
    )
    body = r.json()
    assert not body["ok"] and list(body["fields"]) == ["plan_number"]
    assert 'id="preview-blocked"' in body["html"]


def test_an_error_in_the_saved_file_is_shown_on_its_field(client, data_copy, tmp_path):
    path = unit_file(data_copy)
    text = path.read_text(encoding="utf-8").replace("home_affairs:", "home_afairs:")
    path.write_text(text, encoding="utf-8")
    r = client.get("/units/dinh-lap")  # the edit made outside shows at once
    assert r.status_code == 200
    page = Page(r.text)
    expected = cli_messages(data_copy, text, tmp_path)
    assert page.errors["role:home_afairs"] == expected
    assert 'có phải ý bạn là "home_affairs"' in expected[0]
    assert "Hồ sơ đã lưu còn lỗi" in r.text  # no downloads from an invalid profile


def test_conflicting_saves_lose_nothing(data_copy):
    path = unit_file(data_copy)
    first, second = client_for(data_copy), client_for(data_copy)
    page1 = Page(first.get("/units/dinh-lap").text)
    page2 = Page(second.get("/units/dinh-lap").text)
    r = first.post("/units/dinh-lap/save", data=page1.form(role__home_affairs="Phòng Nội vụ mới"))
    assert r.status_code == 200
    saved = path.read_text(encoding="utf-8")
    r = second.post("/units/dinh-lap/save", data=page2.form(plan_number="236"))
    assert r.status_code == 409
    assert path.read_text(encoding="utf-8") == saved  # the second save wrote nothing
    assert 'id="conflict"' in r.text
    diff = r.text[r.text.index('id="conflict-diff"') :]
    assert "-  number: 235" in diff and "+  number: 236" in diff
    table = fold(re.sub(r"<[^>]+>", " ", r.text[r.text.index('class="diff-table"') :]))
    assert "Số kế hoạch 235 235 236" in table  # opened, saved by the other, typed
    merged = Page(r.text)  # both changes in the form: the other's and this clerk's
    assert merged.fields["plan_number"] == ["236"]
    assert merged.fields["role:home_affairs"] == ["Phòng Nội vụ mới"]
    r = second.post("/units/dinh-lap/save", data=merged.form(), follow_redirects=False)
    assert r.status_code == 303
    unit = open_workspace(data_copy).unit("dinh-lap").model
    assert unit.plan.number == "236" and unit.roles["home_affairs"] == ("Phòng Nội vụ mới",)


def test_downloads_are_the_documents_of_the_saved_profile(client, data_copy):
    page = Page(client.get("/units/dinh-lap").text)
    ws = open_workspace(data_copy)
    apps = {f"dinh-lap-phu-luc-{a.numeral}-{a.catalog}.docx": a for a in appendices(ws, "dinh-lap")}
    links = [link for link in page.links if "/files/" in link and not link.endswith(".pdf")]
    assert len(links) == len(render_files(ws, "dinh-lap", Options(Path("."))))
    for link in links:
        r = client.get(link)
        assert r.status_code == 200, link
        name = link.rsplit("/", 1)[-1]
        assert r.headers["content-disposition"] == f'attachment; filename="{name}"'
        with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
            parts = set(zf.namelist())
        if name.endswith(".xlsx"):
            assert "xl/workbook.xml" in parts
            book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
            assert len(book.sheetnames) >= len(apps)
            book.close()
        elif name in apps:
            rows = read_table(r.content)
            tasks = [row for row in rows if row["kind"] == "task"]
            assert [fold(t["raw"][2]) for t in tasks] == [
                fold(row.cells["lead"]) for row in apps[name].tasks
            ]
        else:  # the whole plan: the body, then every appendix's table
            tables = task_tables(r.content)
            assert len(tables) == len(apps)
            for leads, app in zip(tables, apps.values(), strict=True):
                assert leads == [fold(row.cells["lead"]) for row in app.tasks]
    # after a save, the files follow the new profile
    client.post("/units/dinh-lap/save", data=page.form(role__home_affairs="Phòng Nội vụ X"))
    for link in links:
        if "-ke-hoach-" in link:
            tables = task_tables(client.get(link).content)
            assert any("Phòng Nội vụ X" in lead for leads in tables for lead in leads)
    name = next(n for n in apps if n.endswith("sipas-2026.docx"))
    cells = [
        t["raw"][2]
        for t in read_table(client.get(f"/units/dinh-lap/files/{name}").content)
        if t["kind"] == "task"
    ]
    assert any("Phòng Nội vụ X" in fold(c) for c in cells)
    assert client.get("/units/dinh-lap/files/khong-co.docx").status_code == 404
    assert client.get("/units/dinh-lap/files/..%2F..%2Fpyproject.toml").status_code == 404


def test_pdf_download_when_libreoffice_is_installed(client):
    from generator.render.pdf import soffice

    page = Page(client.get("/units/dinh-lap").text)
    pdfs = [link for link in page.links if link.endswith(".pdf")]
    if soffice() is None:
        assert not pdfs
        return
    r = client.get(next(p for p in pdfs if "phu-luc-II" in p))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_new_unit_from_a_kind(client, data_copy):
    r = client.get("/new")
    assert r.status_code == 200 and 'value="commune"' in r.text
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    form = {
        "csrf": token,
        "name": "Xã Lộc Bình",
        "kind": "commune",
        "province": "lang-son",
        "plan_number": "12",
        "plan_date": "2026-07-08",
    }
    r = client.post("/new", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/units/loc-binh?created=1"
    unit = open_workspace(data_copy).unit("loc-binh").model
    assert unit.name == "xã Lộc Bình" and unit.plan.number == "12"
    assert client.get("/units/loc-binh").status_code == 200
    r = client.post("/new", data=form)
    assert r.status_code == 422 and "đã có hồ sơ" in r.text


def test_tracker_upload_gives_the_status_summary(client, data_copy, tmp_path):
    ws = open_workspace(data_copy)
    name, data = next(
        f for f in render_files(ws, "dinh-lap", Options(Path("."))) if f[0].endswith(".xlsx")
    )
    page = client.get("/units/dinh-lap").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    r = client.post(
        "/units/dinh-lap/status",
        data={"csrf": token},
        files={"tracker": ("bao-cao thang 7.xlsx", data, "application/octet-stream")},
    )
    assert r.status_code == 200
    local = tmp_path / "t.xlsx"
    local.write_bytes(data)
    expected = format_report(read_status(local)).splitlines()[1:]  # after the file's path
    shown = re.search(r'<pre class="report" id="status-report">(.*?)</pre>', r.text, re.S)
    import html

    assert html.unescape(shown.group(1)).splitlines()[1:] == expected
    assert "Tệp theo dõi: bao-cao thang 7.xlsx" in html.unescape(shown.group(1))
    assert str(tmp_path) not in r.text and "/tmp/" not in r.text


def test_upload_limits(client):
    page = client.get("/units/dinh-lap").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def send(content: bytes, name: str = "theo-doi.xlsx"):
        return client.post(
            "/units/dinh-lap/status", data={"csrf": token}, files={"tracker": (name, content)}
        )

    r = send(b"day la van ban, khong phai Excel")  # said by core.package.Package
    assert r.status_code == 400 and "Tệp theo dõi không phải tệp Office" in r.text
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    r = send(buf.getvalue())
    assert r.status_code == 400 and "xl/workbook.xml" in r.text
    r = send(b"PK\x03\x04" + b"\0" * (6 * 1024 * 1024))
    assert r.status_code == 413 and "quá lớn" in r.text
    # a large body on a plain form is refused before it is read
    r = client.post("/units/dinh-lap/save", data={"csrf": token, "x": "a" * (2 * 1024 * 1024)})
    assert r.status_code == 413


def test_csrf_token_is_required_on_every_form(client, data_copy):
    path = unit_file(data_copy)
    before = path.read_bytes()
    page = Page(client.get("/units/dinh-lap").text)
    form = page.form(plan_number="999")
    for bad in ([], ["wrong-token"]):
        form["csrf"] = bad
        r = client.post("/units/dinh-lap/save", data=form)
        assert r.status_code == 403 and "CSRF" in r.text
    assert path.read_bytes() == before
    # a token from another session does not do either
    other = client_for(data_copy)
    form["csrf"] = page.fields["csrf"]
    assert other.post("/units/dinh-lap/save", data=form).status_code == 403
    assert client.post("/new", data={"name": "Xã A", "kind": "commune"}).status_code == 403
    assert path.read_bytes() == before


def test_accounts_see_only_their_unit(data_copy, accounts):
    client = client_for(data_copy, accounts)
    r = client.get("/units/dinh-lap", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    r = login(client, "dinhlap", "sai-mat-khau")
    assert r.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in r.text
    r = login(client, "dinhlap", "mat-khau-xa")
    assert r.status_code == 303 and r.headers["location"] == "/units/dinh-lap"
    assert client.get("/units/dinh-lap").status_code == 200
    ws = open_workspace(data_copy)
    other = next(n for n, _ in render_files(ws, "lang-son", Options(Path("."))))
    for url in ("/units/lang-son", f"/units/lang-son/files/{other}"):
        r = client.get(url)
        assert r.status_code == 403, url
        assert "chỉ xem và sửa được hồ sơ của đơn vị mình" in r.text
    token = Page(client.get("/units/dinh-lap").text).fields["csrf"][0]
    r = client.post("/units/lang-son/save", data={"csrf": token, "plan_number": "1"})
    assert r.status_code == 403
    units = client.get("/").text
    assert 'data-unit="dinh-lap"' in units and 'data-unit="lang-son"' not in units
    assert client.get("/new").status_code == 403
    # the administrator sees every unit
    admin = client_for(data_copy, accounts)
    assert login(admin, "sonoivu", "mat-khau-so").status_code == 303
    assert admin.get("/units/lang-son").status_code == 200
    assert 'data-unit="lang-son"' in admin.get("/").text
    # signing out ends the session
    token = Page(admin.get("/units/lang-son").text).fields["csrf"][0]
    admin.post("/logout", data={"csrf": token})
    assert admin.get("/units/lang-son", follow_redirects=False).status_code == 303


def test_sessions_are_signed_and_cookies_flagged(data_copy, accounts):
    client = client_for(data_copy, accounts)
    r = login(client, "dinhlap", "mat-khau-xa")
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    value = client.cookies["plangen_session"]
    forged = client_for(data_copy, accounts)
    body, mac = value.split(".")
    forged.cookies.set("plangen_session", body + "." + mac[:-2] + "AA")
    assert forged.get("/units/dinh-lap", follow_redirects=False).status_code == 303


def test_security_headers_on_pages_errors_and_files(client):
    for url in ("/", "/units/dinh-lap", "/units/khong-co", "/static/style.css"):
        r = client.get(url)
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"
    assert "<script>" not in client.get("/units/dinh-lap").text  # nothing inline for the CSP


def test_without_accounts_only_this_computer(data_copy):
    far = TestClient(create_app(data_copy, [], None), client=("192.0.2.7", 1), base_url=BASE)
    r = far.get("/")
    assert r.status_code == 403 and "--users" in r.text
    near = client_for(data_copy)
    r = near.get("/", headers={"host": "plangen.example.org"})  # DNS rebinding
    assert r.status_code == 403
    with pytest.raises(UserError, match="--users"):
        serve(host="0.0.0.0", port=8000, data=data_copy)


def test_error_pages_are_vietnamese_without_traceback(data_copy, monkeypatch):
    client = client_for(data_copy, raise_server_exceptions=False)
    r = client.get("/units/khong-co")
    assert r.status_code == 404 and "Không có đơn vị" in r.text
    r = client.get("/units/Bad..Slug")
    assert r.status_code == 404
    r = client.get("/khong-co-trang-nay")
    assert r.status_code == 404 and "Không tìm thấy trang này" in r.text
    r = client.delete("/units/dinh-lap")
    assert r.status_code == 405 and "<html" in r.text

    from generator.web import views

    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(views, "unit_rows", broken)
    r = client.get("/")
    assert r.status_code == 500
    assert "lỗi của chương trình" in r.text
    assert "Traceback" not in r.text and "RuntimeError" not in r.text


def test_a_profile_with_broken_yaml_is_explained(client, data_copy):
    unit_file(data_copy).write_text(
        "kind: commune\nprovince: lang-son\nname: [không đóng\n", encoding="utf-8"
    )
    r = client.get("/units/dinh-lap")
    assert r.status_code == 200 and "YAML" in r.text and "plangen validate" in r.text


# --------------------------------------------------------------------------- accounts file


def test_users_command_writes_hashes_and_keeps_the_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dinh-lap\n"))
    assert users_main(["add", str(path), "dinhlap", "--unit", "dinh-lap"]) == 0
    text = path.read_text(encoding="utf-8")
    assert "mat-khau-dinh-lap" not in text and "scrypt$" in text
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only
    path.write_text(text + "# ghi chú của Sở Nội vụ\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-quan-tri\n"))
    assert users_main(["add", str(path), "admin", "--admin"]) == 0
    assert "# ghi chú của Sở Nội vụ" in path.read_text(encoding="utf-8")
    accounts = parse_users(path)
    assert accounts["dinhlap"].unit == "dinh-lap" and not accounts["dinhlap"].admin
    assert accounts["admin"].admin
    assert verify_password("mat-khau-dinh-lap", accounts["dinhlap"].password)
    assert not verify_password("mat-khau-quan-tri", accounts["dinhlap"].password)
    # the two hashes of one password differ (a salt per account)
    assert hash_password("x" * 8) != hash_password("x" * 8)
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert users_main(["add", str(path), "b", "--unit", "dinh-lap"]) == 2
    assert "ít nhất 8 ký tự" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-dai-du\n"))
    assert users_main(["add", str(path), "c", "--unit", "../etc"]) == 2


def test_a_broken_users_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "users.yaml"
    path.write_text("users:\n  a:\n    unit: dinh-lap\n    password: mat-khau-ro\n")
    with pytest.raises(UserError) as err:
        create_app(None, [], path)
    assert "users.yaml:4" in str(err.value) and "đã băm" in str(err.value)


def test_files_are_rendered_once_per_version_of_their_inputs(client, data_copy):
    state = client.app.state.data
    for slug in ("dinh-lap", "lang-son", "dinh-lap", "lang-son"):
        assert client.get(f"/units/{slug}").status_code == 200
    assert state.render_count == 2
    page = Page(client.get("/units/dinh-lap").text)
    client.post("/units/dinh-lap/save", data=page.form(plan_number="240"))
    client.get("/units/lang-son")
    assert state.render_count == 3  # dinh-lap again; lang-son's files are unchanged
    # an edit made with a text editor or the CLI is seen by the next request
    path = unit_file(data_copy, "lang-son")
    path.write_text(path.read_text(encoding="utf-8").replace("252", "253"), encoding="utf-8")
    assert Page(client.get("/units/lang-son").text).fields["plan_number"] == ["253"]


# --------------------------------------------------------------------------- limits, sessions


class Gauge:
    """How many calls run at once, at most, and how many there were."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.most = self.calls = 0

    def slow(self, seconds: float, result=None):
        def call(*args, **kwargs):
            with self.lock:
                self.now += 1
                self.calls += 1
                self.most = max(self.most, self.now)
            try:
                time.sleep(seconds)
                if isinstance(result, BaseException):
                    raise result
                return result
            finally:
                with self.lock:
                    self.now -= 1

        return call


def at_once(calls, timeout: float = 30) -> list:
    """Run the calls in threads started together; their results, in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait(timeout)
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads)
    return results


def guesser(app, address: str, name: str = "dinhlap", password: str = "sai-mat-khau"):
    """A sign-in from `address`, ready to send: the form fetched, the POST to make."""
    client = TestClient(app, client=(address, 1), base_url=BASE)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    form = {"csrf": token, "name": name, "password": password, "next": "/"}
    return lambda: client.post("/login", data=form, follow_redirects=False)


def test_concurrent_wrong_passwords_are_all_counted(data_copy, accounts, monkeypatch):
    monkeypatch.setattr(app_module, "LOGIN_FAILURES", 3, raising=False)
    app = create_app(data_copy, [], accounts, secret=b"test-secret")
    gauge = Gauge()
    monkeypatch.setattr(app.state.users, "authenticate", gauge.slow(0.5))
    results = at_once([guesser(app, "192.0.2.7") for _ in range(12)])
    codes = [r.status_code for r in results]
    assert gauge.most <= 2  # sign-ins under way from one address
    assert codes.count(401) <= 3 and set(codes) <= {401, 429}, codes
    for _ in range(4):  # one attempt is left at most, then the address waits
        codes.append(guesser(app, "192.0.2.7")().status_code)
    assert codes.count(401) == 3 and codes[-1] == 429
    assert "15 phút" in guesser(app, "192.0.2.7")().text


def test_wrong_passwords_per_account_and_the_table_is_pruned(data_copy, accounts, monkeypatch):
    monkeypatch.setattr(app_module, "LOGIN_ACCOUNT_FAILURES", 2, raising=False)
    monkeypatch.setattr(app_module, "LOGIN_WINDOW", 0.5, raising=False)
    app = create_app(data_copy, [], accounts, secret=b"test-secret")
    limits = app.state.login_limits
    assert guesser(app, "192.0.2.1")().status_code == 401
    assert guesser(app, "192.0.2.2")().status_code == 401
    r = guesser(app, "192.0.2.3")()  # a third address: the account waits
    assert r.status_code == 429 and "Tài khoản này" in r.text
    assert guesser(app, "192.0.2.4", password="mat-khau-xa")().status_code == 429
    r = guesser(app, "192.0.2.5", "sonoivu", "mat-khau-so")()  # another account signs in
    assert r.status_code == 303
    for i in range(6):
        guesser(app, f"198.51.100.{i}", f"khong-co-{i}")()
    assert len(limits.failures) > 6
    time.sleep(0.6)
    limits.sweep_every = 0
    guesser(app, "203.0.113.9", "khong-co")()
    # only the last attempt's address and name are left: nothing grows without bound
    assert set(limits.failures) == {("address", "203.0.113.9"), ("account", "khong-co")}
    assert limits.running == {}


def test_password_checks_run_a_few_at_a_time(data_copy, accounts, monkeypatch):
    monkeypatch.setattr(app_module, "LOGIN_PARALLEL", 2, raising=False)
    monkeypatch.setattr(app_module, "LOGIN_QUEUE", 0, raising=False)
    app = create_app(data_copy, [], accounts, secret=b"test-secret")
    gauge = Gauge()
    monkeypatch.setattr(app.state.users, "authenticate", gauge.slow(0.5))
    results = at_once([guesser(app, f"192.0.2.{i}", f"user{i}") for i in range(6)])
    codes = sorted(r.status_code for r in results)
    assert gauge.most <= 2 and 401 in codes and 503 in codes, codes
    busy = next(r for r in results if r.status_code == 503)
    assert "bận" in busy.text and busy.headers["retry-after"]
    # a queue lets the others wait their turn instead
    monkeypatch.setattr(app_module, "LOGIN_QUEUE", 10, raising=False)
    app = create_app(data_copy, [], accounts, secret=b"test-secret")
    gauge = Gauge()
    monkeypatch.setattr(app.state.users, "authenticate", gauge.slow(0.1))
    results = at_once([guesser(app, f"192.0.2.{i}", f"user{i}") for i in range(6)])
    assert gauge.most <= 2 and [r.status_code for r in results] == [401] * 6


def upload(client: TestClient, content: bytes):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/units/dinh-lap").text).group(1)
    return lambda: client.post(
        "/units/dinh-lap/status",
        data={"csrf": token},
        files={"tracker": ("theo-doi.xlsx", content)},
    )


def workbook_zip(**parts: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        for name, data in parts.items():
            zf.writestr(name.replace("__", "/"), data)
    return buf.getvalue()


def test_a_tracker_that_unpacks_too_large_is_refused_unread(client, monkeypatch):
    from generator.readback import status as status_module

    calls = []
    monkeypatch.setattr(status_module, "read_status", lambda *a, **k: calls.append(a) or 1 / 0)
    bombs = [
        workbook_zip(xl__sharedStrings_xml=b"<sst>" + b"a" * (11 * 1024 * 1024)),  # one part
        workbook_zip(**{f"xl__p{i}_xml": bytes(4 * 1024 * 1024) for i in range(3)}),  # total
        workbook_zip(xl__styles_xml=b"<a/>" * (300 * 1024)),  # the ratio, under the sizes
    ]
    for bomb in bombs:  # the words of core.package.Package: too large, or a ratio
        assert len(bomb) < 300 * 1024
        r = upload(client, bomb)()
        assert r.status_code == 400, r.text[-300:]
        assert "giải nén ra quá lớn" in r.text or "nén bất thường" in r.text, r.text[-300:]
    assert calls == []


def test_one_tracker_read_at_a_time(client, monkeypatch):
    from generator.readback import status as status_module

    monkeypatch.setattr(app_module, "STATUS_QUEUE", 0, raising=False)
    client = client_for(client.app.state.data.data)
    gauge = Gauge()
    monkeypatch.setattr(status_module, "read_status", gauge.slow(0.4, UserError("đã đọc")))
    results = at_once([upload(client, workbook_zip()) for _ in range(3)])
    codes = sorted(r.status_code for r in results)
    assert gauge.most == 1 and codes[0] == 400 and codes[-1] == 503, codes
    assert "gửi lại" in next(r for r in results if r.status_code == 503).text


def test_the_form_is_bounded_before_any_yaml_or_preview(client, data_copy, monkeypatch):
    path = unit_file(data_copy)
    before = path.read_bytes()
    page = Page(client.get("/units/dinh-lap").text)
    applied = []
    real_apply = profiles_module.apply
    monkeypatch.setattr(
        profiles_module, "apply", lambda *a, **k: applied.append(a) or real_apply(*a, **k)
    )
    max_bodies = getattr(profiles_module, "MAX_BODIES", 50)
    max_text = getattr(profiles_module, "MAX_TEXT", 500)
    many = "\n".join(f"Phòng số {i}" for i in range(max_bodies + 1))
    cases = {
        "role:home_affairs": (many, "quá nhiều cơ quan"),
        "signer_name": ("A" * (max_text + 1), "quá dài"),
        "role:culture": ("B" * (max_text + 1), "quá dài"),
    }
    for field, (value, words) in cases.items():
        form = page.form(**{field.replace(":", "__"): value})
        r = client.post("/units/dinh-lap/save", data=form)
        assert r.status_code == 422, field
        assert any(words in m for m in Page(r.text).errors[field]), Page(r.text).errors
        r = client.post(
            "/units/dinh-lap/preview", data=form, headers={"accept": "application/json"}
        )
        body = r.json()
        assert not body["ok"] and list(body["fields"]) == [field]
        assert 'id="preview-blocked"' in body["html"]
    omit = [f"muc-{i}" for i in range(getattr(profiles_module, "MAX_OMIT", 500) + 1)]
    r = client.post("/units/dinh-lap/save", data=page.form(omit=omit))
    assert r.status_code == 422 and "bỏ đi quá nhiều mục" in " ".join(Page(r.text).errors["omit"])
    assert applied == [] and path.read_bytes() == before
    # a role name with a line break after it is no role name
    assert not profiles_module.ROLE_NAME.match("home_affairs\n")
    assert profiles_module.ROLE_NAME.fullmatch("home_affairs")


def test_pdf_conversions_run_one_or_two_at_a_time(client, monkeypatch):
    import generator.render.pdf as pdf_module

    monkeypatch.setattr(app_module, "PDF_PARALLEL", 1, raising=False)
    monkeypatch.setattr(app_module, "PDF_QUEUE", 0, raising=False)
    monkeypatch.setattr(pdf_module, "soffice", lambda: "/usr/bin/soffice")
    gauge = Gauge()
    slow = gauge.slow(0.4, b"%PDF-1.4 thu")
    monkeypatch.setattr(pdf_module, "to_pdf", lambda docs: [slow(*doc) for doc in docs])
    client = client_for(client.app.state.data.data)
    pdfs = [link for link in Page(client.get("/units/dinh-lap").text).links if ".pdf" in link]
    assert len(pdfs) >= 2
    results = at_once([lambda link=link: client.get(link) for link in pdfs])
    codes = [r.status_code for r in results]
    assert gauge.most == 1 and 200 in codes and 503 in codes, codes
    busy = next(r for r in results if r.status_code == 503)
    assert "PDF" in busy.text and "thử lại" in busy.text


def test_signing_out_or_a_new_password_ends_sessions(data_copy, accounts):
    from generator.web.security import Signer

    client = client_for(data_copy, accounts)
    assert login(client, "dinhlap", "mat-khau-xa").status_code == 303
    stolen = client.cookies["plangen_session"]
    token = Page(client.get("/units/dinh-lap").text).fields["csrf"][0]
    client.post("/logout", data={"csrf": token})
    replay = TestClient(client.app, client=LOCAL, base_url=BASE)
    replay.cookies.set("plangen_session", stolen)
    r = replay.get("/units/dinh-lap", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    # a new password ends the sessions of the old one
    other = client_for(data_copy, accounts)
    assert login(other, "dinhlap", "mat-khau-xa").status_code == 303
    assert other.get("/units/dinh-lap").status_code == 200
    set_account(accounts, "dinhlap", "mat-khau-moi-hon", unit="dinh-lap")
    assert other.get("/units/dinh-lap", follow_redirects=False).status_code == 303
    # a session lasts 12 hours after signing in, however active; 4 idle hours end it too
    fresh = client_for(data_copy, accounts)
    assert login(fresh, "dinhlap", "mat-khau-moi-hon").status_code == 303
    signer = Signer(b"test-secret")
    payload = signer.unsign(fresh.cookies["plangen_session"])
    now = int(time.time())
    for changes, ok in (
        ({}, True),
        ({"auth": now - 11 * 3600}, True),
        ({"auth": now - 13 * 3600}, False),
        ({"iat": now - 5 * 3600}, False),
    ):
        forged = TestClient(fresh.app, client=LOCAL, base_url=BASE)
        forged.cookies.set("plangen_session", signer.sign({**payload, **changes}))
        r = forged.get("/units/dinh-lap", follow_redirects=False)
        assert (r.status_code == 200) == ok, changes


def test_a_deleted_users_file_signs_everybody_out(data_copy, accounts):
    client = client_for(data_copy, accounts)
    assert login(client, "dinhlap", "mat-khau-xa").status_code == 303
    accounts.unlink()
    assert client.get("/units/dinh-lap", follow_redirects=False).status_code == 303
    r = login(client, "dinhlap", "mat-khau-xa")
    assert r.status_code == 503 and "tệp tài khoản" in r.text
    # a file with an error is no better than none; a good one lets them in again
    accounts.write_text("users:\n  dinhlap: [\n", encoding="utf-8")
    assert login(client, "dinhlap", "mat-khau-xa").status_code == 503
    accounts.unlink()
    set_account(accounts, "dinhlap", "mat-khau-xa", unit="dinh-lap")
    assert login(client, "dinhlap", "mat-khau-xa").status_code == 303


def test_a_very_long_unit_name_is_a_field_message(client, data_copy):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/new").text).group(1)
    form = {"csrf": token, "kind": "commune", "province": "lang-son", "plan_number": "1"}
    form["plan_date"] = "2026-07-08"
    cases = [
        ({"name": "Xã " + "Lộc Bình " * 40}, "name", "tên đơn vị quá dài"),
        ({"name": "Xã " + "A" * 120}, "name", "Mã đơn vị"),
        ({"name": "Xã Lộc Bình", "slug": "a" * 100}, "slug", "mã đơn vị quá dài"),
    ]
    units = data_copy / "catalogs" / "units"
    before = sorted(units.iterdir())
    for fields, name, words in cases:
        r = client.post("/new", data={**form, **fields})
        assert r.status_code == 422, fields
        shown = re.search(rf'data-errors-for="{name}"><li>(.*?)</li>', r.text)
        assert shown and words in shown.group(1), r.text[-500:]
    assert sorted(units.iterdir()) == before


def test_role_bodies_and_omit_ids_starting_with_a_yaml_indicator_round_trip(client, data_copy):
    from generator.model.yamlfile import parse_text

    odd = ["? Phòng A", ":Phòng B", "- Phòng C", "Phòng D: E", "[Phòng F]", "%G", "@H", "`I"]
    page = Page(client.get("/units/dinh-lap").text)
    r = client.post(
        "/units/dinh-lap/save",
        data=page.form(role__home_affairs="\n".join(odd)),
        follow_redirects=False,
    )
    # "- Phòng C" is read as a pasted list item: "Phòng C"
    assert r.status_code == 303, Page(r.text).errors
    roles = open_workspace(data_copy).unit("dinh-lap").model.roles["home_affairs"]
    assert list(roles) == [o if o != "- Phòng C" else "Phòng C" for o in odd]
    text = unit_file(data_copy).read_text(encoding="utf-8")
    ids = tuple(odd) + ("?", "#x", "a, b", "!tag", "&anchor", "*alias", "|", ">", "'q", '"q')
    out = profiles_module.apply(text, {"omit": ids, "role:culture": ids})
    data = parse_text(Path("x.yaml"), out).data
    assert tuple(data["omit"]) == ids and tuple(data["roles"]["culture"]) == ids


def test_a_foreign_cookie_before_the_session_cookie(data_copy, accounts):
    client = client_for(data_copy, accounts)
    assert login(client, "dinhlap", "mat-khau-xa").status_code == 303
    value = client.cookies["plangen_session"]
    bare = TestClient(client.app, client=LOCAL, base_url=BASE)
    for foreign in ("theme=dark mode", 'a=b"c', "x;; y"):
        r = bare.get(
            "/units/dinh-lap",
            headers={"cookie": f"{foreign}; plangen_session={value}"},
            follow_redirects=False,
        )
        assert r.status_code == 200, foreign


def asgi_post(app, receive, path: str = "/units/dinh-lap/save"):
    """Send one POST to the ASGI app with this `receive`; the messages it sent back."""
    import asyncio

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"1000"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent = []

    async def send(message):
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 10))
    return sent


def test_slow_bodies_time_out_and_serve_bounds_connections(data_copy, monkeypatch):
    import asyncio

    import uvicorn

    from generator.web import security

    monkeypatch.setattr(security, "BODY_TIMEOUT", 0.3, raising=False)
    app = create_app(data_copy, [], None)
    calls = iter([{"type": "http.request", "body": b"csrf=", "more_body": True}])

    async def slow_receive():
        message = next(calls, None)
        if message is None:
            await asyncio.sleep(60)  # the rest of the body never comes
        return message

    started = time.monotonic()
    sent = asgi_post(app, slow_receive)
    assert sent[0]["status"] == 408 and time.monotonic() - started < 5
    assert "quá chậm" in sent[1]["body"].decode()
    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    serve(host="127.0.0.1", port=8000, data=data_copy)
    assert seen["limit_concurrency"] > 0 and seen["timeout_keep_alive"] > 0


def test_a_client_that_disconnects_is_logged_quietly(data_copy, caplog):
    app = create_app(data_copy, [], None)

    async def gone():
        return {"type": "http.disconnect"}

    with caplog.at_level("INFO", logger="plangen.web"):
        asgi_post(app, gone)
    assert not [r for r in caplog.records if r.exc_info or r.levelname == "ERROR"]
    assert any("ngắt kết nối" in r.getMessage() for r in caplog.records)


def test_with_accounts_only_the_configured_host_names(data_copy, accounts, monkeypatch, capsys):
    import uvicorn

    monkeypatch.delenv("PLANGEN_HOSTS", raising=False)
    client = client_for(data_copy, accounts)
    for host in ("127.0.0.1", "localhost:8000", "[::1]:8000"):
        assert client.get("/login", headers={"host": host}).status_code == 200, host
    r = client.get("/login", headers={"host": "kehoach.example.gov.vn"})
    assert r.status_code == 400 and "PLANGEN_HOSTS" in r.text
    monkeypatch.setenv("PLANGEN_HOSTS", "kehoach.example.gov.vn, *.tinh.example")
    client = client_for(data_copy, accounts)
    for host, ok in (
        ("kehoach.example.gov.vn", True),
        ("KeHoach.example.gov.vn:443", True),
        ("so.tinh.example", True),
        ("evil.example", False),
        ("kehoach.example.gov.vn.evil.example", False),
    ):
        assert (client.get("/login", headers={"host": host}).status_code == 200) == ok, host
    # a proxy that does not pass the Host on: the page's Origin is one of those names
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    form = {"csrf": token, "name": "dinhlap", "password": "sai-mat-khau-1"}
    r = client.post("/login", data=form, headers={"origin": "https://kehoach.example.gov.vn"})
    assert r.status_code == 401
    r = client.post("/login", data=form, headers={"origin": "https://evil.example"})
    assert r.status_code == 403
    # accounts on an address of the network: a loud warning that TLS is the proxy's
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    serve(host="0.0.0.0", port=8000, data=data_copy, users=accounts)
    err = capsys.readouterr().err
    assert "CẢNH BÁO" in err and "TLS" in err and "reverse proxy" in err
    serve(host="127.0.0.1", port=8000, data=data_copy, users=accounts)
    assert "CẢNH BÁO" not in capsys.readouterr().err


def test_a_cross_site_upload_is_refused_before_its_body_is_parsed(client, monkeypatch):
    from starlette.requests import Request

    parsed = []
    real_form = Request.form
    monkeypatch.setattr(
        Request, "form", lambda self, **kw: parsed.append(1) or real_form(self, **kw)
    )
    send = upload(client, workbook_zip())
    parsed.clear()
    for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/units/dinh-lap").text)
        r = client.post(
            "/units/dinh-lap/status",
            data={"csrf": token.group(1)},
            files={"tracker": ("t.xlsx", b"PK\x03\x04" + bytes(500_000))},
            headers=headers,
        )
        assert r.status_code == 403 and "trang web khác" in r.text
    assert parsed == []
    r = client.post(
        "/units/dinh-lap/preview",
        data=Page(client.get("/units/dinh-lap").text).form(),
        headers={"origin": "http://127.0.0.1", "sec-fetch-site": "same-origin"},
    )
    assert r.status_code == 200 and send  # the page's own forms go through


def test_catalog_problems_are_shown_to_administrators_only(data_copy, accounts):
    (data_copy / "catalogs" / "kinds" / "zz-hong.yaml").write_text(
        "id: zz-hong\nname: [không đóng\n", encoding="utf-8"
    )
    clerk = client_for(data_copy, accounts)
    login(clerk, "dinhlap", "mat-khau-xa")
    assert "Dữ liệu chung" not in clerk.get("/").text
    admin = client_for(data_copy, accounts)
    login(admin, "sonoivu", "mat-khau-so")
    page = admin.get("/").text
    assert "Dữ liệu chung" in page and str(data_copy) not in page


def test_a_blanked_signer_field_falls_back_to_the_kinds_value(client, data_copy):
    """A blank field means the kind's default, even where the clerk's file had a comment:
    an explicit null would clear the kind's "KT. CHỦ TỊCH" line instead."""
    from generator.model.document import merged

    path = unit_file(data_copy)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("  signer:", "  signer:\n    deputy: KT. CHỦ TỊCH XÃ   # tạm thời", 1),
        encoding="utf-8",
    )
    page = Page(client.get("/units/dinh-lap").text)
    assert client.post("/units/dinh-lap/save", data=page.form(signer_deputy="")).status_code in (
        200,
        303,
    )
    ws = open_workspace(data_copy)
    unit = ws.unit("dinh-lap").model
    assert "deputy" not in unit.document.signer.model_fields_set
    signer = merged(ws.kind_of("dinh-lap").document, unit.document).signer
    assert signer.deputy == "KT. CHỦ TỊCH"
