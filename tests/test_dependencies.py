"""The lock file is the truth a fresh clone installs: it must agree with pyproject.toml.

Every declared dependency (the extras included) is locked at a version its bounds allow, and
everything the lock pins as Dropday's own is still declared. `make lock` fixes either.
"""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["dependencies"] + [
        line for extra in project["optional-dependencies"].values() for line in extra
    ]
    return [Requirement(line) for line in lines]


def _locked() -> tuple[dict[str, str], set[str]]:
    """{package: version} pinned in requirements.lock, and the packages locked because
    pyproject.toml asks for them (annotated "dropday (pyproject.toml)")."""
    pins, ours, current = {}, set(), None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match.group(1))
            pins[current] = match.group(2)
        elif "dropday (pyproject.toml)" in line and current:
            ours.add(current)
    return pins, ours


def test_every_declared_dependency_is_locked_within_its_bounds():
    pins, _ = _locked()
    wrong = []
    for requirement in _declared():
        version = pins.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            wrong.append(f"{requirement} (locked: {version})")
    assert not wrong, "pyproject.toml and requirements.lock disagree; run make lock: " + str(wrong)


def test_the_lock_pins_nothing_as_dropdays_that_is_no_longer_declared():
    _, ours = _locked()
    declared = {canonicalize_name(r.name) for r in _declared()}
    assert ours - declared == set()


def test_every_locked_package_carries_hashes():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9._-]+==)", text.split("\n", 2)[2])
    assert blocks and all("--hash=sha256:" in block for block in blocks if PIN.match(block))
