"""The simulator console's release-day controls: a release goes live everywhere at once or one
platform after another, and the clock moves by minutes or hours."""

from datetime import timedelta

import pytest

from app.simulator.catalog import PLATFORMS


@pytest.fixture
def sim(app):
    sim = app.extensions["simulator"]
    sim.take_down("upcoming")
    return sim


def test_a_release_goes_live_on_every_platform_at_once(client, sim):
    answer = client.post("/simulator/launch", data={"release": "upcoming", "mode": "all"})
    assert answer.status_code == 303
    assert all(sim.is_live("upcoming", p) for p in PLATFORMS)


def test_a_staggered_release_reaches_one_more_platform_every_n_simulated_minutes(client, sim):
    sim.go_live("upcoming", "deezer")  # already live: keeps its moment, takes no turn
    answer = client.post(
        "/simulator/launch", data={"release": "upcoming", "mode": "staggered", "every": "10"}
    )
    assert answer.status_code == 303
    waiting = [p for p in PLATFORMS if p != "deezer"]
    assert {p for p in PLATFORMS if sim.is_live("upcoming", p)} == {"deezer", waiting[0]}

    client.post("/simulator/clock", data={"minutes": "10"})
    assert sim.is_live("upcoming", waiting[1]) and not sim.is_live("upcoming", waiting[2])
    client.post("/simulator/clock", data={"hours": "1"})
    assert all(sim.is_live("upcoming", p) for p in PLATFORMS)


def test_the_launch_form_offers_first_a_release_no_platform_has(client, sim):
    page = client.get("/simulator/").get_data(as_text=True)
    assert '<option value="upcoming" selected>' in page


def test_the_page_shows_when_each_platform_will_have_the_release(client, sim):
    client.post(
        "/simulator/launch", data={"release": "upcoming", "mode": "staggered", "every": "30"}
    )
    page = client.get("/simulator/").get_data(as_text=True)
    assert "goes live on spotify now" in page
    later = (sim.now() + timedelta(minutes=30)).strftime("%m-%d %H:%M")
    assert f"from {later}" in page


def test_taking_a_release_down_everywhere_lets_the_rehearsal_start_again(client, sim):
    client.post("/simulator/launch", data={"release": "upcoming", "mode": "all"})
    client.post("/simulator/launch", data={"release": "upcoming", "mode": "take_down"})
    assert not any(sim.is_live("upcoming", p) for p in PLATFORMS)


def test_the_clock_moves_by_minutes_and_hours_together(client, sim):
    before = sim.now()
    answer = client.post("/simulator/clock", data={"minutes": "30", "hours": "2"})
    assert answer.status_code == 303
    moved = (sim.now() - before).total_seconds()
    assert 2.5 * 3600 <= moved < 2.5 * 3600 + 5


@pytest.mark.parametrize(
    ("path", "form", "status", "message"),
    [
        ("/simulator/launch", {"release": "nope", "mode": "all"}, 404, "no release"),
        ("/simulator/launch", {"mode": "all"}, 404, "no release"),
        ("/simulator/launch", {"release": "upcoming", "mode": "soon"}, 422, "mode must be"),
        ("/simulator/launch", {"release": "upcoming"}, 422, "mode must be"),
        (
            "/simulator/launch",
            {"release": "upcoming", "mode": "staggered", "every": "-5"},
            422,
            "every must be",
        ),
        (
            "/simulator/launch",
            {"release": "upcoming", "mode": "staggered", "every": "often"},
            422,
            "every must be",
        ),
        ("/simulator/clock", {"minutes": "inf"}, 422, "minutes must be"),
        ("/simulator/clock", {"minutes": "-1e12"}, 422, "minutes must be"),
        ("/simulator/clock", {"hours": "87000", "minutes": "60000"}, 422, "at most"),
    ],
)
def test_bad_console_input_changes_nothing_and_says_why(client, sim, path, form, status, message):
    before = sim.now()
    answer = client.post(path, data=form)
    assert answer.status_code == status
    assert message in answer.get_data(as_text=True)
    assert not any(sim.is_live("upcoming", p) for p in PLATFORMS)
    assert abs((sim.now() - before).total_seconds()) < 5
