"""Export CSV: the whole list, streamed as it is read, safe to open in a spreadsheet."""

import csv
import io
import tracemalloc
from datetime import timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.subscribers import export
from app.subscribers.export import neutral
from tests.signup_rows import T0, add_signup, add_signups

HEADER = "email,platform,mode,signed_up_at,campaign,unsubscribed"


@pytest.fixture
def campaign(make, artist):
    return make.campaign(artist, title="Glass Rivers", slug="glass-rivers")


def export_url(campaign):
    return f"/dashboard/campaigns/{campaign.id}/subscribers.csv"


def rows_of(response):
    return list(csv.reader(io.StringIO(response.text)))


def test_the_export_is_a_csv_file_named_for_the_page_with_the_agreed_header(
    logged_in, app, campaign
):
    add_signup(app, campaign, "ana@example.com", "deezer", created_at=T0)
    later = T0 + timedelta(hours=1)
    add_signup(app, campaign, None, "apple_music", created_at=later, connected=True)
    add_signup(
        app, campaign, "bo@example.com", created_at=T0 + timedelta(days=2), unsubscribed=True
    )
    response = logged_in.get(export_url(campaign))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="glass-rivers-subscribers.csv"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert response.text.splitlines()[0] == HEADER
    assert rows_of(response)[1:] == [
        ["ana@example.com", "Deezer", "email", "2026-03-01T12:00:00Z", "Glass Rivers", "no"],
        ["", "Apple Music", "direct", "2026-03-01T13:00:00Z", "Glass Rivers", "no"],
        ["bo@example.com", "Spotify", "email", "2026-03-03T12:00:00Z", "Glass Rivers", "yes"],
    ]


def test_a_campaign_nobody_signed_up_to_exports_the_header_alone(logged_in, campaign):
    assert logged_in.get(export_url(campaign)).text == HEADER + "\r\n"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_neutralized(
    logged_in, app, make, artist, start
):
    # Stored as-is to prove the export does not trust what is in the database.
    campaign = make.campaign(artist, title=f"{start}SUM(1+1)")
    add_signup(app, campaign, f"{start}cmd|' /C calc'!A0@example.com")
    [_, row] = rows_of(logged_in.get(export_url(campaign)))
    assert row[0] == f"'{start}cmd|' /C calc'!A0@example.com"
    assert row[4] == f"'{start}SUM(1+1)"


def test_harmless_cells_are_left_alone():
    for cell in ["ana@example.com", "Glass Rivers", "a=b", "", "'quoted", "1-2"]:
        assert neutral(cell) == cell


def test_commas_quotes_and_line_breaks_stay_inside_their_cell(logged_in, app, make, artist):
    campaign = make.campaign(artist, title='Night, "Live"\nat Home')
    add_signup(app, campaign, '"odd,fan"@example.com')
    [_, row] = rows_of(logged_in.get(export_url(campaign)))
    assert row[0] == '"odd,fan"@example.com' and row[4] == 'Night, "Live"\nat Home'


def test_rows_leave_in_chunks_as_they_are_read_through_a_streaming_cursor(logged_in, app, campaign):
    add_signups(app, campaign, export.BATCH * 2 + 5)
    with app.app_context():
        engine = db.engine
    executions = []

    def record(conn, clauseelement, multiparams, params, execution_options):
        if "signup" in str(clauseelement) and "created_at" in str(clauseelement):
            executions.append(conn.get_execution_options() | execution_options)

    cursors = []

    def record_cursor(conn, cursor, statement, *args):
        if "FROM signup" in statement and "ORDER BY signup.created_at" in statement:
            cursors.append(cursor)

    event.listen(engine, "before_execute", record)
    event.listen(engine, "before_cursor_execute", record_cursor)
    try:
        response = logged_in.get(export_url(campaign), buffered=False)
        assert response.is_streamed
        chunks = list(response.response)
        response.close()
    finally:
        event.remove(engine, "before_execute", record)
        event.remove(engine, "before_cursor_execute", record_cursor)
    if engine.dialect.name == "postgresql":
        # A named (server-side) cursor: PostgreSQL sends the rows as they are fetched.
        assert cursors and type(cursors[-1]).__name__ == "ServerCursor"
    assert len(chunks) == 3  # one per batch of rows read, the last one partly full
    assert executions and executions[-1]["stream_results"] is True
    assert executions[-1]["yield_per"] == export.BATCH
    lines = b"".join(chunks).decode().splitlines()
    assert lines[0] == HEADER and len(lines) == export.BATCH * 2 + 6
    assert lines[1].startswith("fan1@example.com,") and lines[-1].startswith(
        f"fan{export.BATCH * 2 + 5}@example.com,"
    )


def _export_peak_memory(client, campaign):
    """The bytes exported and the most memory the export held at once (tracemalloc)."""
    response = client.get(export_url(campaign), buffered=False)
    size = 0
    tracemalloc.start()
    try:
        for chunk in response.response:
            size += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        response.close()
    return size, peak


def test_exporting_four_times_the_signups_takes_no_more_memory(logged_in, app, make, artist):
    small, large = make.campaign(artist), make.campaign(artist)
    add_signups(app, small, export.BATCH * 4)
    add_signups(app, large, export.BATCH * 16)
    small_size, small_peak = _export_peak_memory(logged_in, small)
    large_size, large_peak = _export_peak_memory(logged_in, large)
    assert large_size > 3.9 * small_size
    assert large_peak < small_peak * 1.25, (small_peak, large_peak)
