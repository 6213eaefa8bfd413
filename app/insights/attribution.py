"""Where a visit, signup or click came from, carried without cookies.

The fan page is the same for everyone, so the server never sees its query string when a
cache answers. static/js/visit.js reads it in the page and sends it with the beacon, and
adds the same `from` field (the page's `c`, `utm_*` and the original referrer `r`) to the
signup form, the connect links and the Smart Link's buttons. Without JavaScript the
page's own address still arrives as the Referer of the next request (same origin: full
URL under our referrer policy), so its channel and UTM are read from there.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from flask import Request

from app.insights import classify

FROM_FIELD = "from"
MAX_FROM = 400
CODE = re.compile(r"[A-Za-z0-9_-]{1,16}")
UTM = ("utm_source", "utm_medium", "utm_campaign")


@dataclass(frozen=True)
class Attribution:
    source: str
    channel: str  # a code as given; counting keeps it only if the campaign has it
    utm: tuple[str, str, str]
    country: str
    device: str
    os: str

    def dimensions(self) -> list[tuple[str, str]]:
        """The (dimension, value) pairs an event is counted under, besides its total."""
        pairs = [
            ("source", self.source),
            ("country", self.country),
            ("device", self.device),
            ("os", self.os),
        ]
        if self.channel:
            pairs.append(("channel", self.channel))
        pairs += [(name, value) for name, value in zip(UTM, self.utm, strict=True) if value]
        return pairs


def _clean(value: str) -> str:
    return re.sub(r"[^\w .:/+-]", "", value.strip().lower())[:64]


def parse_from(text: str | None) -> dict[str, str]:
    """The page parameters in a `from` field or a beacon body (first value of each)."""
    fields = parse_qs((text or "")[:MAX_FROM], max_num_fields=10)
    return {key: values[0] for key, values in fields.items()}


def _page_params(request: Request, given: str | None) -> tuple[dict[str, str], bool]:
    """The page's parameters and whether they came from the page's script (which also
    knows the original referrer), else from this request's same-origin Referer."""
    if given:
        return parse_from(given), True
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.hostname and referer.hostname == request.host.split(":")[0]:
        return parse_from(referer.query), False
    return {}, False


def carried(request: Request) -> str:
    """The `from` to keep for a later step (a connection in progress): the page's own,
    else the page parameters in this request's same-origin Referer."""
    given = request.values.get(FROM_FIELD, "")[:MAX_FROM]
    if given:
        return given
    params, _ = _page_params(request, None)
    return urlencode(params)[:MAX_FROM]


def of_request(request: Request, given: str | None = None) -> Attribution:
    """The attribution of this request, with `given` the page's `from` (if it sent one;
    else the request's own `from` field or parameter)."""
    given = given or request.values.get(FROM_FIELD, "")[:MAX_FROM]
    params, from_page = _page_params(request, given)
    user_agent = request.headers.get("User-Agent", "")[:512]
    referrer = params.get("r", "") if from_page else ""
    code = params.get("c", "")
    device, os_name = classify.device_of(user_agent)
    return Attribution(
        source=classify.source_of(referrer, request.host.split(":")[0], user_agent),
        channel=code if CODE.fullmatch(code) else "",
        utm=tuple(_clean(params.get(name, "")) for name in UTM),
        country=classify.country_of(request.remote_addr),
        device=device,
        os=os_name,
    )


def person(request: Request) -> bool:
    """Not a bot, crawler, link preview or speculative load."""
    user_agent = request.headers.get("User-Agent", "")[:512]
    return not classify.is_bot(user_agent) and not classify.is_prefetch(request.headers)
