"""After the plan: a filled tracker's status and reminders, trackers submitted into the
progress history, the unit's periodic report, the province's roll-up, and the web page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from generator.cli.base import app, note, settings, user_errors, workspace
from generator.core.errors import UserError

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        help="Cơ sở dữ liệu lịch sử tiến độ: sqlite:///TỆP.db, postgresql://… hoặc đường dẫn "
        "tệp (mặc định: $PLANGEN_DB, hoặc plangen.db trong thư mục dữ liệu)",
    ),
]
DateOption = Annotated[
    str | None,
    typer.Option("--date", metavar="YYYY-MM-DD", help="Ngày báo cáo (mặc định: hôm nay)"),
]
UnitOption = Annotated[
    str, typer.Option("--unit", "-u", metavar="MÃ", help="Mã đơn vị, ví dụ dinh-lap")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có")]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", metavar="THƯ-MỤC", help="Thư mục kết quả"),
]


def _day(text: str | None, option: str = "--date") -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f'{option} "{text}" phải có dạng YYYY-MM-DD') from None


def _database(url: str | None, create: bool = False):
    """The history; a command that only reads does not create it."""
    from generator.cycle.db import database_url, existing_database, open_database
    from generator.model.workspace import data_root

    address = database_url(url, data_root(settings().data))
    db = open_database(address) if create else existing_database(address)
    if db is None:
        raise UserError(
            f"chưa có lịch sử tiến độ ở {address.removeprefix('sqlite:///')}: nộp tệp theo dõi "
            "bằng plangen submit TỆP.xlsx --unit MÃ (hoặc chỉ định --db)"
        )
    return db


@app.command()
@user_errors
def status(
    trackers: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[TỆP.xlsx]…",
            help="Các tệp Excel theo dõi đã cập nhật (một hoặc nhiều); với --due có thể bỏ "
            "trống để đọc từ cơ sở dữ liệu",
        ),
    ] = None,
    date: DateOption = None,
    due: Annotated[
        int | None,
        typer.Option(
            "--due", metavar="SỐ-NGÀY", help="Chỉ liệt kê nhiệm vụ đến hạn trong số ngày tới"
        ),
    ] = None,
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", "-u", metavar="MÃ", help="Với --due: đơn vị (lặp lại được)"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Tổng hợp tệp theo dõi: số nhiệm vụ theo trạng thái, nhiệm vụ chậm (mã thoát 1 nếu có
    nhiệm vụ chậm, 2 nếu có tệp không đọc được). Với --due N: nhiệm vụ đến hạn trong N ngày
    tới của từng đơn vị, từ các tệp đã cho hoặc từ lần nộp mới nhất trong cơ sở dữ liệu."""
    today = _day(date)
    if due is not None:
        _reminders(trackers or [], today or dt.date.today(), due, unit, db)
        return
    if unit:
        raise UserError("--unit chỉ dùng với --due (nhắc việc đến hạn)")
    if not trackers:
        raise UserError("cần ít nhất một tệp theo dõi (hoặc --due SỐ-NGÀY để nhắc việc)")
    from generator.readback.status import format_report, format_total, read_status

    reports = []
    failed = 0
    for path in trackers:
        try:
            report = read_status(path, today)
        except UserError as exc:  # said, and the other files are still read
            if settings().debug:
                raise
            typer.echo(str(exc), err=True)
            failed += 1
            continue
        if reports:
            typer.echo("")
        typer.echo(format_report(report))
        reports.append(report)
    if len(trackers) > 1:
        typer.echo("")
        typer.echo(format_total(reports, failed))
    if failed:
        raise typer.Exit(2)
    if any(r.late for r in reports):
        raise typer.Exit(1)


def _reminders(trackers, today, days, units, db) -> None:
    from generator.core.dates import short
    from generator.cycle import reminders

    if not 0 <= days <= 366:
        raise UserError(f"--due {days}: số ngày phải từ 0 đến 366")
    if trackers and units:
        raise UserError("chọn một trong hai: các tệp theo dõi, hoặc --unit (từ cơ sở dữ liệu)")
    if trackers:
        found = reminders.from_files(list(trackers), today, days)
    else:
        found = reminders.from_database(_database(db), today, days, units or None)
        missing = [u for u in units or [] if u not in {r.unit for r in found}]
        for u in missing:
            note(f'đơn vị "{u}" chưa nộp tệp theo dõi năm {today.year} nào')
        if not found and not missing:
            raise UserError(f"chưa có đơn vị nào nộp tệp theo dõi năm {today.year}")
    until = today + dt.timedelta(days=days)
    typer.echo(f"Nhiệm vụ đến hạn trong {days} ngày tới ({short(today)} - {short(until)}):")
    for r in found:
        typer.echo("")
        typer.echo("\n".join(reminders.lines(r)))
    if any(r.late for r in found):
        raise typer.Exit(1)


@app.command()
@user_errors
def submit(
    tracker: Annotated[Path, typer.Argument(metavar="TỆP.xlsx", help="Tệp theo dõi đã điền")],
    unit: UnitOption,
    date: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="YYYY-MM-DD", help="Ngày của số liệu trong tệp (mặc định: hôm nay)"
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", metavar="TÊN", help="Người nộp (mặc định: tài khoản máy)")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Ghi nhận cả khi tệp cũ hơn lần nộp mới nhất")
    ] = False,
    db: DbOption = None,
) -> None:
    """Nộp tệp theo dõi đã điền vào lịch sử tiến độ (ai nộp, lúc nào, mã băm của tệp, trạng
    thái, ngày hoàn thành và ghi chú của từng nhiệm vụ theo từng tháng). Tệp cũ hơn lần nộp
    mới nhất bị từ chối, kèm các khác biệt; --force để vẫn ghi."""
    import getpass

    from generator.core.dates import short
    from generator.cycle.submit import OlderTracker
    from generator.cycle.submit import submit as submit_tracker

    ws = workspace()
    database = _database(db, create=True)
    who = by or getpass.getuser()
    try:
        outcome = submit_tracker(
            database, ws, unit, tracker, who=who, source="cli", as_of=_day(date), force=force
        )
    except OlderTracker as exc:
        typer.echo("Khác biệt so với lần nộp mới nhất:")
        typer.echo("\n".join(c.line() for c in exc.changes) or "  (không có)")
        raise
    if outcome.same:
        s = outcome.previous
        typer.echo(
            f"Tệp này đã được nộp lúc {s.local_time:%H:%M} ngày {short(s.local_time.date())} "
            f"(lần nộp #{s.id}, {s.submitted_by}); không ghi lại."
        )
        return
    s, snap = outcome.stored, outcome.snapshot
    counts = snap.counts(s.as_of)
    typer.echo(
        f"Đã ghi nhận {tracker.name} của đơn vị {unit}: lần nộp #{s.id}, {len(snap.tasks)} "
        f"nhiệm vụ (hoàn thành {counts['done']}, chậm tiến độ {counts['late']}), số liệu ngày "
        f"{short(s.as_of)}, người nộp {s.submitted_by}, SHA-256 {s.file_sha256[:16]}…, "
        f"vào {database.shown}."
    )
    if outcome.previous is not None:
        typer.echo(f"So với lần nộp #{outcome.previous.id}: {len(outcome.changes)} thay đổi.")
        for change in outcome.changes[:40]:
            typer.echo(change.line())
        if len(outcome.changes) > 40:
            typer.echo(f"  … và {len(outcome.changes) - 40} thay đổi khác.")
    if not outcome.newest:
        typer.echo("Lần nộp này được ghi vào lịch sử ngày của nó; số liệu mới nhất không đổi.")
    for warning in snap.warnings:
        note(f"cảnh báo: {warning}")


@app.command()
@user_errors
def report(
    unit: UnitOption,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            "-p",
            metavar="KỲ",
            help="Kỳ báo cáo: 2026-Q3 (quý), 2026-H1 (6 tháng), 2026-9M, 2026 (năm), 2026-03",
        ),
    ],
    tracker: Annotated[
        Path | None,
        typer.Option("--tracker", metavar="TỆP.xlsx", help="Đọc tệp này thay vì lần nộp mới nhất"),
    ] = None,
    date: DateOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """Báo cáo kết quả thực hiện Kế hoạch của đơn vị trong một kỳ (DOCX theo Nghị định 30),
    từ lần nộp tệp theo dõi mới nhất (hoặc --tracker)."""
    from generator.core.dates import short
    from generator.core.text import check_slug
    from generator.cycle.document import report_docx
    from generator.cycle.history import file_figures, unit_figures
    from generator.cycle.periods import parse_period
    from generator.cycle.report import report_file_name, unit_report
    from generator.cycle.reporttext import kinh_gui, report_body, report_table
    from generator.write.files import write_all

    slug = check_slug(unit)
    chosen = parse_period(period)
    today = _day(date) or dt.date.today()
    ws = workspace()
    if tracker is not None:
        figures = file_figures(tracker, slug, today)
    else:
        figures = unit_figures(_database(db), slug, chosen.year, today, chosen)
    facts = unit_report(ws, slug, chosen, figures, today)
    data = report_docx(ws, report_body(facts), report_table(facts), kinh_gui(facts))
    target = (out or Path("out") / slug) / report_file_name(slug, chosen)
    [written] = write_all([(target, data)], force)
    typer.echo(
        f"{written}: báo cáo {chosen.label} của {facts.plan.unit_name}, {facts.total} nhiệm "
        f"vụ (hoàn thành {facts.count('done')}, chậm tiến độ {facts.count('late')}, sắp đến "
        f"hạn {facts.count('at_risk')}), số liệu đến ngày {short(facts.ref)}"
    )
    typer.echo(f"  theo {figures.source}")


@app.command()
@user_errors
def rollup(
    period: Annotated[
        str | None,
        typer.Option(
            "--period", "-p", metavar="KỲ", help="Kỳ báo cáo (2026-Q3, …); bỏ trống: đến hôm nay"
        ),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", "-y", metavar="NĂM", help="Kế hoạch của năm này")
    ] = None,
    province: Annotated[
        str | None,
        typer.Option(
            "--province", metavar="MÃ-TỈNH", help="Tỉnh (khi dữ liệu có kế hoạch của nhiều tỉnh)"
        ),
    ] = None,
    date: DateOption = None,
    out: OutOption = None,
    force: ForceOption = False,
    db: DbOption = None,
) -> None:
    """Tổng hợp của tỉnh (Sở Nội vụ): đơn vị nào đã ban hành kế hoạch, có trong hạn không,
    tiến độ từng đơn vị và từng nhiệm vụ; ghi tệp Excel tổng hợp (ma trận, biểu đồ) và báo cáo
    tổng hợp của tỉnh (DOCX)."""
    from generator.core.dates import short
    from generator.cycle.document import report_docx
    from generator.cycle.periods import parse_period
    from generator.cycle.rollup import build_rollup, rollup_file_names
    from generator.cycle.rollupdoc import province_report
    from generator.cycle.rollupxlsx import rollup_xlsx
    from generator.write.files import write_all

    chosen = parse_period(period) if period else None
    today = _day(date) or dt.date.today()
    ws = workspace()
    summary = build_rollup(ws, _database(db), chosen, today, year, province)
    xlsx_name, docx_name = rollup_file_names(summary)
    folder = out or Path("out") / "tong-hop"
    files = [(folder / xlsx_name, rollup_xlsx(summary))]
    if summary.province is not None:
        body, table, addressee = province_report(ws, summary)
        files.append((folder / docx_name, report_docx(ws, body, table, addressee)))
    else:
        note("không có hồ sơ của tỉnh (loại province): không lập báo cáo tổng hợp DOCX")
    for path in write_all(files, force):
        typer.echo(str(path))
    totals = summary.totals()
    issued = [u for u in summary.units if u.issued]
    typer.echo(
        f"{len(summary.units)} đơn vị ({summary.edition}), số liệu đến ngày {short(summary.ref)}: "
        f"{len(issued)} đã ban hành kế hoạch ({sum(1 for u in issued if u.on_time)} trong "
        f"hạn); {len(summary.submitted)} đã nộp tệp theo dõi; {sum(totals.values())} nhiệm vụ, "
        f"hoàn thành {totals['done']}, chậm tiến độ {totals['late']}, sắp đến hạn "
        f"{totals['at_risk']}."
    )
    for problem in summary.problems:
        note(f"cảnh báo: {problem}")


@app.command()
@user_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng")] = 8000,
    users: Annotated[
        Path | None,
        typer.Option("--users", help="Tệp tài khoản (mật khẩu đã băm); bỏ trống: chỉ máy này"),
    ] = None,
) -> None:
    """Mở trang web để văn thư từng đơn vị điền hồ sơ, xem trước và tải kế hoạch."""
    from generator.web import serve as run_server

    s = settings()
    run_server(host=host, port=port, data=s.data, units_dirs=s.units_dirs, users=users)
