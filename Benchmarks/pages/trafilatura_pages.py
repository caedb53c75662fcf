"""Runs trafilatura over the gold pages: writes OUT_DIR/PAGE.txt for each GOLD_DIR/PAGE.html.

Settings: trafilatura.extract with its defaults except include_comments=False (reader comments are chrome here)
and include_tables=True. Usage: python trafilatura_pages.py GOLD_DIR OUT_DIR
"""
import os
import sys

import trafilatura


def main():
    gold_dir, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(os.listdir(gold_dir)):
        if not name.endswith(".html"):
            continue
        with open(os.path.join(gold_dir, name), encoding="utf-8") as f:
            page = f.read()
        text = trafilatura.extract(page, include_comments=False, include_tables=True) or ""
        with open(os.path.join(out_dir, name[:-5] + ".txt"), "w", encoding="utf-8") as f:
            f.write(text)


if __name__ == "__main__":
    main()
