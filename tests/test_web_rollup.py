"""The roll-up page and the tracker upload's submission (HTTP level, FastAPI's test client):
Sở Nội vụ's accounts see the roll-up, its charts and downloads; a unit's clerk gets 403;
an uploaded tracker is stored in the history, an older one is refused with its differences
until sent again with "Ghi nhận dù cũ hơn"; the unit page lists what falls due."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette warns that it prefers httpx2 to httpx
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from test_cycle import UNITS, load, scenario
from test_web import client_for, login

from generator.web.users import set_account


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("web-rollup")
    return scenario(tmp, str(tmp / "data" / "plangen.db"))  # the data folder's own database


@pytest.fixture(autouse=True)
def _no_env_db(monkeypatch):
    monkeypatch.delenv("PLANGEN_DB", raising=False)


def csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(path).text).group(1)


@pytest.fixture(scope="module")
def accounts(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "users.yaml"
    set_account(path, "binhgia", "mat-khau-xa", unit="xa-binh-gia")
    set_account(path, "sonoivu", "mat-khau-so", admin=True)
    return path


def test_the_rollup_page_shows_units_charts_and_downloads(run):
    client = client_for(run["data"])
    r = client.get("/rollup?period=2026-Q3&date=2026-09-16")
    assert r.status_code == 200
    for slug in UNITS:
        assert f'data-unit="{slug}"' in r.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img" id="chart-areas"' in r.text
    assert 'id="chart-late"' in r.text and "<rect" in r.text
    assert "Quá hạn" in r.text and "Chưa ban hành" in r.text
    assert "http" not in re.sub(
        r'xmlns="http://www.w3.org/2000/svg"', "", r.text.split("<main>")[1]
    )
    links = re.findall(r'href="(/rollup/files/[^"]+)"', r.text)
    assert len(links) == 2
    for link in links:
        got = client.get(link.replace("&amp;", "&") + "&date=2026-09-16")
        assert got.status_code == 200 and got.content[:2] == b"PK"
        assert "attachment" in got.headers["content-disposition"]
    xlsx = next(link for link in links if link.split("?")[0].endswith(".xlsx"))
    book = load(io.BytesIO(client.get(xlsx + "&date=2026-09-16").content))
    assert {"Tổng hợp", "Ma trận", "Nhiệm vụ", "Biểu đồ"} <= set(book.sheetnames)


def test_the_rollup_is_for_the_province_only(run, accounts):
    clerk = client_for(run["data"], accounts)
    assert login(clerk, "binhgia", "mat-khau-xa").status_code == 303
    r = clerk.get("/rollup")
    assert r.status_code == 403 and "Sở Nội vụ" in r.text
    assert clerk.get("/rollup/files/x.xlsx").status_code == 403
    admin = client_for(run["data"], accounts)
    assert login(admin, "sonoivu", "mat-khau-so").status_code == 303
    assert admin.get("/rollup?period=2026-Q3&date=2026-09-16").status_code == 200
    anonymous = client_for(run["data"], accounts)
    assert anonymous.get("/rollup", follow_redirects=False).status_code == 303


def test_a_bad_period_is_said(run):
    r = client_for(run["data"]).get("/rollup?period=2026-Q9")
    assert r.status_code == 400 and "Kỳ báo cáo" in r.text


def test_the_unit_page_lists_what_falls_due(run):
    r = client_for(run["data"]).get("/units/xa-binh-gia")
    assert r.status_code == 200 and 'id="reminders"' in r.text
    assert "Sắp đến hạn (14 ngày tới)" in r.text
    assert "tệp theo dõi xa-binh-gia.xlsx nộp lúc" in r.text


def test_an_upload_is_stored_and_an_older_one_refused(tmp_path):
    from test_cycle import two_versions

    data, v1, v2 = two_versions(tmp_path, 4, "Xong")
    client = client_for(data)
    page = "/units/xa-binh-gia"
    assert "Chưa nộp tệp theo dõi nào" in client.get(page).text
    assert not (data / "plangen.db").exists()  # a page that only reads makes no database

    def send(path: Path, **extra):
        return client.post(
            f"{page}/status",
            data={"csrf": csrf(client, page), **extra},
            files={"tracker": (path.name, path.read_bytes())},
        )

    r = send(v1)
    assert r.status_code == 200 and "Đã ghi nhận vào lịch sử tiến độ: lần nộp #1" in r.text
    assert 'id="status-report"' in r.text
    r = send(v2)
    assert "lần nộp #2" in r.text and "So với lần nộp #1: 8 thay đổi" in r.text
    r = send(v1)
    assert r.status_code == 200 and 'id="submission-refused"' in r.text
    assert "Chưa ghi nhận vào lịch sử tiến độ" in r.text and r.text.count(">lùi<") == 8
    assert 'name="force" value="1"' in r.text
    r = send(v2)
    assert "không ghi lại" in r.text
    r = send(v1, force="1")
    assert "lần nộp #3" in r.text and "ghi nhận dù cũ hơn lần trước" in r.text
