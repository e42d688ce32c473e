"""The directory's map of the UK, drawn as SVG on the server from a shipped outline
(``static/geo/uk-ireland.geojson``): no tile server, no script needed to see it."""

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.staticfiles import finders

from organisations.enums import OrganisationKind, Region

OUTLINE = "geo/uk-ireland.geojson"
# The frame: the British Isles from the Scillies to Shetland.
WEST, EAST, SOUTH, NORTH = -10.8, 2.1, 49.8, 60.95
WIDTH = 560
# Longitude shrinks with latitude: scale x by the cosine at the frame's middle.
_X_SCALE = math.cos(math.radians((SOUTH + NORTH) / 2))
HEIGHT = round(WIDTH * (NORTH - SOUTH) / ((EAST - WEST) * _X_SCALE))


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """A point's place on the map, in SVG units (x right, y down)."""
    x = (longitude - WEST) / (EAST - WEST) * WIDTH
    y = (NORTH - latitude) / (NORTH - SOUTH) * HEIGHT
    return round(x, 1), round(y, 1)


@dataclass(frozen=True)
class Shape:
    code: str  # GB, IM, IE
    name: str
    path: str  # SVG path data

    @property
    def is_uk(self) -> bool:
        return self.code in ("GB", "IM")


@lru_cache(maxsize=1)
def outline() -> tuple[Shape, ...]:
    """The shipped coastlines as SVG paths (read once per process)."""
    with open(finders.find(OUTLINE), encoding="utf-8") as handle:
        collection = json.load(handle)
    shapes = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        rings = [ring for polygon in polygons for ring in polygon]
        path = " ".join(
            "M" + " L".join("{},{}".format(*project(lon, lat)) for lon, lat in ring) + " Z"
            for ring in rings
        )
        shapes.append(Shape(feature["properties"]["code"], feature["properties"]["name"], path))
    return tuple(shapes)


# Marker half-size, in SVG units; markers closer than this would cover each other.
MARKER_SIZE = 5
CLUSTER_DISTANCE = 2 * MARKER_SIZE


@dataclass(frozen=True)
class Marker:
    organisation: object
    x: float
    y: float

    @property
    def diamond(self) -> str:
        """A supporter's marker: a diamond, told apart from a signatory's circle by its
        shape as well as its colour."""
        r = MARKER_SIZE + 1
        x, y = self.x, self.y
        top, right, bottom, left = (
            round(y - r, 1),
            round(x + r, 1),
            round(y + r, 1),
            round(x - r, 1),
        )
        return f"M{x},{top} L{right},{y} L{x},{bottom} L{left},{y} Z"


@dataclass
class Cluster:
    """Organisations whose markers would overlap (London's universities, say), drawn as
    one marker with their number that links to their list below the map."""

    members: list[Marker]
    number: int = 0  # its place in the list below the map; 0 for a single organisation

    @property
    def x(self) -> float:
        return round(sum(m.x for m in self.members) / len(self.members), 1)

    @property
    def y(self) -> float:
        return round(sum(m.y for m in self.members) / len(self.members), 1)

    @property
    def is_group(self) -> bool:
        return len(self.members) > 1

    @property
    def organisations(self) -> list:
        return [m.organisation for m in self.members]

    @property
    def place(self) -> str:
        """Where they are: the region most of them are in."""
        regions = Counter(o.get_region_display() for o in self.organisations)
        return regions.most_common(1)[0][0]

    @property
    def radius(self) -> float:
        """Grows a little with the number, so a bigger group reads as bigger."""
        return round(MARKER_SIZE + 2 + min(len(self.members), 40) ** 0.5 * 1.5, 1)


def markers(organisations) -> tuple[list[Marker], list]:
    """Markers for the organisations in the UK with coordinates, and (apart) those outside
    the UK. Organisations in the UK without coordinates are in neither: the directory lists
    them."""
    placed, abroad = [], []
    for organisation in organisations:
        if organisation.region == Region.OUTSIDE_UK:
            abroad.append(organisation)
        elif organisation.latitude is not None and organisation.longitude is not None:
            x, y = project(float(organisation.longitude), float(organisation.latitude))
            if 0 <= x <= WIDTH and 0 <= y <= HEIGHT:
                placed.append(Marker(organisation, x, y))
    return placed, abroad


def clusters(placed: list[Marker], *, distance: float = CLUSTER_DISTANCE) -> list[Cluster]:
    """The markers as they are drawn: each joins the first group begun within ``distance``
    of it, else begins its own. In drawing order, later on top: single signatories, then
    single supporters (fewer, and never hidden under a signatory), then the groups,
    numbered in that order for their lists."""
    groups: list[tuple[Marker, Cluster]] = []
    for marker in placed:
        for first, group in groups:
            if math.dist((first.x, first.y), (marker.x, marker.y)) < distance:
                group.members.append(marker)
                break
        else:
            groups.append((marker, Cluster([marker])))
    found = [group for _, group in groups]
    singles = [g for g in found if not g.is_group]
    together = sorted((g for g in found if g.is_group), key=lambda g: (g.place, g.y, g.x))
    for number, group in enumerate(together, start=1):
        group.number = number
    signatories, supporters = [], []
    for group in singles:
        kind = group.organisations[0].kind
        (supporters if kind == OrganisationKind.SUPPORTER else signatories).append(group)
    return signatories + supporters + together
