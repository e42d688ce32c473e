"""docs/architecture.md draws the apps' layers; these tests hold the drawing to the code.

The import-linter contracts (pyproject.toml, run by `make test`) forbid upward imports and
cycles; here every arrow in the drawing must be an import the code really makes, every
import between apps must be drawn, the layers must be those of the contract, and
INSTALLED_APPS must list the apps in the same order, foundation first."""

import re
import tomllib
from pathlib import Path

import grimp
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text()
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _diagram() -> str:
    found = re.search(r"```mermaid\n(flowchart BT\n.*?)```", DOC, re.S)
    assert found, "docs/architecture.md has no `flowchart BT` diagram of the layers"
    return found.group(1)


def _drawn_arrows() -> set[tuple[str, str]]:
    """(importer, imported) for each `imported --> importer` line: arrows point up, from
    an app to the apps that build on it."""
    arrows = set()
    for line in _diagram().splitlines():
        found = re.fullmatch(r"\s*(\w+)\s*-->\s*(\w+)\s*", line)
        if found:
            arrows.add((found.group(2), found.group(1)))
    return arrows


def _layers() -> list[set[str]]:
    (contract,) = [c for c in CONTRACTS["contracts"] if c["type"] == "layers"]
    return [{name.strip() for name in layer.split("|")} for layer in contract["layers"]]


def _imports_between_apps() -> set[tuple[str, str]]:
    apps = CONTRACTS["root_packages"]
    graph = grimp.build_graph(*apps)
    return {
        (importer, imported)
        for importer in apps
        for imported in apps
        if importer != imported
        and graph.direct_import_exists(importer=importer, imported=imported, as_packages=True)
    }


def test_every_arrow_drawn_is_an_import_the_code_makes_and_every_import_is_drawn():
    assert _drawn_arrows() == _imports_between_apps()


def test_every_arrow_points_up_the_layers_of_the_contract():
    level = {app: n for n, layer in enumerate(reversed(_layers())) for app in layer}
    for importer, imported in _drawn_arrows():
        assert level[importer] > level[imported], f"{importer} → {imported} points down"


def test_the_diagram_draws_every_app_of_the_contract():
    drawn = set(re.findall(r"^\s*(\w+)\[", _diagram(), re.M))
    assert drawn == set(CONTRACTS["root_packages"])


def test_installed_apps_list_the_portals_apps_from_the_foundation_up():
    ours = [app for app in settings.INSTALLED_APPS if app in CONTRACTS["root_packages"]]
    order = [app for layer in reversed(_layers()) for app in sorted(layer)]
    assert ours == [app for app in order if app in ours]
