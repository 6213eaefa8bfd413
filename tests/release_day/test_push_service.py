"""The simulator's Web Push service accepts only real RFC 8291 pushes with valid VAPID."""

import json
import time

import requests
from py_vapid import Vapid02
from pywebpush import WebPusher

from app.simulator import push as sim_push


def _send(subscription, vapid_key, audience=None, payload=b'{"title": "hi"}', **headers):
    vapid = Vapid02.from_pem(vapid_key.encode())
    endpoint = subscription["endpoint"]
    audience = audience or endpoint.split("/simulator")[0]
    auth = vapid.sign(
        {"aud": audience, "sub": "mailto:ops@dropday.test", "exp": int(time.time()) + 3600}
    )
    return WebPusher(subscription).send(
        payload, headers={**auth, **headers}, ttl=60, content_encoding="aes128gcm", timeout=5
    )


def test_an_encrypted_push_with_vapid_is_decrypted_and_recorded(simulator, vapid_private_key):
    subscription = sim_push.subscribe(simulator.sim, simulator.url)
    response = _send(subscription, vapid_private_key)
    assert response.status_code == 201
    (push,) = sim_push.received(simulator.sim)
    assert push.json() == {"title": "hi"}
    assert push.ttl == 60
    (logged,) = simulator.sim.requests("push")
    assert (logged.method, logged.status) == ("POST", 201)


def test_a_push_signed_for_another_service_or_unsigned_is_refused(simulator, vapid_private_key):
    subscription = sim_push.subscribe(simulator.sim, simulator.url)
    wrong = _send(subscription, vapid_private_key, audience="https://push.example.net")
    assert wrong.status_code == 403
    unsigned = requests.post(subscription["endpoint"], data=b"x", headers={"TTL": "60"}, timeout=5)
    assert unsigned.status_code == 401
    assert sim_push.received(simulator.sim) == []


def test_a_push_encrypted_for_other_keys_does_not_decrypt(simulator, vapid_private_key):
    mine = sim_push.subscribe(simulator.sim, simulator.url)
    other = sim_push.subscribe(simulator.sim, simulator.url)
    response = _send({**mine, "keys": other["keys"]}, vapid_private_key)
    assert response.status_code == 400
    assert "decrypt" in json.loads(response.text)["error"]


def test_the_push_service_answers_gone_rate_limited_and_failing_on_request(
    simulator, vapid_private_key
):
    subscription = sim_push.subscribe(simulator.sim, simulator.url)
    simulator.sim.fail("push", "rate_limit", retry_after=9)
    simulator.sim.fail("push", "server_error", status=502)
    simulator.sim.fail("push", "gone", status=404)
    limited = _send(subscription, vapid_private_key)
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "9")
    assert _send(subscription, vapid_private_key).status_code == 502
    assert _send(subscription, vapid_private_key).status_code == 404
    sim_push.unsubscribe(simulator.sim, subscription["endpoint"])
    assert _send(subscription, vapid_private_key).status_code == 410
    assert sim_push.received(simulator.sim) == []
