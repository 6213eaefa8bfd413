"""The email-change confirmation, sent by the worker (queue "mail") to the new address.

Jobs take plain values and look everything up again, as every job does.
"""

from app.account import tokens
from app.auth import mail
from app.extensions import db
from app.jobs import enqueue
from app.models import Artist


def request_email_change(artist: Artist, new_email: str) -> None:
    enqueue(send_email_confirmation, artist.id, new_email, queue_name="mail")


def send_email_confirmation(artist_id: int, new_email: str) -> bool:
    artist = db.session.get(Artist, artist_id)
    if artist is None:
        return False
    link = mail.link("account.confirm_email", token=tokens.email_change_token(artist, new_email))
    mail.send(
        new_email, "Confirm your new Dropday email", "confirm_email", artist=artist, link=link
    )
    return True
