"""The similarity check that decides whether a text-search result is the release."""

import pytest

from app.platforms.base import ReleaseIdentity
from app.platforms.matching import best_match, normalise, score

RELEASE = ReleaseIdentity(title="Midnight City (feat. Ana)", artists=("M83", "Ana"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beyoncé & JAY-Z — APESHIT!", "beyonce and jay z apeshit"),
        ("Midnight City (feat. Ana)", "midnight city"),
        ("Midnight City ft. Ana", "midnight city"),
        ("Midnight City [Official Music Video]", "midnight city"),
        ("Midnight City (Live at Coachella)", "midnight city live at coachella"),
    ],
)
def test_titles_are_normalised_for_comparison(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("title", "channel"),
    [
        ("Midnight City", "M83 - Topic"),
        ("Album - Midnight City", "M83 - Topic"),
        ("M83 - Midnight City (Official Video)", "M83VEVO"),
        ("M83 - Midnight City ft. Ana [HD]", "Some Uploader"),
        ("MIDNIGHT CITY", "m83"),
    ],
)
def test_a_close_title_by_one_of_the_artists_matches(title, channel):
    assert score(RELEASE, title, channel) > 0


@pytest.mark.parametrize(
    ("title", "channel"),
    [
        ("Midnight City (cover)", "Karaoke Hits"),  # right title, wrong artist
        ("Midnight Cities", "M83 - Topic"),  # a different word
        ("Midnight City Remix", "M83 - Topic"),  # a different version
        ("Midnight", "M83 - Topic"),
    ],
)
def test_weak_or_foreign_results_are_rejected(title, channel):
    assert score(RELEASE, title, channel) == 0


def test_the_best_match_prefers_the_topic_upload_for_youtube_music_only():
    candidates = [
        ("vevo", {"title": "M83 - Midnight City (Official Video)", "channelTitle": "M83VEVO"}),
        ("topic", {"title": "Midnight City", "channelTitle": "M83 - Topic"}),
        ("cover", {"title": "Midnight City", "channelTitle": "Karaoke Hits"}),
    ]
    assert best_match(RELEASE, candidates, prefer_topic=True) == "topic"
    assert best_match(RELEASE, candidates, prefer_topic=False) == "vevo"
    assert best_match(RELEASE, candidates[2:]) is None
