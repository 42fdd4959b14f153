#!/usr/bin/env python3
"""Check a rendered HTML report (PNG from headless Chromium) for probe lanes.

Counts the pixels of the probe-up and probe-down fills (report_html.c's
.p-up and .p-down) outside the legend: a real-time report whose probe
times are not on the run's clock draws empty lanes, and both counts are
then near zero (the legend's swatches alone are about 100 pixels each).
Standard library only: PNG decoded with zlib (8-bit RGB or RGBA, no
interlace, as Chromium writes it).

usage: check-probe-lanes.py REPORT.png [MIN_PIXELS]
"""
import struct
import sys
import zlib

UP = (0x8F, 0xD1, 0x9E)
DOWN = (0xF0, 0x8A, 0x84)


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                sys.exit(f"{path}: unsupported PNG (depth {depth}, colour type {ctype})")
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, out = zlib.decompress(idat), width * bpp, bytearray(width * bpp), []
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        out.append(bytes(line))
        prev = line
    return out, width, bpp


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    rows, width, bpp = pixels(sys.argv[1])
    need = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    count = {UP: 0, DOWN: 0}
    for row in rows:
        for x in range(width):
            px = tuple(row[x * bpp : x * bpp + 3])
            if px in count:
                count[px] += 1
    print(f"probe up pixels {count[UP]}, probe down pixels {count[DOWN]} (need {need} each)")
    sys.exit(0 if count[UP] >= need and count[DOWN] >= need else 1)


if __name__ == "__main__":
    main()
