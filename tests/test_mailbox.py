"""The local mailbox: mail sent by the app arrives over real SMTP and can be read back."""

from flask_mail import Message

from app.extensions import mail


def test_a_message_the_app_sends_arrives_in_the_mailbox(app, mailbox_messages):
    with app.app_context():
        message = Message("Hello", recipients=["fan@example.com"], body="plain", html="<b>rich</b>")
        mail.send(message)
    [received] = mailbox_messages()
    assert received["Subject"] == "Hello"
    assert received["To"] == "fan@example.com"
    assert received.get_body(("plain",)).get_content().strip() == "plain"
    assert "<b>rich</b>" in received.get_body(("html",)).get_content()


def test_each_test_starts_with_an_empty_mailbox(mailbox_messages):
    assert mailbox_messages() == []
