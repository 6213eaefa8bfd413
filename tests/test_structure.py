"""The structure stays: no import circle inside app/, and the layout's never-rules hold.

Imports are read with `ast` from every module's source, module-level and inside functions
alike (a circle hidden in a function is still a circle).
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(APP.rglob("*.py"))}


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The app module `name` is, or lives in (`app.models.Artist` -> `app.models`)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    """The app modules `module` imports, anywhere in its source."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return _imported(path.read_text(), package) - {module}


def _imported(source: str, package: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from app.fan import page` names a module; `from app.models import Artist` does not.
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(target for name in names if (target := _resolve(name)))
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _circles() -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in GRAPH:
        if module not in index:
            visit(module)
    return groups


def test_no_module_in_app_is_part_of_an_import_circle():
    circles = _circles()
    described = [
        " <-> ".join(group)
        + "\n    "
        + "\n    ".join(f"{m} imports {', '.join(sorted(GRAPH[m] & set(group)))}" for m in group)
        for group in circles
    ]
    assert not circles, "import circles inside app/:\n  " + "\n  ".join(described)


def _importers(prefix: str) -> dict[str, set[str]]:
    return {m: GRAPH[m] for m in MODULES if m == prefix or m.startswith(prefix + ".")}


def _offending(importers: dict[str, set[str]], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, targets in importers.items()
        for target in targets
        if any(target == f or target.startswith(f + ".") for f in forbidden)
    )


def test_the_simulator_imports_nothing_of_the_platform_clients():
    assert _offending(_importers("app.simulator"), ("app.platforms",)) == []


PLATFORM_CLIENTS = sorted(
    m
    for m in MODULES
    if m.startswith("app.platforms.")
    and m not in {"app.platforms.clients", "app.platforms.registry"}
)


@pytest.mark.parametrize("module", PLATFORM_CLIENTS)
def test_a_platform_module_imports_no_models_views_or_jobs(module):
    forbidden = ("app.models", "app.fan", "app.dashboard", "app.auth", "app.account", "app.jobs")
    assert _offending({module: GRAPH[module]}, forbidden) == []


def test_models_import_no_views_or_jobs():
    forbidden = (
        "app.fan",
        "app.dashboard",
        "app.auth",
        "app.account",
        "app.simulator",
        "app.jobs",
        "app.release_day",
    )
    assert _offending(_importers("app.models"), forbidden) == []


def test_the_import_reader_sees_imports_inside_functions_and_relative_ones():
    """The circle test is only as good as its reader: a function-level import counts."""
    source = (
        "from . import lookup\n"
        "def later():\n"
        "    from app.models import Campaign\n"
        "    import app.jobs\n"
    )
    assert _imported(source, "app.fan") == {"app.fan.lookup", "app.models", "app.jobs"}
