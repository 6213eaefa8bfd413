"""Release day against the real pieces: the simulator over HTTP (platforms and push
service), the SMTP test server, Redis, and the database.

`rd` gives an in-process app whose clock is the simulator's (frozen, moved by tests), and
helpers that seed a campaign and its fans the way the fan pages would. The data is committed,
as in production: deliveries run in threads, each with its own database connection.
"""

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app import clock, mailbox
from app.extensions import db
from app.fan.recording import record_direct_signup
from app.jobs import make_worker
from app.models import Campaign, Delivery, PushSubscription, Signup
from app.platforms.base import Connected, Tokens
from app.simulator import defaults
from app.simulator import push as sim_push
from app.simulator.musickit import USER_TOKEN_LIFETIME
from tests.platforms.conftest import simulator  # noqa: F401  (fixture)

SPOTIFY_SOURCE = "spotify:album:4aawyAB9vmqN3uQ7FjRGTy"  # the simulator's "demo" album
_seq = itertools.count(1)

# The SMTP server of `refusing_smtp`: these recipients are refused, at RCPT or at DATA.
REFUSED = {"gone@example.com": "550 5.1.1 No such user", "busy@example.com": "451 4.3.0 Later"}
REFUSED_AT_DATA = {"full@example.com": "552 5.2.2 Mailbox full"}


class RefusingMailbox(mailbox._KeepAsFile):
    """The local mailbox, answering some recipients with an SMTP error at RCPT."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in REFUSED:
            return REFUSED[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if address in REFUSED_AT_DATA:
                return REFUSED_AT_DATA[address]
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def refusing_smtp(rd, tmp_path):
    controller = Controller(
        RefusingMailbox(tmp_path), hostname="127.0.0.1", port=mailbox.free_port()
    )
    controller.start()
    rd.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield tmp_path
    controller.stop()


@pytest.fixture(scope="session")
def vapid_private_key() -> str:
    """A VAPID key pair for the tests (the fan pages' keys are generated per installation)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@dataclass
class Fan:
    signup_id: int
    email: str | None = None
    listener: str | None = None
    platform: str | None = None
    endpoint: str | None = None


@dataclass
class ReleaseDay:
    app: object
    server: object  # tests.platforms.conftest.SimulatorServer
    fans: list[Fan] = field(default_factory=list)

    @property
    def sim(self):
        return self.server.sim

    def campaign(self, owner, *, released_ago=timedelta(minutes=1), **fields) -> Campaign:
        from tests.factories import Factories

        campaign = Factories(self.app).campaign(
            owner,
            source_kind=fields.pop("source_kind", "spotify"),
            source_value=fields.pop("source_value", SPOTIFY_SOURCE),
            **fields,
        )
        with self.app.app_context():
            row = db.session.get(Campaign, campaign.id)
            row.release_at = self.sim.now() - released_ago
            db.session.commit()
            db.session.refresh(row)
            db.session.expunge(row)
        return row

    def email_fan(self, campaign, platform="spotify", **fields) -> Fan:
        n = next(_seq)
        email = fields.pop("email", f"fan{n}@example.com")
        with self.app.app_context():
            signup = Signup(
                campaign_id=campaign.id,
                platform=platform,
                mode="email",
                email=email,
                consent_version=1,
                **fields,
            )
            db.session.add(signup)
            db.session.commit()
            fan = Fan(signup.id, email=email, platform=platform)
        self.fans.append(fan)
        return fan

    def direct_fan(
        self, campaign, platform: str, email: str | None = None, language: str = "en"
    ) -> Fan:
        """A fan who connected `platform` on a page in `language`: tokens the simulator
        really issued."""
        n = next(_seq)
        listener = f"listener{n}"
        self.sim.add_listener(listener)
        config = self.app.config
        if platform == "tidal":
            issued = self.sim.issue_tokens(
                "tidal",
                config["TIDAL_CLIENT_ID"],
                listener=listener,
                scope="collection.read collection.write",
            )
        elif platform == "youtube_music":
            issued = self.sim.issue_tokens(
                "youtube",
                config["GOOGLE_CLIENT_ID"],
                listener=listener,
                scope="https://www.googleapis.com/auth/youtube",
                prefix="ya29.",
            )
        else:
            self.sim.set_token_lifetime("apple_music", USER_TOKEN_LIFETIME)
            issued = self.sim.issue_tokens(
                "apple_music", config["APPLE_TEAM_ID"], listener=listener, refresh=False
            )
        tokens = Tokens(
            access_token=issued.access.value,
            refresh_token=issued.refresh.value if issued.refresh else None,
            expires_at=issued.access.expires_at,
        )
        with self.app.app_context():
            # Recorded as the fan page records a connection.
            signup = record_direct_signup(
                campaign, platform, Connected(tokens, listener), email, language=language
            )
            fan = Fan(signup.id, email=email, listener=listener, platform=platform)
        self.fans.append(fan)
        return fan

    def subscribe_push(self, fan: Fan) -> Fan:
        subscription = sim_push.subscribe(self.sim, self.server.url)
        with self.app.app_context():
            db.session.add(
                PushSubscription(
                    signup_id=fan.signup_id,
                    endpoint=subscription["endpoint"],
                    p256dh=subscription["keys"]["p256dh"],
                    auth=subscription["keys"]["auth"],
                )
            )
            db.session.commit()
        fan.endpoint = subscription["endpoint"]
        return fan

    def due_emails(self, campaign, fans: list[Fan]) -> None:
        """Email deliveries due now for `fans`, in their order, as a conversion writes them."""
        now = self.sim.now()
        with self.app.app_context():
            for fan in fans:
                db.session.add(
                    Delivery(
                        campaign_id=campaign.id,
                        signup_id=fan.signup_id,
                        kind="email",
                        platform=fan.platform,
                        state="due",
                        next_attempt_at=now,
                        due_since=now,
                    )
                )
            db.session.commit()

    def run_tick(self):
        """What the minute's cron does: enqueue the tick, then a worker drains the queues."""
        from app.jobs import enqueue
        from app.release_day.schedule import tick

        with self.app.app_context():
            enqueue(tick, queue_name="release")
        self.work()

    def work(self):
        make_worker(self.app).work(burst=True)

    def pushes(self):
        return sim_push.received(self.sim)


@pytest.fixture
def app(committed_app):
    """Release day's tests run on committed data (see the module docstring)."""
    return committed_app


@pytest.fixture
def rd(app, simulator, vapid_private_key):  # noqa: F811
    defaults.point_at(app.config, simulator.url)  # the platform clients call the live simulator
    app.config.update(
        VAPID_PRIVATE_KEY=vapid_private_key,
        VAPID_SUBJECT="mailto:ops@dropday.test",
        ALERT_EMAIL="ops@dropday.test",
        PLATFORM_TIMEOUT=2,
    )
    simulator.sim.natural_limits = False  # Odesli's 10 calls a minute would slow every test
    simulator.sim.set_clock(simulator.sim.now())
    clock.install(app, simulator.sim.now)
    return ReleaseDay(app, simulator)
