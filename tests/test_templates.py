"""The template contract (docs/templates.md): styles by name, the sandbox, headers, the cache,
and the layout rules that live in the template's styles (docs/layout.md)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from generator.core.cache import cache_dir
from generator.core.errors import UserError
from generator.model.workspace import open_workspace
from generator.render.appendix import render_appendix
from generator.render.template import TABLE_STYLES, cache_name, load_template, read_template
from generator.resolve.unit import unit_appendices as appendices

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def w(name: str) -> str:
    return W + name


def shipped() -> Path:
    return open_workspace().template


def appendix(slug: str = "dinh-lap", catalog: str = "sipas-2026"):
    [a] = [a for a in appendices(open_workspace(), slug) if a.catalog == catalog]
    return a


def parts_of(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_parts(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def edited(tmp_path: Path, part: str, old: str, new: str, name: str = "t.docx") -> Path:
    parts = parts_of(shipped())
    text = parts[part].decode("utf-8")
    assert old in text, (part, old)
    parts[part] = text.replace(old, new).encode("utf-8")
    return write_parts(tmp_path / name, parts)


def styles_of(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read("word/styles.xml"))
    return {s.get(w("styleId")): s for s in root.iter(w("style"))}


def table_styles_used(data: bytes) -> set[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return {
        p.get(w("val"))
        for p in root.iter(w("pStyle"))
        if p.getparent().getparent().getparent().tag == w("tc")
    }


# --------------------------------------------------------------------------- layout in styles


def test_section_styles_keep_with_next_and_every_style_has_widow_control():
    styles = styles_of(shipped().read_bytes())
    for sid in ("PLSection", "PLSectionCode"):
        assert styles[sid].find(f"{w('pPr')}/{w('keepNext')}") is not None, sid
    for sid, style in styles.items():
        if sid.startswith("PL"):
            assert style.find(f"{w('pPr')}/{w('widowControl')}") is not None, sid
    root = etree.fromstring(parts_of(shipped())["word/styles.xml"])
    defaults = root.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")
    assert defaults.find(w("widowControl")) is not None


def test_text_is_tagged_vietnamese():
    root = etree.fromstring(parts_of(shipped())["word/styles.xml"])
    lang = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('lang')}")
    assert lang.get(w("val")) == "vi-VN"
    for style in root.iter(w("style")):
        if style.get(w("styleId")).startswith("PL"):
            assert style.find(f"{w('rPr')}/{w('lang')}").get(w("val")) == "vi-VN"


def test_core_properties_name_the_issuing_unit_not_the_tool():
    data = render_appendix(load_template(shipped()), appendix())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        core = zf.read("docProps/core.xml").decode("utf-8")
    assert "<dc:creator>Ủy ban nhân dân xã Đình Lập</dc:creator>" in core
    assert "<dc:title>Phụ lục II - CÁC NHIỆM VỤ" in core
    assert re.search(r"<cp:keywords>sipas-2026 sha256:[0-9a-f]{12} dinh-lap</cp:keywords>", core)
    assert "<dc:language>vi-VN</dc:language>" in core


# --------------------------------------------------------------------------- styles by name


def test_styles_are_found_by_name_when_their_ids_were_renamed(tmp_path):
    """A word processor may save "PLCell" as another id: the name "PL Ô" still finds it."""
    parts = parts_of(shipped())
    renamed = {"PLCell": "PLO", "PLCellCenter": "PLOgiua", "PLSection": "PLOmuc"}
    for old, new in renamed.items():
        for part in ("word/styles.xml", "word/document.xml"):
            parts[part] = re.sub(
                rf'w:(styleId|val)="{old}"'.encode(), rf'w:\1="{new}"'.encode(), parts[part]
            )
    path = write_parts(tmp_path / "renamed.docx", parts)
    data = render_appendix(load_template(path), appendix())
    used = table_styles_used(data)
    assert {"PLO", "PLOgiua", "PLOmuc"} <= used
    assert not {"PLCell", "PLCellCenter", "PLSection"} & used


def test_a_missing_table_style_is_named(tmp_path):
    path = edited(tmp_path, "word/styles.xml", '<w:name w:val="PL Ô mục"/>', '<w:name w:val="X"/>')
    with pytest.raises(UserError, match='mẫu thiếu kiểu đoạn \\(style\\) "PL Ô mục"'):
        load_template(path)
    assert set(TABLE_STYLES.values()) >= {"PL Ô mục", "PL Ô"}


# --------------------------------------------------------------------------- sandbox


def test_a_template_cannot_run_shell_commands(tmp_path):
    marker = tmp_path / "pwned"
    payload = f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"
    path = edited(tmp_path, "word/document.xml", "{{ label }}", "{{ label }}" + payload)
    with pytest.raises(UserError, match="mẫu"):
        render_appendix(load_template(path), appendix())
    assert not marker.exists()


@pytest.mark.parametrize(
    "jinja, words",
    [
        ("{% for i in range(100000) %}x{% endfor %}", "vòng lặp {% for %} không được phép"),
        ("{{ 'x' * 100000000 }}", "chuỗi lặp lại quá dài"),
        ("{{ 10**5000 }}", "phép lũy thừa quá lớn"),
        ("{% set a = 1 %}", "{% set %} không được phép trong mẫu"),
        ("{{ appendix.title + appendix.title * 5000 }}", "chuỗi lặp lại quá dài"),
        ("{{ ((unit.name ~ unit.name) ~ unit.name) }}", "chuỗi ghép ~ lồng nhau"),
        ('{{ "a" ** 2 }}', "phép lũy thừa chỉ dùng cho số"),
        ("{{ 1 / 0 }}", "phép tính không làm được (ZeroDivisionError)"),
        ("{{ -unit.name }}", "phép tính không làm được (TypeError)"),
        ("{{ unit.name.upper }}", "chỗ giữ chỗ là một hàm"),
        ("{{ unit.name }", "cú pháp {{ … }} hoặc {% … %} sai"),
        ("{{ unit.name|center(100000000) }}", 'bộ lọc "|center" không được phép'),
        ("{{ khong_co }}", 'tên "khong_co" không có'),
    ],
)
def test_template_jinja_is_bounded(tmp_path, jinja, words):
    path = edited(tmp_path, "word/document.xml", "{{ label }}", "{{ label }}" + jinja)
    with pytest.raises(UserError, match=re.escape(words)):
        render_appendix(load_template(path), appendix())


def test_a_template_error_names_the_part(tmp_path):
    parts = parts_of(shipped())
    header = parts["word/header1.xml"].decode("utf-8")
    parts["word/header1.xml"] = header.replace(
        "</w:p>", "<w:r><w:t>{{ unit.__class__ }}</w:t></w:r></w:p>", 1
    ).encode("utf-8")
    path = write_parts(tmp_path / "bad-header.docx", parts)
    with pytest.raises(UserError, match=r"mẫu, header1\.xml: .*thuộc tính ẩn \"__class__\""):
        render_appendix(load_template(path), appendix())
    path = edited(tmp_path, "word/document.xml", "{{ guide }}", "{{ guide }}{% set x = 1 %}")
    with pytest.raises(UserError, match=r"mẫu, phần thân, đoạn \d+: \{% set %\}"):
        render_appendix(load_template(path), appendix())


def test_documented_names_render_in_body_and_header(tmp_path):
    parts = parts_of(shipped())
    header = parts["word/header1.xml"].decode("utf-8")
    parts["word/header1.xml"] = header.replace(
        "</w:p>",
        '<w:r><w:t xml:space="preserve"> {{ unit.name|upper }} - {{ plan.symbol }}</w:t></w:r>'
        "</w:p>",
        1,
    ).encode("utf-8")
    path = write_parts(tmp_path / "header.docx", parts)
    template = load_template(path)
    assert not template.plain
    data = render_appendix(template, appendix())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rendered = zf.read("word/header1.xml").decode("utf-8")
        document = zf.read("word/document.xml").decode("utf-8")
    assert "XÃ ĐÌNH LẬP - KH-UBND" in rendered
    assert "Phụ lục II" in document and "<w:tbl>" in document
    assert render_appendix(template, appendix()) == data  # deterministic on this path too


# --------------------------------------------------------------------------- cache


def test_cache_key_follows_template_and_versions():
    data = shipped().read_bytes()
    assert cache_name(data) != cache_name(data + b" ")
    assert cache_name(data) == cache_name(data)


def test_a_damaged_cache_entry_is_cleaned_again():
    data = shipped().read_bytes()
    good = read_template(shipped(), data).source
    cached = cache_dir() / cache_name(data)
    cached.write_text("<w:document><w:body>garbage</w:body></w:document>", encoding="utf-8")
    assert read_template(shipped(), data).source == good
    assert cached.read_text(encoding="utf-8") == good


def test_not_a_docx_is_a_clear_error(tmp_path):
    for name, content in [
        ("empty.docx", b""),
        ("text.docx", b"hello"),
        ("zip.docx", b"PK\x03\x04junk"),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(UserError, match="mẫu"):
            load_template(path)


def test_a_damaged_template_is_refused_before_anything_is_written(tmp_path):
    broken = edited(tmp_path, "word/header1.xml", "</w:p>", "", "broken.docx")
    with pytest.raises(UserError, match=r"phần word/header1\.xml không phải XML hợp lệ"):
        load_template(broken)
    parts = parts_of(shipped())
    del parts["[Content_Types].xml"]
    with pytest.raises(UserError, match=r"mẫu thiếu phần \[Content_Types\]\.xml"):
        load_template(write_parts(tmp_path / "no-types.docx", parts))
    big = parts_of(shipped())
    big["word/media/padding.bin"] = b"\0" * 31_000_000  # unpacks past the limit
    with pytest.raises(UserError, match="nén bất thường|giải nén ra quá lớn"):
        load_template(write_parts(tmp_path / "bomb.docx", big))


def test_an_encrypted_zip_entry_is_a_user_error(tmp_path):
    path = write_parts(tmp_path / "enc.docx", parts_of(shipped()))
    data = bytearray(path.read_bytes())
    # set the "encrypted" flag of every entry (local headers and central directory)
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(sig, start)) != -1:
            data[start + offset] |= 1
            start += 4
    path.write_bytes(bytes(data))
    with pytest.raises(UserError, match="mẫu"):
        load_template(path)
