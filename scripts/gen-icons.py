#!/usr/bin/env python3
"""Draw the app icon as PNG files for the web app manifest, with nothing but the standard
library (no image tools are needed on the build machine).

The drawing is the one of assets/icons/icon.svg: a blue rounded square with a white trail
line. The 32-pixel one is the favicon: a PNG, since Chromium fetches and decodes the
favicon again after every same-document navigation (each query the address bar keeps),
and an SVG costs the page's thread 3 to 6 ms each time (a document of its own). Each
pixel is 4x4 supersampled for smooth edges. The PNGs are committed; run this again only
when the drawing changes:

    python3 scripts/gen-icons.py assets/icons
"""
import math
import os
import struct
import sys
import zlib

# The drawing, in the SVG's 32x32 units.
BLUE = (0x1F, 0x6F, 0xEB)
WHITE = (0xFF, 0xFF, 0xFF)
RADIUS = 6.0
LINE = [(7, 22), (13, 12), (18, 18), (25, 8)]
HALF_STROKE = 1.5
SUB = 4


def inside_rounded_square(x, y):
    """Whether a point lies in the 32x32 square with corner radius RADIUS."""
    cx = min(max(x, RADIUS), 32 - RADIUS)
    cy = min(max(y, RADIUS), 32 - RADIUS)
    return (x - cx) ** 2 + (y - cy) ** 2 <= RADIUS ** 2


def on_line(x, y):
    """Whether a point lies within HALF_STROKE of the polyline (round caps and joins)."""
    for (ax, ay), (bx, by) in zip(LINE, LINE[1:]):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        px, py = ax + t * dx - x, ay + t * dy - y
        if px * px + py * py <= HALF_STROKE ** 2:
            return True
    return False


def render(size):
    """RGBA rows of the icon at `size` pixels."""
    scale = 32.0 / size
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            shape = line = 0
            for sj in range(SUB):
                for si in range(SUB):
                    x = (i + (si + 0.5) / SUB) * scale
                    y = (j + (sj + 0.5) / SUB) * scale
                    if inside_rounded_square(x, y):
                        shape += 1
                        if on_line(x, y):
                            line += 1
            n = SUB * SUB
            if shape == 0:
                row += bytes(4)
                continue
            w = line / shape
            rgb = [round(b * (1 - w) + c * w) for b, c in zip(BLUE, WHITE)]
            row += bytes(rgb + [round(255 * shape / n)])
        rows.append(bytes(row))
    return rows


def png(size, rows):
    """A PNG file (8-bit RGBA) of the rows."""
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "assets/icons"
    os.makedirs(out, exist_ok=True)
    for size in (32, 192, 512):
        path = os.path.join(out, f"icon-{size}.png")
        with open(path, "wb") as f:
            f.write(png(size, render(size)))
        print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
