"""Splits `mirsad analyze --json` output (read from stdin) into OUT_DIR/PAGE.txt files holding each clean text.

Usage: mirsad analyze --json gold/*.html | python3 mirsad_pages.py OUT_DIR
"""
import json
import os
import sys


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for line in sys.stdin:
        record = json.loads(line)
        name = os.path.basename(record["id"])
        name = name[:-5] if name.endswith(".html") else name
        with open(os.path.join(out_dir, name + ".txt"), "w", encoding="utf-8") as f:
            f.write(record["analysis"]["cleanText"])


if __name__ == "__main__":
    main()
