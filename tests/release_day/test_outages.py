"""Outages during release day: the mail server or a push service away for a while. The
deliveries wait and retry, the Release day tab says what is being waited on and since
when, and once the service answers every delivery goes out, once."""

from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app import mailbox
from app.extensions import db
from app.models import Campaign, Delivery, Outage


def _tab(client, campaign) -> str:
    page = client.get(f"/dashboard/campaigns/{campaign.id}/release-day")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _states(rd, campaign_id, kind) -> Counter:
    with rd.app.app_context():
        return Counter(
            db.session.scalars(
                select(Delivery.state).where(
                    Delivery.campaign_id == campaign_id, Delivery.kind == kind
                )
            )
        )


def _outages(rd) -> dict[str, Outage]:
    with rd.app.app_context():
        return {o.service: o for o in db.session.scalars(select(Outage))}


class TryLater:
    """A mail server that takes connections and answers every message 421 (busy)."""

    async def handle_MAIL(self, server, session, envelope, address, options):
        return "421 4.3.2 Service not available, try again later"


@pytest.fixture
def busy_mail_server():
    controller = Controller(TryLater(), hostname="127.0.0.1", port=mailbox.free_port())
    controller.start()
    yield controller
    controller.stop()


def test_a_mail_server_refusing_then_busy_holds_the_emails_and_the_tab_says_so(
    rd, artist, logged_in, mailbox_messages, busy_mail_server
):
    working_port = rd.app.config["MAIL_PORT"]
    campaign = rd.campaign(artist, released_ago=-timedelta(days=1), platforms=["spotify"])
    fans = [rd.email_fan(campaign) for _ in range(3)]
    rd.due_emails(campaign, fans)
    started = rd.sim.now()

    rd.app.config["MAIL_PORT"] = mailbox.free_port()  # nothing listens: connection refused
    rd.run_tick()
    assert _states(rd, campaign.id, "email") == {"due": 3}
    assert _outages(rd)["mail"].since == started
    # Release day runs from the release moment: move it, so the tab is on.
    with rd.app.app_context():
        db.session.get(Campaign, campaign.id).release_at = started - timedelta(minutes=1)
        db.session.commit()
    assert "Mail server unreachable since" in _tab(logged_in, campaign)

    rd.app.config["MAIL_PORT"] = busy_mail_server.port  # up again, but busy: 421
    rd.sim.advance(minutes=5)
    rd.run_tick()
    assert _states(rd, campaign.id, "email") == {"due": 3}
    outage = _outages(rd)["mail"]
    assert (outage.since, outage.detail) == (started, "mail server says try later")
    assert "Mail server says try later since" in _tab(logged_in, campaign)

    rd.app.config["MAIL_PORT"] = working_port
    rd.sim.advance(minutes=30)
    rd.run_tick()
    assert _states(rd, campaign.id, "email") == {"done": 3}
    assert sorted(m["To"] for m in mailbox_messages()) == sorted(f.email for f in fans)
    assert _outages(rd) == {}
    assert "data-outage" not in _tab(logged_in, campaign)


def test_a_push_service_answering_503_is_waited_on_and_then_every_push_goes_once(
    rd, artist, logged_in
):
    campaign = rd.campaign(artist, platforms=["spotify"])
    fans = [rd.subscribe_push(rd.email_fan(campaign)) for _ in range(2)]
    rd.sim.fail("push", "server_error", times=2, status=503)
    rd.run_tick()
    assert _states(rd, campaign.id, "push") == {"due": 2}
    assert _outages(rd)["push"].detail == "push service busy (503)"
    assert "Push service busy (503) since" in _tab(logged_in, campaign)

    rd.sim.advance(minutes=30)
    rd.run_tick()
    assert _states(rd, campaign.id, "push") == {"done": 2}
    assert Counter(p.endpoint for p in rd.pushes()) == {f.endpoint: 1 for f in fans}
    assert _outages(rd) == {}
    assert "data-outage" not in _tab(logged_in, campaign)
