#!/usr/bin/env python3
"""compare.py A.report.txt B.report.txt [N]: per-socket objects (count >= N*0.9) of two dotnet-gcdump reports: bytes (object size × count) / N."""
import re, sys
def load(p):
    d = {}
    for line in open(p):
        m = re.match(r'\s*([\d,]+)\s+([\d,]+)\s+(.*?)\s+\[', line)
        if m:
            b, c, t = int(m[1].replace(',', '')), int(m[2].replace(',', '')), m[3].replace(' (Bytes > 10K)', '').replace(' (Bytes > 1K)', '')
            ob, oc = d.get(t, (0, 0)); d[t] = (ob + b * c, oc + c)
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
rows = []
for t in set(a) | set(b):
    ab, ac = a.get(t, (0, 0)); bb, bc = b.get(t, (0, 0))
    if max(ac, bc) >= n * 0.9:
        rows.append((bb / n, ab / n, ac / n, bc / n, t))
rows.sort(reverse=True)
ta = tb = 0
print(f"{'A B/sock':>9} {'B B/sock':>9} {'A n':>5} {'B n':>5}  type")
for bb, ab, ac, bc, t in rows:
    ta += ab; tb += bb
    print(f"{ab:9.0f} {bb:9.0f} {ac:5.2f} {bc:5.2f}  {t[:150]}")
print(f"{ta:9.0f} {tb:9.0f}  total of the rows")
