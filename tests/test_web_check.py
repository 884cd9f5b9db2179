"""`plangen serve` refuses what the CLI refuses, says each problem at its field by the
problem's `field` (never by its words), in Vietnamese only, and keeps what threads share
behind locks.

A save runs the whole check of `plangen --unit` (the unit's file, its trial, its appendices
and plan body built); a saved profile that fails is marked on the units list and gives no
downloads. Dates are typed as a clerk writes them. A tracker that is damaged is said
without a Python exception's name. Over HTTP with FastAPI's TestClient, on a private copy
of the data.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from conftest import fold
from test_web import Page, at_once, client_for, unit_file, upload

from generator.core.errors import UserError, Where
from generator.flow.generate import Options, render_files
from generator.model.workspace import open_workspace
from generator.web import profiles
from generator.web.checking import Placer
from generator.web.security import Revoked
from generator.web.state import Memo
from generator.web.users import Users, set_account

# Three offices typed into "departments": the tables resolve, the plan body names
# Phòng Nội vụ twice (it is home_affairs too). `plangen --unit` refuses it.
DEPARTMENTS = "Phòng Nội vụ\nPhòng Kinh tế\nVăn phòng HĐND và UBND xã"


@pytest.fixture
def client(data_copy: Path):
    return client_for(data_copy)


def row_of(html: str, slug: str) -> str:
    row = html[html.index(f'data-unit="{slug}"') :]
    return fold(re.sub(r"<[^>]+>", " ", row[: row.index("</tr>")]))


def cli_refuses(data: Path, tmp_path: Path, slug: str = "dinh-lap") -> str:
    """What `plangen --unit` says of the unit's saved profile (exit 2: refused)."""
    out = tmp_path / "out"
    command = [sys.executable, "-m", "generator.cli", "--data", str(data), "--unit", slug]
    run = subprocess.run([*command, "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    return run.stderr


# --------------------------------------------------------------------------- B: the full check


def test_a_save_the_cli_would_refuse_is_refused(client, data_copy, tmp_path):
    path = unit_file(data_copy)
    before = path.read_bytes()
    page = Page(client.get("/units/dinh-lap").text)
    form = page.form(role__departments=DEPARTMENTS)
    r = client.post("/units/dinh-lap/save", data=form, follow_redirects=False)
    assert r.status_code == 422
    assert path.read_bytes() == before  # nothing written
    shown = Page(r.text)
    assert 'id="saved"' not in r.text and "Chưa lưu" in r.text
    # the plan body's problem has no field of the form: it is listed above the form
    assert any('"Phòng Nội vụ" được nêu 2 lần' in m for m in shown.general), shown.general
    assert shown.fields["role:departments"] == [DEPARTMENTS]  # what was typed is kept
    # the same profile on disk: the CLI refuses it with the same words
    text = profiles.apply(before.decode(), {"role:departments": tuple(DEPARTMENTS.split("\n"))})
    path.write_text(text, encoding="utf-8")
    said = cli_refuses(data_copy, tmp_path)
    assert any(m in said for m in shown.general)
    path.write_bytes(before)
    # the live preview says so too, and shows no preview of a plan that cannot be built
    r = client.post("/units/dinh-lap/preview", data=form, headers={"accept": "application/json"})
    body = r.json()
    assert not body["ok"] and any("được nêu 2 lần" in m for m in body["general"])
    assert 'id="preview-blocked"' in body["html"]


def test_a_saved_profile_that_fails_is_marked_and_gives_no_files(client, data_copy):
    ws = open_workspace(data_copy)
    names = [n for n, _ in render_files(ws, "dinh-lap", Options(Path(".")))]
    assert "Trong hạn" in row_of(client.get("/").text, "dinh-lap")
    path = unit_file(data_copy)  # edited on disk: departments names Phòng Nội vụ again
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("roles:\n", "roles:\n  departments: [Phòng Nội vụ, Phòng Kinh tế]\n", 1),
        encoding="utf-8",
    )
    row = row_of(client.get("/").text, "dinh-lap")
    assert "Hồ sơ có lỗi" in row and "được nêu 2 lần" in row
    assert "Trong hạn" not in row
    assert "Trong hạn" in row_of(client.get("/").text, "tam-thanh")  # the others as they were
    page = client.get("/units/dinh-lap").text
    assert "Hồ sơ đã lưu còn lỗi" in page and not [n for n in names if n in page]
    assert "được nêu 2 lần" in " ".join(Page(page).general)
    for name in names:
        r = client.get(f"/units/dinh-lap/files/{name}")
        assert r.status_code == 409 and "chưa tải được tệp" in r.text
    json = {"accept": "application/json"}  # the page's script: the message, to show it
    r = client.get(f"/units/dinh-lap/files/{names[0]}", headers=json)
    assert r.status_code == 409 and "được nêu 2 lần" in r.json()["message"]
    # fixed on disk: marked no more
    path.write_text(text, encoding="utf-8")
    assert "Trong hạn" in row_of(client.get("/").text, "dinh-lap")
    assert client.get(f"/units/dinh-lap/files/{names[0]}").status_code == 200


def test_the_units_list_checks_each_saved_profile_once_per_version(client, data_copy):
    state = client.app.state.data
    client.get("/")
    made = state.check_count
    client.get("/")
    assert state.check_count == made  # nothing changed: nothing checked again
    path = unit_file(data_copy, "lang-son")
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    client.get("/")
    assert state.check_count == made + 1  # only the unit whose profile changed


# --------------------------------------------------------------------------- fields


def test_problems_go_to_the_field_their_path_names_never_by_their_words(data_copy):
    path = unit_file(data_copy)
    fields = profiles.fields_for({}, ["home_affairs", "departments"])
    values = {"signer_name": "A", "plan_date": "2026-07-06"}
    place = Placer(path, data_copy, fields, values, {"home_affairs": "Cơ quan nội vụ"})

    def at(field: str, message: str = 'vai trò "home_affairs" và plan.symbol') -> str | None:
        return place(UserError(message, Where(path, 3, 1, field)))[0]

    assert at("plan.date") == "plan_date"  # whatever the words say
    assert at("") is None  # no field: above the form, though the words name a role
    assert at("roles.departments.2") == "role:departments"
    assert at("omit.4") == "omit"
    assert at("document.signer.title") == "signer_title"
    assert at("document.signer") == "signer_name"  # the one signer field the form sets
    assert at("document.recipients") is None  # not a field of the form
    assert at("tasks.niem-yet-tthc.lead") is None
    # another file's problem is never placed at a field of this one
    other = UserError(
        "x",
        Where(
            data_copy / "catalogs" / "editions" / "lang-son-2026" / "sipas-2026.yaml", 3, 1, "name"
        ),
    )
    assert place(other)[0] is None
    # the key a message starts with is said as the form says it
    assert place(UserError('"name": không được để trống', Where(path, 3, 1, "name"))) == (
        "name",
        "Tên đơn vị: không được để trống",
    )
    item = UserError('"1" phải là một chuỗi văn bản', Where(path, 9, 5, "roles.home_affairs.1"))
    assert place(item) == ("role:home_affairs", "Dòng 2 phải là một chuỗi văn bản")


def test_no_pydantic_key_and_no_regex_mapping_left(client):
    page = Page(client.get("/units/dinh-lap").text)
    r = client.post("/units/dinh-lap/save", data=page.form(name=""))
    shown = Page(r.text)
    assert shown.errors["name"] == ["Tên đơn vị: không được để trống"]
    assert '"name":' not in r.text
    source = (Path(profiles.__file__).parent / "checking.py").read_text(encoding="utf-8")
    assert "_field_by_message" not in source and "re.compile" not in source


def test_a_placeholder_in_a_role_body_is_said_at_the_role(client):
    page = Page(client.get("/units/dinh-lap").text)
    r = client.post(
        "/units/dinh-lap/preview",
        data=page.form(role__home_affairs="Phòng {{ unit.foo }}"),
        headers={"accept": "application/json"},
    )
    body = r.json()
    assert list(body["fields"]) == ["role:home_affairs"] and body["general"] == []
    assert '"foo"' in body["fields"]["role:home_affairs"][0]


def test_roles_by_what_they_mean_kinds_by_their_name(client):
    html = client.get("/units/dinh-lap").text
    label = re.search(r'<label for="f-role:home_affairs">(.*?)</label>', html, re.S).group(1)
    text = fold(re.sub(r"<[^>]+>", " ", label))
    assert text.startswith("Cơ quan nội vụ") and text.endswith("home_affairs")
    assert "(commune)" not in html and "Xã ·" in fold(html)
    assert "(commune)" not in client.get("/new").text
    # each PDF link's name says which document it is
    pdfs = re.findall(r'data-pdf="1"[^>]*>PDF<span class="visually-hidden"> ([^<]+)</span>', html)
    assert not pdfs or len(set(pdfs)) == len(pdfs) == 3


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("07/07/2026", "date: 2026-07-07"),
        ("7/7/2026", "date: 2026-07-07"),
        ("2026-07-07", "date: 2026-07-07"),
        ("07/2026", "date: 2026-07"),
        ("2026-07", "date: 2026-07"),
    ],
)
def test_the_plan_date_as_a_clerk_types_it(client, data_copy, typed, written):
    page = Page(client.get("/units/dinh-lap").text)
    r = client.post("/units/dinh-lap/save", data=page.form(plan_date=typed), follow_redirects=False)
    assert r.status_code == 303, Page(r.text).errors
    assert written in [
        line.strip() for line in unit_file(data_copy).read_text(encoding="utf-8").splitlines()
    ]


def test_a_date_in_no_known_form_is_said_at_its_field(client, data_copy):
    before = unit_file(data_copy).read_bytes()
    page = Page(client.get("/units/dinh-lap").text)
    for typed, words in (("31/02/2026", "không tồn tại"), ("ngày 7", "ngày/tháng/năm")):
        r = client.post("/units/dinh-lap/save", data=page.form(plan_date=typed))
        assert r.status_code == 422
        assert Page(r.text).fields["plan_date"] == [typed]
        [message] = Page(r.text).errors["plan_date"]
        assert words in message, message
    assert unit_file(data_copy).read_bytes() == before
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/new").text).group(1)
    form = {"csrf": token, "name": "Xã Lộc Bình", "kind": "commune", "plan_date": "08/07/2026"}
    form["province"] = "lang-son"
    assert client.post("/new", data=form, follow_redirects=False).status_code == 303
    assert open_workspace(data_copy).unit("loc-binh").model.plan.date.iso() == "2026-07-08"


# --------------------------------------------------------------------------- Vietnamese only


def _tracker(data_copy: Path) -> bytes:
    ws = open_workspace(data_copy)
    return next(
        d for n, d in render_files(ws, "dinh-lap", Options(Path("."))) if n.endswith(".xlsx")
    )


def _rezip(data: bytes, skip="", stored=False, flip="", cut="") -> bytes:
    """The workbook packed again: without the part `skip`, with the part `cut` cut short, or
    stored (not deflated) with one byte of the part `flip` changed after its CRC."""
    out = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", method) as zout:
        for info in zin.infolist():
            part = zin.read(info)
            if info.filename != skip:
                zout.writestr(info.filename, part[:200] if info.filename == cut else part)
    raw = bytearray(out.getvalue())
    if flip:  # one byte of a stored part changed after its CRC was written
        at = raw.index(b"<", raw.index(flip.encode()) + len(flip)) + 1
        raw[at] ^= 0x01
    return bytes(raw)


def test_tracker_errors_quote_no_python_exception(client, data_copy):
    good = _tracker(data_copy)
    cases = {
        "a missing part": _rezip(good, skip="xl/sharedStrings.xml"),  # KeyError
        "a bad CRC": _rezip(good, stored=True, flip="xl/styles.xml"),  # BadZipFile
        "broken XML": _rezip(good, cut="xl/worksheets/sheet1.xml"),  # ParseError
    }
    for what, data in cases.items():
        r = upload(client, data)()
        assert r.status_code == 400, what
        text = fold(re.sub(r"<[^>]+>", " ", r.text))
        python = re.search(r"[A-Z][a-z]+(Error|Exception)|BadZipFile|There is no item", text)
        assert python is None, (what, text[-600:])
        assert "hỏng" in text and "tệp theo dõi" in text.lower(), (what, text[-600:])


def test_a_failed_download_answers_the_page_script_in_json(client, data_copy):
    r = client.get("/units/dinh-lap/files/khong-co.docx", headers={"accept": "application/json"})
    assert r.status_code == 404 and "không có tệp" in r.json()["message"]
    r = client.get("/units/dinh-lap/files/khong-co.docx")  # a browser without the script
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "không có tệp" in r.text
    html = client.get("/units/dinh-lap").text
    assert " download" not in re.sub(r"data-download", "", html)  # no silent download links


# --------------------------------------------------------------------------- threads


def test_a_memo_makes_each_value_once_whoever_asks(monkeypatch):
    memo = Memo(2)
    made = []

    def make():
        made.append(1)
        time.sleep(0.2)
        return object()

    values = at_once([lambda: memo.get("k", make) for _ in range(8)])
    assert len(made) == 1 and len({id(v) for v in values}) == 1 and memo.made == 1
    with pytest.raises(ZeroDivisionError):
        memo.get("bad", lambda: 1 / 0)
    assert memo.get("bad", lambda: 5) == 5  # a failure keeps nothing
    memo.get("a", lambda: 1)
    memo.get("b", lambda: 2)
    assert memo.get("k", lambda: "again") == "again"  # the oldest went


def test_signed_out_sessions_and_accounts_are_safe_across_threads(tmp_path):
    revoked = Revoked(lifetime=0.2)
    at_once([lambda i=i: revoked.add(f"s{i}", time.time()) for i in range(20)])
    assert all(revoked.has(f"s{i}") for i in range(20))
    time.sleep(0.3)
    revoked.add("new", time.time())
    assert not revoked.has("s1") and revoked.has("new")  # the old ones are dropped

    path = tmp_path / "users.yaml"
    set_account(path, "a", "mat-khau-dai", unit="dinh-lap")
    users = Users(path)
    stop = threading.Event()
    seen: list[int] = []

    def read():
        while not stop.is_set():
            accounts = users.accounts()
            seen.append(len(accounts))
            with pytest.raises(TypeError):
                accounts["x"] = None  # what a reader gets cannot be changed under others

    readers = [threading.Thread(target=read) for _ in range(4)]
    for t in readers:
        t.start()
    for i in range(5):
        set_account(path, f"b{i}", "mat-khau-dai", unit="dinh-lap")
    time.sleep(0.1)
    stop.set()
    for t in readers:
        t.join(5)
    assert len(users.accounts()) == 6 and set(seen) <= set(range(1, 7))
