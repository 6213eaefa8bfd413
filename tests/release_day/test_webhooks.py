"""Webhooks through the outbox, against a real receiver over HTTP and a real RQ worker.

The signature is checked here with the standard library's hmac, independently of
app/release_day/webhooks.py.
"""

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app import clock
from app.extensions import db
from app.fan.recording import record_email_signup
from app.jobs import enqueue, make_worker
from app.models import Campaign, Delivery, WebhookAttempt, WebhookEndpoint, Workspace
from app.release_day import webhooks
from app.release_day.convert import convert
from app.release_day.deliver import kick_deliveries
from app.release_day.outbox import LEASE, claim_due
from app.release_day.schedule import tick
from app.user_urls import UnsafeURL

SECRET = "whsec_test-secret"


class Receiver:
    """A local endpoint that answers each POST with the next status of `script` (then 200)."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []
        self.script: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hooked(committed_app, make, receiver):
    """An artist's campaign whose workspace sends signup.created to the receiver."""
    committed_app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # the receiver is on this machine
    artist = make.artist()
    campaign = make.campaign(artist)
    with committed_app.app_context():
        endpoint = WebhookEndpoint(
            workspace_id=Workspace.personal_id(artist.id),
            url=receiver.url,
            secret=SECRET,
            events=["signup.created", "signup.deleted"],
        )
        db.session.add(endpoint)
        db.session.commit()
        endpoint_id = endpoint.id
    return {"app": committed_app, "campaign": campaign, "endpoint_id": endpoint_id}


def sign_up(app, campaign, email="fan@example.com"):
    with app.app_context():
        record_email_signup(campaign.id, "spotify", email)


def deliver(app, at=None):
    if at is not None:
        clock.install(app, lambda: at)
    try:
        with app.app_context():
            kick_deliveries()
        make_worker(app).work(burst=True)
    finally:
        clock.install(app, None)


def verified(headers: dict, body: bytes, secret: str = SECRET) -> bool:
    """The receiver's side, as the README shows it."""
    fields = dict(part.split("=", 1) for part in headers["Dropday-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), fields["v1"])


def test_a_new_signup_is_posted_signed_with_its_idempotency_id(hooked, receiver):
    app, campaign = hooked["app"], hooked["campaign"]
    sign_up(app, campaign)
    sign_up(app, campaign)  # the same fan again: not a new signup, no new event
    deliver(app)
    [(headers, body)] = receiver.received
    assert verified(headers, body)
    assert not verified(headers, body, secret="another secret")
    event = json.loads(body)
    assert event["type"] == "signup.created"
    assert event["data"]["campaign_id"] == campaign.id
    assert event["data"]["email"] == "fan@example.com"
    assert headers["Dropday-Webhook-Id"] == event["id"]
    deliver(app)  # acknowledged: never sent again
    assert len(receiver.received) == 1


def test_a_failing_receiver_gets_retries_until_it_answers_then_nothing_more(hooked, receiver):
    app = hooked["app"]
    receiver.script = [503, 500]
    sign_up(app, hooked["campaign"])
    deliver(app)
    later = clock.now()
    for _ in range(3):
        later += timedelta(hours=1)  # past any backoff
        deliver(app, at=later)
    ids = {headers["Dropday-Webhook-Id"] for headers, _ in receiver.received}
    assert len(receiver.received) == 3 and len(ids) == 1
    with app.app_context():
        [row] = db.session.scalars(db.select(Delivery).filter_by(kind="webhook")).all()
        assert row.state == "done"
        statuses = db.session.scalars(db.select(WebhookAttempt.status).order_by(WebhookAttempt.id))
        assert list(statuses) == [503, 500, 200]
        assert db.session.get(WebhookEndpoint, hooked["endpoint_id"]).failing_since is None


def test_a_refusal_is_final_and_a_day_of_failures_disables_the_endpoint(
    hooked, receiver, mailbox_messages
):
    app = hooked["app"]
    receiver.script = [410]
    sign_up(app, hooked["campaign"], "one@example.com")
    deliver(app)
    with app.app_context():
        [row] = db.session.scalars(db.select(Delivery).filter_by(kind="webhook")).all()
        assert row.state == "failed" and "410" in row.last_error
    receiver.script = [503]
    sign_up(app, hooked["campaign"], "two@example.com")
    deliver(app, at=clock.now() + timedelta(hours=25))
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, hooked["endpoint_id"])
        assert endpoint.active is False and endpoint.disabled_at is not None
    make_worker(app).work(burst=True)
    assert any(m["Subject"] == "A Dropday webhook was turned off" for m in mailbox_messages())


def test_only_https_to_public_addresses(committed_app):
    with committed_app.app_context():
        committed_app.config["WEBHOOK_ALLOW_PRIVATE"] = False
        for url in ("http://example.com/h", "https://127.0.0.1/h", "https://10.0.0.8/h"):
            with pytest.raises(UnsafeURL):
                webhooks.check_url(url)
        webhooks.check_url("https://93.184.215.14/hooks")


def test_the_release_going_live_is_posted(hooked, receiver):
    app, campaign = hooked["app"], hooked["campaign"]
    with app.app_context():
        db.session.get(WebhookEndpoint, hooked["endpoint_id"]).events = ["campaign.converted"]
        db.session.commit()
        convert(db.session.get(Campaign, campaign.id), clock.now())
        db.session.commit()
    deliver(app)
    [(headers, body)] = receiver.received
    assert verified(headers, body)
    assert headers["Dropday-Event"] == "campaign.converted"
    assert json.loads(body)["data"]["slug"] == campaign.slug


def test_an_owner_adds_an_endpoint_sends_a_test_event_and_reads_its_log(
    hooked, receiver, make, client
):
    from tests.factories import log_in

    app = hooked["app"]
    owner = make.artist(email="owner@example.com")
    log_in(client, owner.email)
    refused = client.post("/workspace/webhooks", data={"url": "ftp://x", "events": []})
    assert refused.status_code == 422
    assert "https://" in refused.text and "Choose at least one event." in refused.text
    added = client.post(
        "/workspace/webhooks", data={"url": receiver.url, "events": ["signup.created"]}
    )
    assert added.status_code == 303
    with app.app_context():
        mine = db.session.scalar(
            db.select(WebhookEndpoint.id).filter_by(workspace_id=Workspace.personal_id(owner.id))
        )
    assert client.post(f"/workspace/webhooks/{mine}/test").status_code == 303
    make_worker(app).work(burst=True)
    [(headers, body)] = receiver.received
    assert headers["Dropday-Event"] == "ping" and json.loads(body)["type"] == "ping"
    log = client.get(f"/workspace/webhooks/{mine}")
    assert "ping" in log.text and "200" in log.text
    assert client.get(f"/workspace/webhooks/{hooked['endpoint_id']}").status_code == 404


def test_a_worker_that_died_holding_webhooks_loses_none_and_repeats_none(hooked, receiver):
    """A worker claimed the batch and was killed before posting: once its lease is over the
    tick makes the rows due again and another worker sends each event exactly once."""
    app = hooked["app"]
    for n in range(5):
        sign_up(app, hooked["campaign"], f"fan{n}@example.com")
    with app.app_context():
        dead = claim_due("webhook", 50)  # ...and then the worker is gone
        assert len(dead.ids) == 5
    deliver(app)  # within the lease: nothing is taken from the dead claim
    assert receiver.received == []
    later = clock.now() + LEASE + timedelta(minutes=1)
    clock.install(app, lambda: later)
    try:
        with app.app_context():
            enqueue(tick, queue_name="release")
        make_worker(app).work(burst=True)
    finally:
        clock.install(app, None)
    ids = [headers["Dropday-Webhook-Id"] for headers, _ in receiver.received]
    assert len(ids) == 5 and len(set(ids)) == 5
    deliver(app, at=later + timedelta(hours=1))
    assert len(receiver.received) == 5


def test_an_email_that_finally_failed_is_posted_once_as_delivery_failed(
    rd, artist, refusing_smtp, receiver, client
):
    from tests.factories import log_in

    rd.app.config["WEBHOOK_ALLOW_PRIVATE"] = True  # the receiver is on this machine
    log_in(client, artist.email)
    form = client.get("/workspace/webhooks").text
    assert 'value="delivery.failed"' in form  # an event the owner can choose
    added = client.post(
        "/workspace/webhooks", data={"url": receiver.url, "events": ["delivery.failed"]}
    )
    assert added.status_code == 303
    campaign = rd.campaign(artist, platforms=["spotify"])
    gone = rd.email_fan(campaign, email="gone@example.com")  # refused for good: 550
    rd.email_fan(campaign, email="fine@example.com")
    rd.run_tick()  # found, converted, emailed: one email fails, and that is posted
    rd.run_tick()
    rd.run_tick()
    [(headers, body)] = receiver.received
    assert verified(headers, body, secret=_secret(rd.app, artist))
    assert headers["Dropday-Event"] == "delivery.failed"
    event = json.loads(body)
    assert event["type"] == "delivery.failed"
    assert event["data"] | {"delivery_id": None, "failed_at": None} == {
        "campaign_id": campaign.id,
        "delivery_id": None,
        "kind": "email",
        "signup_id": gone.signup_id,
        "platform": "spotify",
        "reason": "the address bounced (550)",
        "failed_at": None,
    }
    with rd.app.app_context():
        failed = db.session.get(Delivery, event["data"]["delivery_id"])
        assert (failed.signup_id, failed.kind, failed.state) == (gone.signup_id, "email", "failed")


def _secret(app, artist) -> str:
    with app.app_context():
        return db.session.scalar(
            db.select(WebhookEndpoint.secret).filter_by(
                workspace_id=Workspace.personal_id(artist.id)
            )
        )


def test_a_name_rebound_to_this_machine_after_saving_is_never_contacted(
    committed_app, make, client, monkeypatch
):
    """DNS rebinding: the endpoint's name resolved to a public address when it was saved and
    points at 127.0.0.1 when the POST goes out; the connection is checked as it is made."""
    from tests.factories import log_in
    from tests.listening import Listener

    committed_app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    listener = Listener()
    answer = {"address": "93.184.215.14"}  # what the attacker's DNS says at the moment
    resolve = socket.getaddrinfo

    def rebinding_dns(host, port, *args, **kwargs):
        if host == "hooks.rebind.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer["address"], port))]
        return resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    owner = make.artist()
    log_in(client, owner.email)
    url = f"https://hooks.rebind.test:{listener.port}/hooks"
    added = client.post("/workspace/webhooks", data={"url": url, "events": ["signup.created"]})
    assert added.status_code == 303
    answer["address"] = "127.0.0.1"
    try:
        sign_up(committed_app, make.campaign(owner))
        deliver(committed_app)
    finally:
        listener.close()
    assert listener.connections == 0
    with committed_app.app_context():
        [row] = db.session.scalars(db.select(Delivery).filter_by(kind="webhook")).all()
        assert row.state == "failed"  # refused, not retried: the address is not public
        [attempt] = db.session.scalars(db.select(WebhookAttempt)).all()
        assert attempt.status is None and "not a public address" in attempt.error


def test_plain_http_is_never_sent_without_the_operators_setting(committed_app, make, receiver):
    """An http address stored while WEBHOOK_ALLOW_PRIVATE was on is not posted once it is off."""
    committed_app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    owner = make.artist()
    campaign = make.campaign(owner)
    with committed_app.app_context():
        db.session.add(
            WebhookEndpoint(
                workspace_id=Workspace.personal_id(owner.id),
                url=receiver.url,
                secret=SECRET,
                events=["signup.created"],
            )
        )
        db.session.commit()
    sign_up(committed_app, campaign)
    deliver(committed_app)
    assert receiver.received == []
    with committed_app.app_context():
        [row] = db.session.scalars(db.select(Delivery).filter_by(kind="webhook")).all()
        assert row.state == "failed"
