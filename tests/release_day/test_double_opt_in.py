"""Double opt-in on release day: from the signup through the confirmation to the release
email; a fan who never confirmed gets none."""

from sqlalchemy import select

from app.extensions import db
from app.jobs import make_worker
from app.models import Signup
from tests.fan_pages import sign_up
from tests.release_day.conftest import Fan
from tests.test_double_opt_in import confirm_link


def test_a_confirmed_fan_gets_the_release_email_and_an_unconfirmed_one_does_not(
    rd, artist, mailbox_messages
):
    campaign = rd.campaign(
        artist, platforms=["spotify"], slug="night-drive", title="Night Drive", double_opt_in=True
    )
    client = rd.app.test_client()
    sign_up(client, "night-drive", "confirmed@example.com")
    sign_up(client, "night-drive", "silent@example.com")
    make_worker(rd.app).work(burst=True)
    confirmations = {m["To"]: confirm_link(m) for m in mailbox_messages()}
    assert set(confirmations) == {"confirmed@example.com", "silent@example.com"}
    assert client.post(confirmations["confirmed@example.com"]).status_code == 200

    with rd.app.app_context():
        silent = db.session.scalar(select(Signup.id).filter_by(email="silent@example.com"))
    rd.subscribe_push(Fan(silent))  # allowed on the confirmation page, never confirmed
    rd.run_tick()

    assert rd.pushes() == []
    release_mail = [m["To"] for m in mailbox_messages() if "/confirm/" not in str(m)]
    assert release_mail == ["confirmed@example.com"]
    assert campaign.double_opt_in
