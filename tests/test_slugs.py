import pytest

from app.campaigns.slugs import (
    MAX_LENGTH,
    RESERVED_MESSAGE,
    RESERVED_SLUGS,
    slugify,
    unique_slug,
    validate_slug,
)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Midnight Drive", "midnight-drive"),
        ("  Björk — Homogénic!! ", "bjork-homogenic"),
        ("AC/DC: Back in Black (Remastered)", "ac-dc-back-in-black-remastered"),
        ("ｆｕｌｌｗｉｄｔｈ ２０２５", "fullwidth-2025"),  # noqa: RUF001
        ("a---b___c", "a-b-c"),
    ],
)
def test_a_title_becomes_a_lowercase_ascii_hyphenated_slug(title, slug):
    assert slugify(title) == slug


@pytest.mark.parametrize("title", ["", "   ", "!!!", "東京"])
def test_a_title_with_nothing_usable_falls_back_to_release(title):
    assert slugify(title) == "release"


def test_a_very_short_title_still_makes_a_valid_slug():
    assert slugify("XO") == "xo-release"
    assert validate_slug(slugify("XO")) is None


def test_a_long_title_is_cut_at_a_word_boundary():
    slug = slugify("The Quite Extraordinarily Long Title Of An Album That Never Ends Really")
    assert slug == "the-quite-extraordinarily-long-title-of-an-album-that-never"
    assert len(slug) <= MAX_LENGTH


def test_a_long_title_without_hyphens_is_cut_at_the_maximum():
    assert slugify("x" * 100) == "x" * MAX_LENGTH


def test_slugify_is_idempotent():
    for title in ["Midnight Drive", "XO", "x" * 100, "a " * 50]:
        assert slugify(slugify(title)) == slugify(title)


@pytest.mark.parametrize("slug", ["abc", "midnight-drive", "2025-tour", "a" * 60])
def test_a_well_formed_slug_is_valid(slug):
    assert validate_slug(slug) is None


@pytest.mark.parametrize(
    ("slug", "reason"),
    [
        ("ab", "at least 3"),
        ("a" * 61, "at most 60"),
        ("Midnight", "lowercase"),
        ("midnight--drive", "single hyphens"),
        ("-midnight", "hyphen"),
        ("midnight-", "hyphen"),
        ("midnight drive", "lowercase"),
        ("café", "lowercase"),
    ],
)
def test_a_malformed_slug_is_refused_with_a_reason(slug, reason):
    assert reason in validate_slug(slug)


@pytest.mark.parametrize("slug", ["dashboard", "static", "login", "api", "unsubscribe", "www"])
def test_a_reserved_word_is_refused_as_used_by_dropday(slug):
    assert slug in RESERVED_SLUGS
    assert validate_slug(slug) == RESERVED_MESSAGE


def test_every_path_the_app_serves_at_the_top_level_is_reserved(app):
    """Checked against the app's own routes, so a new blueprint cannot shadow a fan page."""
    first_segments = {rule.rule.strip("/").split("/")[0] for rule in app.url_map.iter_rules()} - {
        ""
    }
    served = {segment for segment in first_segments if "<" not in segment}
    assert "simulator" in served and "dashboard" in served
    assert {segment for segment in served if validate_slug(segment) is None} == set()


def test_a_free_slug_is_used_as_is():
    assert unique_slug("midnight-drive", lambda slug: False) == "midnight-drive"


def test_a_taken_slug_gets_the_next_free_number():
    taken = {"midnight-drive", "midnight-drive-2", "midnight-drive-3"}
    assert unique_slug("midnight-drive", taken.__contains__) == "midnight-drive-4"


def test_a_reserved_base_gets_a_number_even_when_not_taken():
    assert unique_slug("help", lambda slug: False) == "help-2"


def test_a_numbered_slug_stays_within_the_maximum_length():
    base = "a" * 30 + "-" + "b" * 29
    taken = {base} | {f"{base[:58]}-{n}" for n in range(2, 10)}
    slug = unique_slug(base, taken.__contains__)
    assert slug == base[:57] + "-10"
    assert len(slug) == MAX_LENGTH
    assert validate_slug(slug) is None


def test_a_numbered_slug_never_ends_a_cut_with_a_double_hyphen():
    base = "a" * 57 + "-bc"
    slug = unique_slug(base, {base}.__contains__)
    assert slug == "a" * 57 + "-2"
    assert validate_slug(slug) is None
