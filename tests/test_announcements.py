"""Announcing a campaign to the artist's audience: preview, test send, send through the
outbox, progress, and the rules that keep the channel from being abused."""

import pytest
from aiosmtpd.controller import Controller

from app import clock, mailbox
from app.extensions import db
from app.jobs import make_worker
from app.local_redis import free_port
from app.models import Announcement, AudienceMember, Campaign, Delivery
from tests.audience_rows import add_members
from tests.factories import Factories, log_in
from tests.fan_pages import sign_up

NOTE = "New single in two weeks.\nPre-save it and it lands in your library on the day."


@pytest.fixture
def campaign(make, artist):
    return make.campaign(owner=artist, slug="night-drive", title="Night Drive", artist_name="Ada")


def announce(client, campaign, action, message=NOTE):
    return client.post(
        f"/dashboard/campaigns/{campaign.id}/announce", data={"message": message, "action": action}
    )


def test_the_preview_shows_the_message_the_artwork_and_the_button(logged_in, app, artist, campaign):
    add_members(app, campaign.id, 3)
    response = announce(logged_in, campaign, "preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "New single in two weeks." in html and "media/artwork/" in html
    assert "Pre-save now" in html and "/night-drive?c=announcement" in html
    assert "Send to 3 fans" in html
    with app.app_context():
        assert db.session.scalar(db.select(Announcement)) is None  # nothing sent yet


def test_a_test_send_reaches_the_artist_alone_naming_the_artist(
    logged_in, app, artist, campaign, mailbox_messages
):
    add_members(app, campaign.id, 3)
    assert announce(logged_in, campaign, "test").status_code == 200
    [message] = mailbox_messages()
    assert message["To"] == artist.email
    assert message["From"].startswith("Ada <") and "Night Drive" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Ada" in message["List-Id"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Delivery)) == 0


@pytest.mark.parametrize(
    ("message", "error"), [("", "Write a few words"), ("x" * 501, "500 characters")]
)
def test_a_bad_message_comes_back_with_a_reason_and_422(logged_in, campaign, message, error):
    for action in ("preview", "test", "send"):
        response = announce(logged_in, campaign, action, message)
        assert response.status_code == 422 and error in response.get_data(as_text=True)


def test_sending_queues_one_email_per_opted_in_fan_and_shows_progress(
    logged_in, app, artist, campaign, make
):
    add_members(app, campaign.id, 5)
    add_members(app, campaign.id, 1, start=10, withdrawn_at=clock.now())
    add_members(app, campaign.id, 1, start=20, bounced_at=clock.now())
    other = make.artist(email="other@example.com")
    add_members(app, make.campaign(owner=other).id, 4, start=30)
    response = announce(logged_in, campaign, "send")
    assert response.status_code == 303
    with app.app_context():
        rows = db.session.scalars(db.select(Delivery)).all()
        assert len(rows) == 5 and {row.kind for row in rows} == {"announcement"}
        assert {row.state for row in rows} == {"due"}
    html = logged_in.get(f"/dashboard/campaigns/{campaign.id}/announce").get_data(as_text=True)
    assert "Sending to" in html and "<strong>5</strong> fans" in html


def test_a_campaign_is_announced_once(logged_in, app, artist, campaign):
    add_members(app, campaign.id, 2)
    announce(logged_in, campaign, "send")
    again = announce(logged_in, campaign, "send")
    assert again.status_code == 422 or again.status_code == 200  # the tab now shows progress
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Announcement)) == 1
        assert db.session.scalar(db.select(db.func.count()).select_from(Delivery)) == 2


def test_the_daily_cap_refuses_one_more_announcement(logged_in, app, artist, make):
    app.config["ANNOUNCEMENTS_PER_DAY"] = 1
    first = make.campaign(owner=artist, slug="first-one")
    second = make.campaign(owner=artist, slug="second-one")
    assert announce(logged_in, first, "send").status_code == 303
    refused = announce(logged_in, second, "send")
    assert refused.status_code == 422 and "a day" in refused.get_data(as_text=True)


def test_only_a_campaign_in_presave_can_be_announced(logged_in, app, campaign):
    with app.app_context():
        db.session.get(Campaign, campaign.id).phase = "live"
        db.session.commit()
    refused = announce(logged_in, campaign, "send")
    assert refused.status_code == 422 and "pre-save" in refused.get_data(as_text=True)


def test_a_sent_announcement_reaches_each_fan_with_their_own_stop_link(
    committed_app, mailbox_messages
):
    make = Factories(committed_app)
    client = committed_app.test_client()
    artist = make.artist(email="ada@example.com", name="Ada")
    campaign = make.campaign(owner=artist, slug="night-drive", artist_name="Ada")
    add_members(committed_app, campaign.id, 4)
    log_in(client, artist.email)
    announce(client, campaign, "send")
    make_worker(committed_app).work(burst=True)
    messages = mailbox_messages()
    assert sorted(m["To"] for m in messages) == [f"fan{n}@example.com" for n in range(4)]
    stop_links = {m["List-Unsubscribe"] for m in messages}
    assert len(stop_links) == 4 and all("/a/" in link for link in stop_links)
    body = {m["To"]: m.get_body(("plain",)).get_content() for m in messages}
    # fan0 chose Spotify (an email platform), fan2 Apple Music (a direct save).
    assert (
        "Pre-save on Spotify: http://localhost/night-drive/email/spotify?c=announcement"
        in (body["fan0@example.com"])
    )
    assert (
        "/connect/apple_music/start?campaign=night-drive&from=c%3Dannouncement"
        in (body["fan2@example.com"])
    )
    html = client.get(f"/dashboard/campaigns/{campaign.id}/announce").get_data(as_text=True)
    assert "Sent to" in html and "<dt>Sent</dt><dd>4</dd>" in html.replace("\n", "")


def test_each_fan_gets_the_announcement_in_the_language_they_joined_in(
    committed_app, mailbox_messages
):
    make = Factories(committed_app)
    client = committed_app.test_client()
    artist = make.artist(email="ada@example.com", name="Ada")
    make.campaign(owner=artist, slug="night-drive", title="Night Drive", artist_name="Ada")
    later = make.campaign(owner=artist, slug="day-break", title="Day Break", artist_name="Ada")
    sign_up(client, "night-drive", "ja@example.com", future="yes", future_version="1", lang="ja")
    sign_up(client, "night-drive", "en@example.com", future="yes", future_version="1")
    log_in(client, artist.email)
    announce(client, later, "send")
    make_worker(committed_app).work(burst=True)
    messages = {m["To"]: m for m in mailbox_messages()}  # over real SMTP
    ja = messages["ja@example.com"]
    assert ja["Subject"] == "Ada:「Day Break」がまもなく登場。今すぐプリセーブ"
    text = ja.get_body(("plain",)).get_content()
    assert "Adaの新しいリリース「Day Break」がまもなく登場します。" in text
    assert "Spotifyでプリセーブ: http://localhost/day-break/email/spotify" in text
    assert "このメールを停止する: http://localhost/a/" in text
    assert '<html lang="ja">' in ja.get_body(("html",)).get_content()
    assert messages["en@example.com"]["Subject"] == "Ada: “Day Break” is coming, pre-save it now"


class RefusingMailbox(mailbox._KeepAsFile):
    """The local mailbox, refusing for good any address that starts with "gone"."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def refusing_smtp(tmp_path):
    controller = Controller(RefusingMailbox(tmp_path), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


def test_an_address_refused_for_good_is_marked_bounced_and_skipped_next_time(
    committed_app, refusing_smtp
):
    committed_app.config.update(MAIL_SERVER=refusing_smtp.hostname, MAIL_PORT=refusing_smtp.port)
    make = Factories(committed_app)
    artist = make.artist(email="ada@example.com", name="Ada")
    first = make.campaign(owner=artist, slug="first-one")
    second = make.campaign(owner=artist, slug="second-one")
    add_members(committed_app, first.id, 3)
    add_members(committed_app, first.id, 1, start=9, email="gone@example.com")
    client = committed_app.test_client()
    log_in(client, artist.email)
    announce(client, first, "send")
    make_worker(committed_app).work(burst=True)
    with committed_app.app_context():
        gone = db.session.scalar(db.select(AudienceMember).filter_by(email="gone@example.com"))
        assert gone.bounced_at is not None
    html = client.get(f"/dashboard/campaigns/{first.id}/announce").get_data(as_text=True)
    assert "<dt>Sent</dt><dd>3</dd>" in html.replace("\n", "")
    assert "<dt>Failed</dt><dd>1</dd>" in html.replace("\n", "")
    announce(client, second, "send")
    with committed_app.app_context():
        second_rows = db.session.scalar(
            db.select(Announcement.recipients).filter_by(campaign_id=second.id)
        )
    assert second_rows == 3
    sent = [m["To"] for m in mailbox.read(refusing_smtp.handler.folder)]
    assert sorted(sent) == [f"fan{n}@example.com" for n in range(3)]
