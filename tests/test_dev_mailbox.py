"""The local mailbox page: what the local SMTP server received, newest first, with its parts,
headers and links; mounted for local runs only."""

import pytest
from flask_mail import Message

from app.extensions import mail


@pytest.fixture
def mailbox_page(test_config, mail_server, mailbox_messages):
    test_config["MAILBOX_FOLDER"] = str(mail_server.folder)
    return mailbox_messages


def send(app, subject, body, html=None):
    with app.app_context():
        mail.send(Message(subject, recipients=["fan@example.com"], body=body, html=html))


def test_the_mailbox_lists_messages_newest_first_with_parts_headers_and_links(
    mailbox_page, app, client
):
    send(app, "First", "Open http://localhost/first now.")
    send(
        app,
        "Second <script>",
        "See http://localhost/second-text.",
        html='<p style="color:red">Hi</p><a href="http://localhost/second-html">go</a>',
    )
    page = client.get("/dev/mailbox/")
    assert page.status_code == 200
    text = page.text
    assert text.index("Second &lt;script&gt;") < text.index("First")
    assert "<script>" not in text.split("<body")[1].split("</main>")[0]  # escaped
    for link in ("http://localhost/first", "http://localhost/second-html"):
        assert f'<a href="{link}">{link}</a>' in text
    assert "See http://localhost/second-text." in text
    assert "<dt>To</dt><dd>fan@example.com</dd>" in text
    assert 'sandbox src="/dev/mailbox/' in text


def test_an_html_part_is_served_sandboxed_for_its_frame(mailbox_page, app, client):
    send(app, "Styled", "text", html='<p style="color:red">Hi</p>')
    page = client.get("/dev/mailbox/").text
    src = page.split('sandbox src="')[1].split('"')[0]
    part = client.get(src)
    assert part.status_code == 200
    assert '<p style="color:red">Hi</p>' in part.text
    csp = part.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox;") and "script-src" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors 'self'" in csp
    assert part.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("name", ["../../etc/passwd", "x", "00000000000000000001-abcdef12"])
def test_an_unknown_message_is_404(mailbox_page, client, name):
    assert client.get(f"/dev/mailbox/{name}/html").status_code == 404


def test_the_mailbox_can_be_emptied(mailbox_page, app, client):
    send(app, "Gone soon", "bye")
    assert client.post("/dev/mailbox/clear").status_code == 303
    assert mailbox_page() == []


def test_the_mailbox_is_never_mounted_in_production(make_app):
    client = make_app(DROPDAY_ENV="production").test_client()
    assert client.get("/dev/mailbox/").status_code == 404


@pytest.mark.parametrize("path", ["/dev/mailbox/", "/simulator/"])
def test_development_pages_answer_only_this_computer(mailbox_page, behind_a_proxy, client, path):
    assert client.get(path).status_code == 200  # no forwarded address: the loopback client
    elsewhere = client.get(path, headers={"X-Forwarded-For": "203.0.113.9"})
    assert elsewhere.status_code == 404
    direct = client.get(path, environ_base={"REMOTE_ADDR": "192.168.1.20"})
    assert direct.status_code == 404
