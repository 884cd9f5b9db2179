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

from generator.check import validate
from generator.errors import UserError
from generator.generate import Options, appendices, render_files
from generator.load import open_workspace
from generator.status import format_report, read_status
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
        "kind: commune\nname: xã Muộn\nplan:\n  number: 7\n  date: 2026-07-20\n", encoding="utf-8"
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
        from generator.plan import build_plan

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
    assert open_workspace(data_copy).unit("dinh-lap").model.roles["home_affairs"] == [
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
    cases = {
        "plan_number": "12a",
        "plan_date": "2026-13-01",
        "name": "",
    }
    for field, value in cases.items():
        r = client.post("/units/dinh-lap/save", data=page.form(**{field: value}))
        assert r.status_code == 422, field
        shown = Page(r.text)
        assert shown.fields[field] == [value]  # what was typed stays in the form
        expected = cli_messages(data_copy, profiles_module.apply(before, {field: value}), tmp_path)
        assert expected, field
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
    assert unit.plan.number == "236" and unit.roles["home_affairs"] == ["Phòng Nội vụ mới"]


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
    from generator.pdf import soffice

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

    r = send(b"day la van ban, khong phai Excel")
    assert r.status_code == 400 and "không phải tệp Excel" in r.text
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
    unit_file(data_copy).write_text("kind: commune\nname: [không đóng\n", encoding="utf-8")
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
