"""The directory's map of the UK, drawn as SVG on the server from a shipped outline
(``static/geo/uk-ireland.geojson``): no tile server, no script needed to see it."""

import json
import math
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.staticfiles import finders

from .enums import Region

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


@dataclass(frozen=True)
class Marker:
    organisation: object
    x: float
    y: float


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
