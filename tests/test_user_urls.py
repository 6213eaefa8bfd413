"""Dropday fetches user-supplied URLs through one guarded session only, and connects to public
addresses only at the moment of connecting (so a name that resolves elsewhere later gains
nothing)."""

import ast
from pathlib import Path

import pytest
import requests

from app.user_urls import PublicOnlyAdapter, UnsafeURL
from tests.listening import Listener

APP = Path(__file__).resolve().parent.parent / "app"
HTTP_LIBRARIES = {"requests", "urllib.request", "httpx", "http.client", "aiohttp", "pywebpush"}

# Every module that makes HTTP requests, and where its URLs come from.
FETCHERS = {
    "clock.py": "the simulator's clock (SIMULATOR_URL, simulator mode only)",
    "demo/rehearsal.py": "the local demo's own server",
    "demo/supervisor.py": "the local demo's own server",
    "platforms/": "platform APIs at the base URLs the operator configured",
    "user_urls.py": "the guarded session every user-supplied URL is fetched through",
    "release_day/push.py": "fans' push endpoints, through user_urls.session",
    "release_day/webhooks.py": "artists' webhook endpoints, through user_urls.session "
    "(WEBHOOK_ALLOW_PRIVATE lifts the public-only rule)",
}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_the_modules_that_fetch_urls_are_the_known_ones():
    found = {
        "platforms/" if path.is_relative_to(APP / "platforms") else str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if _imports(path) & HTTP_LIBRARIES and not path.is_relative_to(APP / "simulator")
    }
    assert found == set(FETCHERS)
    for sender in ("release_day/push.py", "release_day/webhooks.py"):
        assert "user_urls.session(" in (APP / sender).read_text()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_public_only_adapter_never_connects_to_a_private_address(host):
    listener = Listener()
    session = requests.Session()
    session.mount("https://", PublicOnlyAdapter())
    try:
        with pytest.raises(UnsafeURL):
            session.get(f"https://{host}:{listener.port}/", timeout=2)
    finally:
        listener.close()
    assert listener.connections == 0
