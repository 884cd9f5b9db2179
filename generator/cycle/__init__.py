"""After the plan is signed: trackers submitted into a database with their history, each
unit's periodic report, the province's roll-up, reminders of what falls due
(docs/cycle.md).

    periods    reporting periods and their cut-off windows (Nghị định 09/2019, Điều 12)
    db         the database's address, opening it, migrations on first use (Alembic)
    schema     the tables (SQLAlchemy Core); migrations/ the Alembic scripts
    snapshot   one tracker task by task, and the classes a task is counted in
    intake     a filled tracker read task by task (through readback's reader)
    store      submissions written and read back
    submit     a tracker sent in: compared with the newest, stored or refused
    history    what a report or the roll-up starts from: the newest figures of a unit
    report     the unit's report: its facts (counted from the tracker only)
    reporttext the unit's report as text: the body and the progress table
    document   a report as one DOCX, laid out as the plan body (Nghị định 30)
    rollup     the province's roll-up: units' plans, progress, late tasks
    rollupxlsx the consolidated workbook (matrix, filters, conditional colours, charts)
    rollupdoc  the province's own report
    charts     the roll-up's charts as inline SVG for the web page
    reminders  what falls due in the next days
"""
