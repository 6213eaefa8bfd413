"""Rebuild the platform-marks sprite from the simple-icons npm package.

    make marks    (installs simple-icons@SIMPLE_ICONS_VERSION into .node/ and runs this)

Writes static/vendor/simple-icons-<version>/marks.svg with one <symbol> per platform of
app/platforms/marks.py, each path filled with the brand colour, plus the package's licence
and version. Only the marks we use are kept.
"""

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.platforms.marks import SIMPLE_ICONS_VERSION, SLUGS  # noqa: E402


def build(package: Path) -> Path:
    meta = json.loads((package / "package.json").read_text())
    if meta["version"] != SIMPLE_ICONS_VERSION:
        sys.exit(f"simple-icons {meta['version']} found, {SIMPLE_ICONS_VERSION} expected")
    data = json.loads((package / "data" / "simple-icons.json").read_text())
    icons = data if isinstance(data, list) else data["icons"]
    colours = {icon.get("slug") or "": icon["hex"] for icon in icons}
    symbols = []
    for key, slug in SLUGS.items():
        svg = (package / "icons" / f"{slug}.svg").read_text()
        path = re.search(r'<path d="([^"]+)"', svg).group(1)
        symbols.append(
            f'<symbol id="{key}" viewBox="0 0 24 24">'
            f'<path fill="#{colours[slug]}" d="{path}"/></symbol>'
        )
    out = ROOT / "static" / "vendor" / f"simple-icons-{SIMPLE_ICONS_VERSION}"
    out.mkdir(parents=True, exist_ok=True)
    sprite = '<svg xmlns="http://www.w3.org/2000/svg">' + "".join(symbols) + "</svg>\n"
    (out / "marks.svg").write_text(sprite)
    shutil.copyfile(package / "LICENSE.md", out / "LICENSE.md")
    (out / "VERSION").write_text(f"simple-icons {SIMPLE_ICONS_VERSION} (npm), CC0-1.0\n")
    return out


if __name__ == "__main__":
    print(
        build(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".node/node_modules/simple-icons"))
    )
