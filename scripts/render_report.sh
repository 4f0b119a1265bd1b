#!/usr/bin/env bash
# Render the monthly report of testdata/ in headless Chromium and check what a reader would see.
#
#   scripts/render_report.sh [OUT.png] [en|zh]
#
# Builds crm-cli, writes `crm-cli report --period 2026-09` of testdata/ as HTML, checks the file
# loads nothing from outside, screenshots it in headless Chromium (1280×4000) and fails when
# Chromium fails, reports a page error (console message, failed load, crash) or the PNG is blank
# (one colour, or almost nothing drawn). OUT.png defaults to a temporary file; the PNG committed
# as docs/report-sample.png is `scripts/render_report.sh docs/report-sample.png`.
set -euo pipefail
cd "$(dirname "$0")/.."

out_png="${1:-}"
lang="${2:-en}"
# The debug build .ci/run keeps for this clone (one cache per clone path, see .ci/run).
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/crm-cli/target-$(pwd -P | cksum | cut -d' ' -f1)}"

browser=""
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then
        browser="$b"
        break
    fi
done
if [ -z "$browser" ]; then
    echo "render_report.sh: no Chromium found (Debian: apt-get install chromium)" >&2
    exit 1
fi
command -v python3 >/dev/null 2>&1 || { echo "render_report.sh: python3 is needed to check the PNG" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[ -n "$out_png" ] || out_png="$work/report.png"

cargo build --quiet
"$CARGO_TARGET_DIR/debug/crm-cli" report --period 2026-09 \
    --shipments testdata/shipments.csv --invoices testdata/invoices.csv \
    --financials testdata/financials.csv --lang "$lang" -o "$work/report.html" --quiet

# Self-contained: no script, stylesheet, image or font is fetched.
if grep -Eq '<script|<link|<img|<iframe|src=|@import|url\(' "$work/report.html"; then
    echo "render_report.sh: report.html loads something from outside or runs a script" >&2
    exit 1
fi

rm -f "$out_png"
# Any attempt to reach the network fails (and is reported) instead of waiting.
if ! timeout 180 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --host-resolver-rules="MAP * ~NOTFOUND" \
    --enable-logging=stderr --v=0 --hide-scrollbars \
    --screenshot="$out_png" --window-size=1280,4000 "file://$work/report.html" \
    >"$work/chromium.out" 2>"$work/chromium.log"; then
    cat "$work/chromium.log" >&2
    echo "render_report.sh: Chromium failed" >&2
    exit 1
fi
# Page errors, as opposed to the sandbox's noise (D-Bus, GPU, crash reporter).
if grep -E 'CONSOLE|Uncaught|Failed to load resource|net::ERR_|Aw, Snap|renderer.*crash' \
    "$work/chromium.log" >&2; then
    echo "render_report.sh: Chromium reported errors while rendering the report" >&2
    exit 1
fi

python3 - "$out_png" <<'EOF'
"""Fail unless the PNG is a real page: decodes it with the standard library only."""
import struct, sys, zlib

path = sys.argv[1]
data = open(path, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit(f"{path}: not a PNG")
pos, idat, head = 8, b"", None
while pos < len(data):
    (n,) = struct.unpack(">I", data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        head = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
width, height, depth, colour, _, _, interlace = head
channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
if depth != 8 or channels is None or interlace:
    sys.exit(f"{path}: unexpected PNG format (depth {depth}, colour type {colour})")
raw = zlib.decompress(idat)
stride = width * channels
rows, prev, i = [], bytearray(stride), 0
for _ in range(height):
    f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - channels] if x >= channels else 0
        b, c = prev[x], (prev[x - channels] if x >= channels else 0)
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
background = rows[0][:channels]
colours, ink = set(), 0
for y in range(0, height, 2):
    row = rows[y]
    for x in range(0, stride, channels * 2):
        px = row[x:x + channels]
        if len(colours) < 4096:
            colours.add(px)
        if px != background:
            ink += 1
share = ink / ((height // 2) * (width // 2))
print(f"{path}: {width}x{height}, {len(colours)}{'+' if len(colours) >= 4096 else ''} colours, {share:.1%} drawn")
if len(colours) < 2:
    sys.exit(f"{path}: the page is blank (one colour)")
if share < 0.005:
    sys.exit(f"{path}: the page is almost blank ({share:.2%} of it drawn)")
EOF
echo "render_report.sh: $out_png"
