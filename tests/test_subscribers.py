"""The Subscribers tab: who signed up, counted, searched, paged by keyset, and removed."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Connection, PushSubscription, Signup
from app.subscribers.listing import PAGE_SIZE, Cursor, page_query
from tests.signup_rows import T0, add_signup, add_signups


@pytest.fixture
def campaign(make, artist):
    return make.campaign(artist, title="Glass Rivers", time_zone="America/New_York")


def subscribers_url(campaign, **query):
    suffix = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/dashboard/campaigns/{campaign.id}/subscribers" + (f"?{suffix}" if suffix else "")


def emails_on(html):
    return re.findall(r'<td data-label="Email" class="email">([^<]+)</td>', html)


def older_link(html):
    match = re.search(r'rel="next" href="[^"]*before=([0-9.]+)', html)
    return match and match.group(1)


def newer_link(html):
    match = re.search(r'rel="prev" href="[^"]*after=([0-9.]+)', html)
    return match and match.group(1)


def test_the_campaigns_list_is_called_smart_links_and_each_title_opens_its_page(
    logged_in, campaign
):
    listing = logged_in.get("/dashboard/").text
    assert "<h1>Smart Links</h1>" in listing and "<title>Smart Links · Dropday</title>" in listing
    assert f'<a href="/dashboard/campaigns/{campaign.id}">Glass Rivers</a>' in listing


def test_a_campaign_page_opens_on_its_first_tab(logged_in, campaign):
    response = logged_in.get(f"/dashboard/campaigns/{campaign.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == subscribers_url(campaign)
    page = logged_in.get(subscribers_url(campaign)).text
    tab = re.search(r'<nav class="tabs".*?</nav>', page, re.S).group(0)
    assert re.search(r'href="[^"]+/subscribers"\s+aria-current="page">Subscribers</a>', tab)


def test_the_table_shows_each_signup_as_the_artist_needs_it(logged_in, app, campaign):
    add_signup(app, campaign, "ana@example.com", "deezer", created_at=T0, push=True)
    add_signup(
        app, campaign, None, "apple_music", created_at=T0 + timedelta(hours=1), connected=True
    )
    add_signup(
        app, campaign, "bo@example.com", created_at=T0 + timedelta(hours=2), unsubscribed=True
    )
    page = logged_in.get(subscribers_url(campaign)).text
    rows = re.findall(r"<tr id=\"signup-\d+\">(.*?)</tr>", page, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    text = [[re.sub(r"<[^>]+>", "", cell).strip() for cell in row[:6]] for row in cells]
    # Newest first; 12:00 UTC on 1 March is 07:00 in New York, the campaign's zone.
    assert text == [
        ["bo@example.com", "Spotify", "Email", "1 Mar 2026, 09:00", "Yes", "No"],
        ["no email given", "Apple Music", "Direct save", "1 Mar 2026, 08:00", "No", "No"],
        ["ana@example.com", "Deezer", "Email", "1 Mar 2026, 07:00", "No", "Allowed"],
    ]
    assert "Sign-up times are in America/New_York, the campaign's time zone." in page
    assert '<time datetime="2026-03-01T12:00:00+00:00">' in page


def test_counts_show_signups_per_platform_and_per_mode(logged_in, app, campaign):
    for n in range(3):
        add_signup(app, campaign, f"s{n}@example.com", "spotify")
    add_signup(app, campaign, "t@example.com", "tidal", connected=True, unsubscribed=True)
    add_signup(app, campaign, None, "apple_music", connected=True)
    page = logged_in.get(subscribers_url(campaign)).text
    counts = re.search(r'<section id="subscriber-counts".*?</section>', page, re.S).group(0)
    pairs = dict(re.findall(r"<dt>([^<]+)</dt><dd>([\d,]+)</dd>", counts))
    assert pairs["Spotify"] == "3" and pairs["TIDAL"] == "1" and pairs["Apple Music"] == "1"
    assert pairs["Deezer"] == "0"  # every platform the campaign offers is listed
    assert pairs["Direct save"] == "2" and pairs["Email"] == "3"
    assert "<strong>5</strong> subscribers · 1 unsubscribed" in counts


def test_an_empty_campaign_says_where_to_send_fans(logged_in, campaign):
    page = logged_in.get(subscribers_url(campaign)).text
    assert "No one has signed up yet" in page and f"/{campaign.slug}" in page
    assert "<strong>0</strong> subscribers" in page


def test_search_by_email_works_as_a_plain_get(logged_in, app, campaign):
    add_signup(app, campaign, "mira@example.com")
    add_signup(app, campaign, "kai@example.org")
    page = logged_in.get(subscribers_url(campaign, q="MIRA")).text
    assert emails_on(page) == ["mira@example.com"]
    assert 'value="MIRA"' in page


def test_search_over_htmx_answers_only_the_results(logged_in, app, campaign):
    add_signup(app, campaign, "mira@example.com")
    add_signup(app, campaign, "kai@example.org")
    response = logged_in.get(
        subscribers_url(campaign, q="example.org"),
        headers={"HX-Request": "true", "HX-Target": "subscriber-results"},
    )
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert response.text.lstrip().startswith('<div id="subscriber-results"')
    assert "<html" not in response.text and "subscriber-counts" not in response.text
    assert emails_on(response.text) == ["kai@example.org"]


def test_search_takes_wildcards_literally_and_says_when_nothing_matches(logged_in, app, campaign):
    add_signup(app, campaign, "a_b@example.com")
    add_signup(app, campaign, "axb@example.com")
    assert emails_on(logged_in.get(subscribers_url(campaign, q="a_b")).text) == ["a_b@example.com"]
    page = logged_in.get(subscribers_url(campaign, q="%25")).text
    assert emails_on(page) == [] and "No subscriber's email contains “%”." in page


@pytest.mark.parametrize("q", ["%00", "x" * 10_000, "%F0%9F%8E%B5", "'; DROP TABLE signup; --"])
def test_odd_searches_get_an_answer_never_a_500(logged_in, app, campaign, q):
    add_signup(app, campaign, "mira@example.com")
    assert logged_in.get(subscribers_url(campaign, q=q)).status_code == 200


def test_pages_walk_every_signup_once_newest_first_and_back(logged_in, app, campaign):
    add_signups(app, campaign, PAGE_SIZE * 2 + 7)
    seen, pages, cursor = [], [], None
    while True:
        page = logged_in.get(subscribers_url(campaign, **({"before": cursor} if cursor else {})))
        pages.append(page.text)
        seen += emails_on(page.text)
        cursor = older_link(page.text)
        if cursor is None:
            break
    expected = [f"fan{n}@example.com" for n in range(PAGE_SIZE * 2 + 7, 0, -1)]
    assert seen == expected and len(pages) == 3
    assert newer_link(pages[0]) is None
    # "Newer" from the last page gives back exactly the middle page.
    back = logged_in.get(subscribers_url(campaign, after=newer_link(pages[2]))).text
    assert emails_on(back) == emails_on(pages[1])
    again = logged_in.get(subscribers_url(campaign, after=newer_link(back))).text
    assert emails_on(again) == emails_on(pages[0]) and newer_link(again) is None


def test_signups_in_the_same_instant_are_neither_skipped_nor_repeated(logged_in, app, campaign):
    add_signups(app, campaign, PAGE_SIZE + 10, step=timedelta(0))  # all at T0
    first = logged_in.get(subscribers_url(campaign)).text
    second = logged_in.get(subscribers_url(campaign, before=older_link(first))).text
    seen = emails_on(first) + emails_on(second)
    assert len(seen) == PAGE_SIZE + 10 == len(set(seen))


def test_search_results_page_by_keyset_too(logged_in, app, campaign):
    add_signups(app, campaign, PAGE_SIZE * 3)
    first = logged_in.get(subscribers_url(campaign, q="1")).text
    assert "q=1" in re.search(r'rel="next" href="([^"]+)"', first).group(1)
    second = logged_in.get(subscribers_url(campaign, q="1", before=older_link(first))).text
    seen = emails_on(first) + emails_on(second)
    matching = [n for n in range(PAGE_SIZE * 3, 0, -1) if "1" in str(n)]
    assert seen == [f"fan{n}@example.com" for n in matching]


@pytest.mark.parametrize("cursor", ["abc", "1.", "99999999999999999.1", "-5.3", "1.2.3"])
def test_a_page_link_edited_by_hand_is_a_clear_400(logged_in, campaign, cursor):
    for direction in ("before", "after"):
        response = logged_in.get(subscribers_url(campaign, **{direction: cursor}))
        assert response.status_code == 400


@pytest.fixture
def statements(app):
    """The SQL statements the app runs, recorded while the test runs."""
    seen = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, parameters, *args):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_page_500_costs_the_same_queries_as_page_1_and_never_an_offset(
    logged_in, app, campaign, statements
):
    add_signups(app, campaign, PAGE_SIZE * 500 + 1)
    statements.clear()
    first = logged_in.get(subscribers_url(campaign)).text
    first_count = len(statements)
    # Page 500: the cursor just after signup number PAGE_SIZE + 1 (counting from the oldest).
    deep = str(Cursor(T0 + timedelta(seconds=PAGE_SIZE + 1), 0))
    statements.clear()
    last = logged_in.get(subscribers_url(campaign, before=deep)).text
    assert len(statements) == first_count
    assert emails_on(first)[0] == f"fan{PAGE_SIZE * 500 + 1}@example.com"
    assert emails_on(last) == [f"fan{n}@example.com" for n in range(PAGE_SIZE, 0, -1)]
    # No rows are skipped to reach the page (SQLite's dialect always writes "OFFSET 0").
    for statement, parameters in statements:
        if "OFFSET" in statement:
            assert statement.endswith("LIMIT ? OFFSET ?") and parameters[-1] == 0


def test_the_database_walks_the_index_straight_to_any_page(app, campaign):
    """The plan for a deep page reads the index from the cursor on: no sort, no skipped rows."""
    add_signups(app, campaign, 3000)
    deep = Cursor(T0 + timedelta(seconds=120), 0)
    with app.app_context():
        query = page_query(campaign.id, before=deep)
        sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE signup"))
            plan = "\n".join(db.session.scalars(db.text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")))
            assert "ix_signup_campaign_created" in plan and "Sort" not in plan
            # The index starts at the cursor and hands over the page and one row more (51),
            # not the 2,900 newer rows before it.
            assert re.search(
                r"Index Scan Backward using ix_signup_campaign_created on signup "
                r"\(actual time=\S+ rows=51 loops=1\)",
                plan,
            )
            assert "ROW(created_at, id) < ROW(" in plan
        else:
            plan = "\n".join(
                row[-1] for row in db.session.execute(db.text(f"EXPLAIN QUERY PLAN {sql}"))
            )
            assert "USING INDEX ix_signup_campaign_created" in plan or (
                "USING COVERING INDEX ix_signup_campaign_created" in plan
            )
            assert "TEMP B-TREE" not in plan


def test_deleting_a_subscriber_asks_first_then_takes_their_tokens_and_push_too(
    logged_in, app, campaign
):
    gone = add_signup(app, campaign, "gone@example.com", "tidal", connected=True, push=True)
    kept = add_signup(app, campaign, "kept@example.com")
    confirm = logged_in.get(f"/dashboard/campaigns/{campaign.id}/subscribers/{gone}/delete")
    assert confirm.status_code == 200 and "Delete gone@example.com?" in confirm.text
    with app.app_context():
        assert db.session.get(Signup, gone) is not None  # asking is not deleting

    response = logged_in.post(f"/dashboard/campaigns/{campaign.id}/subscribers/{gone}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == subscribers_url(campaign)
    with app.app_context():
        assert db.session.get(Signup, gone) is None
        assert db.session.scalar(db.select(db.func.count()).select_from(Connection)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(PushSubscription)) == 0
        assert db.session.get(Signup, kept) is not None
    page = logged_in.get(subscribers_url(campaign)).text
    assert "gone@example.com was removed from “Glass Rivers”." in page
    assert emails_on(page) == ["kept@example.com"]


def test_deleting_over_htmx_removes_the_row_and_refreshes_the_counts(logged_in, app, campaign):
    gone = add_signup(app, campaign, "gone@example.com")
    add_signup(app, campaign, "kept@example.com")
    response = logged_in.post(
        f"/dashboard/campaigns/{campaign.id}/subscribers/{gone}/delete",
        headers={"HX-Request": "true", "HX-Target": f"signup-{gone}"},
    )
    assert response.status_code == 200
    # The swap target (the row) gets nothing; the counts come out of band.
    assert response.text.lstrip().startswith('<section id="subscriber-counts"')
    assert (
        'hx-swap-oob="true"' in response.text and "<strong>1</strong> subscriber" in response.text
    )
    with app.app_context():
        assert db.session.get(Signup, gone) is None


def test_a_subscriber_already_deleted_is_404(logged_in, app, campaign):
    gone = add_signup(app, campaign, "gone@example.com")
    url = f"/dashboard/campaigns/{campaign.id}/subscribers/{gone}/delete"
    logged_in.post(url)
    assert logged_in.post(url).status_code == 404
    assert logged_in.get(url).status_code == 404


@pytest.mark.parametrize("signup_id", ["0", "2147483648", "99999999999999999999999"])
def test_a_subscriber_id_beyond_the_databases_range_is_404(logged_in, campaign, signup_id):
    url = f"/dashboard/campaigns/{campaign.id}/subscribers/{signup_id}/delete"
    assert logged_in.get(url).status_code == 404
    assert logged_in.post(url).status_code == 404


def test_the_tab_says_when_fans_emails_are_deleted(logged_in, make, artist):
    campaign = make.campaign(artist, release_date=date(2027, 3, 5), time_zone="UTC")
    page = logged_in.get(subscribers_url(campaign)).text
    assert "deleted on 3 Jun 2027, 90 days after the release" in page
