import pytest

from app.platforms.release_source import (
    ACCEPTED_FORMS,
    InvalidReleaseSource,
    ReleaseSource,
    parse_release_source,
)

ALBUM_ID = "4aawyAB9vmqN3uQ7FjRGTy"
TRACK_ID = "3n3Ppam7vgaVa1iaRUc9Lp"


def test_a_spotify_album_uri_is_a_spotify_album():
    source = parse_release_source(f"spotify:album:{ALBUM_ID}")
    assert source == ReleaseSource("spotify", f"spotify:album:{ALBUM_ID}")
    assert source.spotify_type == "album"
    assert source.spotify_id == ALBUM_ID
    assert source.url == f"https://open.spotify.com/album/{ALBUM_ID}"
    assert source.label == f"Spotify album {ALBUM_ID}"


def test_a_spotify_track_uri_is_a_spotify_track():
    source = parse_release_source(f"  spotify:track:{TRACK_ID}\n")
    assert source.value == f"spotify:track:{TRACK_ID}"
    assert source.label == f"Spotify track {TRACK_ID}"
    assert source.url == f"https://open.spotify.com/track/{TRACK_ID}"


@pytest.mark.parametrize(
    "text",
    [
        f"https://open.spotify.com/album/{ALBUM_ID}",
        f"https://open.spotify.com/intl-de/album/{ALBUM_ID}?si=a1B2c3D4e5F6g7H8",
        f"http://open.spotify.com/album/{ALBUM_ID}/",
        f"open.spotify.com/album/{ALBUM_ID}?si=xyz&nd=1",
        f"https://open.spotify.com/intl-pt/album/{ALBUM_ID}",
        f"https://open.spotify.com/embed/album/{ALBUM_ID}?utm_source=generator",
    ],
)
def test_an_open_spotify_url_with_a_locale_and_query_is_the_same_album(text):
    assert parse_release_source(text) == ReleaseSource("spotify", f"spotify:album:{ALBUM_ID}")


def test_an_open_spotify_track_url_is_a_track():
    source = parse_release_source(f"https://open.spotify.com/track/{TRACK_ID}?si=abc")
    assert source.value == f"spotify:track:{TRACK_ID}"


@pytest.mark.parametrize(
    "text",
    [
        "https://open.spotify.com/artist/0OdUWJ0sBjDrqHygGUXeCF",
        "https://open.spotify.com/playlist/37i9dQZF1DXcBWIGoYBM5M?si=1",
        "spotify:artist:0OdUWJ0sBjDrqHygGUXeCF",
    ],
)
def test_a_spotify_artist_or_playlist_is_refused_as_not_an_album_or_track(text):
    with pytest.raises(InvalidReleaseSource, match=r"^That's a Spotify (artist|playlist) link\. "):
        parse_release_source(text)


def test_a_spotify_link_with_a_mangled_id_is_refused_with_a_reason():
    with pytest.raises(InvalidReleaseSource, match="ID doesn't look right"):
        parse_release_source(f"https://open.spotify.com/album/{ALBUM_ID[:-1]}")


def test_a_valid_upc_is_a_upc():
    source = parse_release_source("602445790609")
    assert source == ReleaseSource("upc", "602445790609")
    assert source.label == "UPC 602445790609"
    assert source.spotify_type is source.spotify_id is source.url is None


def test_a_13_digit_ean_is_labelled_ean():
    source = parse_release_source("0602445790609")
    assert source == ReleaseSource("upc", "0602445790609")
    assert source.label == "EAN 0602445790609"


def test_spaces_and_hyphens_between_upc_digits_are_tolerated():
    assert parse_release_source("6 02445-79060 9").value == "602445790609"


def test_a_upc_with_a_wrong_check_digit_is_refused_with_a_reason():
    with pytest.raises(InvalidReleaseSource) as caught:
        parse_release_source("602445790608")
    assert str(caught.value) == "That UPC/EAN's check digit doesn't match — check for a typo."


def test_a_number_of_the_wrong_length_says_how_many_digits_it_has():
    with pytest.raises(InvalidReleaseSource, match="that number has 11"):
        parse_release_source("60244579060")


@pytest.mark.parametrize(
    "text", ["USUM71703861", "US-UM7-17-03861", "usum71703861", "us-um7-17-03861"]
)
def test_an_isrc_with_or_without_hyphens_in_any_case_is_stored_compact_upper_case(text):
    source = parse_release_source(text)
    assert source == ReleaseSource("isrc", "USUM71703861")
    assert source.label == "ISRC USUM71703861"


def test_an_isrc_with_a_digit_in_the_registrant_is_accepted():
    assert parse_release_source("GB-AYE-06-01498").value == "GBAYE0601498"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "my new single",
        "https://music.apple.com/us/album/1440857781",
        "US-UM7-17-0386",
        "1SUM71703861",
    ],
)
def test_anything_else_is_refused_with_the_accepted_forms(text):
    with pytest.raises(InvalidReleaseSource) as caught:
        parse_release_source(text)
    assert str(caught.value) == ACCEPTED_FORMS


def test_a_stored_source_rebuilds_to_an_equal_value():
    parsed = parse_release_source(f"https://open.spotify.com/album/{ALBUM_ID}")
    rebuilt = ReleaseSource.from_stored(parsed.kind, parsed.value)
    assert rebuilt == parsed
    assert rebuilt.label == parsed.label


def test_an_unknown_stored_kind_is_an_error():
    with pytest.raises(ValueError, match="unknown release source kind"):
        ReleaseSource.from_stored("deezer", "123")


def test_invalid_release_source_is_a_value_error():
    assert issubclass(InvalidReleaseSource, ValueError)
