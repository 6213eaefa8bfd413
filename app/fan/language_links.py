"""The fan pages' language in their addresses: every link a fan page makes carries the
page's `lang`, the menu links each language's copy of the page, the head names them all
(`hreflang`), and a page whose language was negotiated says it varies by Accept-Language.
Each language's page is thus one address, the same bytes for all its visitors."""

from flask import has_request_context, request, url_for
from flask_babel import get_locale

from app import languages
from app.fan.blueprint import bp


def current() -> str:
    return str(get_locale() or languages.DEFAULT)


@bp.url_defaults
def _carry_language(endpoint: str, values: dict) -> None:
    """Links keep the page's language: named when the address named it or it is not the
    default (an English page negotiated for an English browser keeps plain addresses)."""
    if not has_request_context() or request.blueprint != "fan" or "lang" in values:
        return
    lang = current()
    if lang != languages.DEFAULT or languages.chosen():
        values["lang"] = lang


@bp.after_request
def _vary(response):
    if languages.chosen() is None:
        response.vary.add("Accept-Language")
    return response


@bp.app_context_processor
def _language_context() -> dict:
    if not has_request_context() or request.blueprint != "fan":
        return {}
    lang = current()
    return {
        "lang": lang,
        "lang_tag": languages.tag(lang),
        "language_menu": _menu,
        "language_alternates": _alternates,
        "canonical_of": _canonical,
    }


def _menu(slug: str | None = None) -> list[tuple[str, str, str, bool]]:
    """(tag, name, address, is current) per language: this page's address where a GET can
    load it again, else the release page (`slug`)."""
    lang = current()
    if request.method == "GET" and request.endpoint and request.view_args is not None:
        args = dict(request.view_args)
        address = lambda code: url_for(request.endpoint, **(args | {"lang": code}))  # noqa: E731
    elif slug:
        address = lambda code: url_for("fan.page", slug=slug, lang=code)  # noqa: E731
    else:
        return []
    return [
        (languages.tag(code), name, address(code), code == lang)
        for code, name in languages.LANGUAGES.items()
    ]


def _canonical(page_url: str) -> str:
    """This page's own address: with its language where the address named one, else the
    plain (x-default) one. Pointing a negotiated page at another language's copy would
    make it a duplicate of that copy for search engines."""
    return page_url if languages.chosen() is None else f"{page_url}?lang={current()}"


def _alternates(page_url: str) -> list[tuple[str, str]]:
    """`hreflang` alternates of a public page (`page_url` without a language)."""
    links = [(languages.tag(code), f"{page_url}?lang={code}") for code in languages.LANGUAGES]
    return [*links, ("x-default", page_url)]
