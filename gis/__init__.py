"""Geometry in and out, validation and spatial SQL helpers."""

# Every stored geometry is WGS84 longitude/latitude; distances go through geography (metres).
SRID = 4326
# Coordinates leave the API rounded to this many decimals (about 1 cm).
OUTPUT_DECIMALS = 7
