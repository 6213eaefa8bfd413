"""One HTTP session per client: pooled connections, timeouts, and the error classes every
platform shares (network failures, 5xx and 429 are temporary). `HttpClient` is what every
platform client is built on."""

import email.utils
import time

import requests
from requests.adapters import HTTPAdapter

from app.platforms.base import TemporaryError

# Connect, read. Release-day jobs would rather retry later than hang a worker.
DEFAULT_TIMEOUT = (3.05, 10)


def new_session(user_agent: str = "Dropday/0.1 (+https://github.com/dropday)") -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


class HttpClient:
    """What every platform client holds: its API's base URL, timeouts and one pooled session
    (tests pass their own `session`)."""

    def __init__(
        self,
        *,
        api_url: str,
        timeout=DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ):
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.session = session or new_session()

    def close(self) -> None:
        """Close pooled connections (tests; a worker's clients live as long as it does)."""
        self.session.close()


def retry_after(response: requests.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), if any."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - time.time())


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout=DEFAULT_TIMEOUT,
    check: bool = True,
    **kwargs,
):
    """Send a request; raise TemporaryError for failures any platform would retry.

    The response is returned for every other status, for the client to interpret. With
    `check=False` only network failures raise: a client that must read a 429's body first
    (Spotify's QUOTA_EXCEEDED) calls `raise_for_temporary` itself afterwards.
    """
    try:
        response = session.request(method, url, timeout=timeout, **kwargs)
    except requests.Timeout as error:
        raise TemporaryError(f"timed out: {method} {url}") from error
    except requests.ConnectionError as error:
        raise TemporaryError(f"could not connect: {method} {url}") from error
    if check:
        raise_for_temporary(response)
    return response


def raise_for_temporary(response: requests.Response) -> None:
    """429 and 5xx are temporary on every platform; Retry-After is honoured where sent."""
    if response.status_code == 429:
        raise TemporaryError("rate limited (429)", retry_after=retry_after(response))
    if response.status_code >= 500:
        raise TemporaryError(f"platform error ({response.status_code})", retry_after(response))
