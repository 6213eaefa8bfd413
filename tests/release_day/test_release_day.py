"""Release day end to end in one process: detection, conversion, emails, pushes, saves."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Campaign, Connection, Delivery, PlatformLink, PushSubscription, ReleaseCheck
from app.release_day import mail
from app.release_day.links import read_personal_link


def _deliveries(app, campaign_id, kind=None):
    with app.app_context():
        query = select(Delivery).where(Delivery.campaign_id == campaign_id)
        if kind:
            query = query.where(Delivery.kind == kind)
        rows = db.session.scalars(query.order_by(Delivery.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def _campaign(app, campaign_id):
    with app.app_context():
        row = db.session.get(Campaign, campaign_id)
        db.session.expunge(row)
        return row


def test_a_live_release_converts_and_every_fan_gets_one_email_push_and_save(
    rd, artist, mailbox_messages
):
    campaign = rd.campaign(artist, platforms=["spotify", "deezer", "tidal", "youtube_music"])
    email_fan = rd.email_fan(campaign)
    rd.subscribe_push(email_fan)
    saver = rd.direct_fan(campaign, "youtube_music", email="saver@example.com")
    waiting = rd.direct_fan(campaign, "tidal", email="tidal@example.com")  # TIDAL lags 6 h
    rd.email_fan(campaign, email="gone@example.com", unsubscribed_at=rd.sim.now())

    rd.run_tick()

    live = _campaign(rd.app, campaign.id)
    assert live.phase == "live" and live.converted_at == rd.sim.now()
    with rd.app.app_context():
        links = {link.platform for link in db.session.scalars(select(PlatformLink))}
        check = db.session.scalars(select(ReleaseCheck)).one()
    assert links == {"spotify", "deezer", "youtube_music"}
    assert check.outcome == "found"
    assert check.answers["tidal"]["status"] == "not_found"
    assert check.answers["spotify"]["matched_by"] == "source"

    messages = mailbox_messages()
    assert sorted(m["To"] for m in messages) == [
        email_fan.email,
        "saver@example.com",
        "tidal@example.com",
    ]
    assert len(rd.pushes()) == 1
    assert rd.sim.library(saver.listener, "youtube")["liked_videos"]
    saves = {d.signup_id: d for d in _deliveries(rd.app, campaign.id, "save")}
    assert saves[saver.signup_id].state == "done" and saves[saver.signup_id].verified
    assert saves[waiting.signup_id].state == "waiting"

    # TIDAL catches up: the next lag check finds it and the waiting save runs.
    rd.sim.advance(hours=6, minutes=1)
    rd.run_tick()
    assert rd.sim.library(waiting.listener, "tidal")
    saves = {d.signup_id: d for d in _deliveries(rd.app, campaign.id, "save")}
    assert saves[waiting.signup_id].state == "done"
    # Nothing went out twice.
    assert len(mailbox_messages()) == 3
    assert len(rd.pushes()) == 1


def test_the_email_routes_the_fan_and_can_be_unsubscribed_in_one_click(
    rd, artist, mailbox_messages
):
    campaign = rd.campaign(artist, platforms=["spotify", "deezer"])
    fan = rd.email_fan(campaign, platform="deezer")
    rd.run_tick()
    (message,) = mailbox_messages()
    (delivery,) = _deliveries(rd.app, campaign.id, "email")
    assert message["Subject"] == f"Out now: {campaign.title} by {campaign.artist_name}"
    assert message["Message-ID"] == f"<release-day.{campaign.id}.{delivery.id}@localhost>"
    with rd.app.app_context():
        from app.models import Signup

        token = db.session.get(Signup, fan.signup_id).unsubscribe_token
    assert message["List-Unsubscribe"].strip() == f"<http://localhost/u/{token}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Listen on Deezer: http://localhost/r/" in text
    assert f"http://localhost/u/{token}" in text and f"http://localhost/u/{token}" in html
    artwork = f"http://localhost/media/artwork/{campaign.artwork}-page.jpg"
    assert f'src="{artwork}"' in html
    with rd.app.test_client().get(artwork.removeprefix("http://localhost")) as image:
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert ">Listen on Deezer</a>" in html
    link = text.split("Listen on Deezer: ")[1].split()[0]
    with rd.app.app_context():
        assert read_personal_link(link.rsplit("/", 1)[1]) == (fan.signup_id, "email")
        assert read_personal_link(link.rsplit("/", 1)[1] + "x") is None


def test_a_long_title_in_any_script_arrives_as_written(rd, artist, mailbox_messages):
    title = "Ça plane pour moi, une très longue histoire de nuits blanches — 夜明けのうた"
    campaign = rd.campaign(artist, platforms=["spotify"], title=title, artist_name="Ünlü Sänger")
    rd.email_fan(campaign, email="fan.with.a.rather.long.address.for.folding@example.com")
    rd.run_tick()
    (message,) = mailbox_messages()
    assert message["Subject"] == f"Out now: {title} by Ünlü Sänger"
    assert message["To"] == "fan.with.a.rather.long.address.for.folding@example.com"
    assert f"{title} by Ünlü Sänger is out now." in message.get_body(("plain",)).get_content()


def test_an_address_smtp_cannot_carry_fails_alone(rd, artist, mailbox_messages):
    campaign = rd.campaign(artist, released_ago=-timedelta(days=1), platforms=["spotify"])
    good = [f"fan{n}@example.com" for n in range(mail.SMTP_CONNECTIONS)]
    fans = [rd.email_fan(campaign, email=a) for a in ["zoë@example.com", *good]]
    # One email more than connections: the last follows the refused one on its connection.
    rd.due_emails(campaign, fans)
    rd.run_tick()
    assert sorted(m["To"] for m in mailbox_messages()) == good
    by_fan = {d.signup_id: d for d in _deliveries(rd.app, campaign.id, "email")}
    bad, *sent = (by_fan[fan.signup_id] for fan in rd.fans)
    assert bad.state == "failed" and bad.last_error.startswith("the email could not be written")
    assert [d.state for d in sent] == ["done"] * mail.SMTP_CONNECTIONS


def test_a_push_carries_the_title_and_the_personal_link_and_a_gone_subscription_is_deleted(
    rd, artist
):
    campaign = rd.campaign(artist, platforms=["spotify"])
    kept = rd.subscribe_push(rd.email_fan(campaign))
    dropped = rd.subscribe_push(rd.email_fan(campaign))
    rd.sim.fail("push", "gone", path=f"/send/{dropped.endpoint.rsplit('/', 1)[1]}")
    rd.run_tick()
    (push,) = rd.pushes()
    assert push.endpoint == kept.endpoint
    body = push.json()
    assert body["title"] == f"{campaign.title} is out now"
    with rd.app.app_context():
        assert read_personal_link(body["url"].rsplit("/", 1)[1]) == (kept.signup_id, "push")
        assert (
            db.session.scalar(
                select(PushSubscription).where(PushSubscription.signup_id == dropped.signup_id)
            )
            is None
        )
    pushes = {d.signup_id: d for d in _deliveries(rd.app, campaign.id, "push")}
    assert pushes[kept.signup_id].state == "done"
    assert pushes[dropped.signup_id].state == "failed"
    assert "unsubscribed" in pushes[dropped.signup_id].last_error


def test_an_apple_music_save_is_verified_in_a_later_step_not_by_waiting(rd, artist):
    from app.simulator.apple_music import delay_library_adds

    campaign = rd.campaign(artist, platforms=["apple_music", "spotify"])
    fan = rd.direct_fan(campaign, "apple_music")
    delay_library_adds(rd.sim, 60)  # Apple accepts, the library shows it a minute later
    rd.run_tick()
    (save,) = _deliveries(rd.app, campaign.id, "save")
    assert (save.state, save.step, save.verified) == ("due", "verify", False)
    rd.sim.advance(minutes=3)
    rd.run_tick()
    (save,) = _deliveries(rd.app, campaign.id, "save")
    assert (save.state, save.verified) == ("done", True)
    assert rd.sim.library(fan.listener, "apple_music")


def test_a_revoked_connection_fails_at_once_with_its_reason_and_is_not_retried(rd, artist):
    campaign = rd.campaign(artist, platforms=["tidal", "spotify"])
    rd.sim.go_live("demo", "tidal")
    fan = rd.direct_fan(campaign, "tidal")
    rd.sim.revoke(fan.listener, "tidal")
    rd.run_tick()
    (save,) = _deliveries(rd.app, campaign.id, "save")
    assert (save.state, save.last_error, save.attempts) == ("failed", "connection revoked", 1)
    with rd.app.app_context():  # the spent tokens went with the outcome
        assert db.session.scalars(select(Connection)).all() == []
    calls = len(rd.sim.requests("tidal", method="POST"))
    rd.sim.advance(hours=3)
    rd.run_tick()
    assert len(rd.sim.requests("tidal", method="POST")) == calls


def test_a_rate_limited_save_waits_for_retry_after_and_then_succeeds(rd, artist):
    campaign = rd.campaign(artist, platforms=["tidal", "spotify"])
    rd.sim.go_live("demo", "tidal")
    fan = rd.direct_fan(campaign, "tidal")
    rd.sim.fail("tidal", "rate_limit", times=2, retry_after=600, path="/v2/userCollection")
    rd.run_tick()
    (save,) = _deliveries(rd.app, campaign.id, "save")
    assert save.state == "due" and "429" in save.last_error
    assert save.next_attempt_at >= rd.sim.now() + timedelta(seconds=600)
    rd.sim.advance(minutes=5)
    rd.run_tick()
    assert _deliveries(rd.app, campaign.id, "save")[0].attempts == 1  # not before Retry-After
    for _ in range(2):
        rd.sim.advance(minutes=30)
        rd.run_tick()
    (save,) = _deliveries(rd.app, campaign.id, "save")
    assert (save.state, save.attempts) == ("done", 3)
    assert rd.sim.library(fan.listener, "tidal")


def test_a_save_failing_for_more_than_twelve_hours_fails_with_the_last_reason(rd, artist):
    campaign = rd.campaign(artist, platforms=["tidal", "spotify"])
    rd.sim.go_live("demo", "tidal")
    rd.direct_fan(campaign, "tidal")
    rd.sim.fail("tidal", "server_error", times=None, rate=1.0, path="/v2/userCollection")
    rd.run_tick()
    for _ in range(14):
        rd.sim.advance(hours=1)
        rd.run_tick()
    (save,) = _deliveries(rd.app, campaign.id, "save")
    assert save.state == "failed"
    assert "503" in save.last_error and "gave up" in save.last_error
    assert save.attempts >= 10
