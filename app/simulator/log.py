"""The simulator's request log: every call a platform received, in order, for tests to read."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class LoggedRequest:
    platform: str
    method: str
    path: str  # below the platform's prefix, e.g. "/v1/albums/4aawyAB9vmqN3uQ7FjRGTy"
    query: dict[str, str]  # first value of each parameter
    status: int
    at: datetime  # simulator clock
    auth_scheme: str | None = None  # "Bearer", "Basic", "OAuth", "key" (API key parameter)
    token: str | None = None  # the bearer token (or API key) presented
    client_id: str | None = None  # from Basic auth or the form body
    listener: str | None = None  # whose token it was, if the platform issued it to a listener
    fault: str | None = None  # the injected fault that answered, if any
    form: dict[str, str] = field(default_factory=dict)
    json: object = None
    headers: dict[str, str] = field(default_factory=dict)


class RequestLog:
    def __init__(self):
        self.entries: list[LoggedRequest] = []

    def add(self, entry: LoggedRequest) -> None:
        self.entries.append(entry)

    def clear(self) -> None:
        self.entries.clear()

    def select(
        self, platform: str | None = None, path: str | None = None, method: str | None = None
    ) -> list[LoggedRequest]:
        """Entries for `platform`, whose path starts with `path`, with `method`, in order."""
        return [
            e
            for e in self.entries
            if (platform is None or e.platform == platform)
            and (path is None or e.path.startswith(path))
            and (method is None or e.method == method.upper())
        ]
