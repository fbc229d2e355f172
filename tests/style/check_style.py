#!/usr/bin/env python3
"""The shape rules of the C++ tree, checked on every `make test`.

1. Every .cc/.h under src/, bench/ and fuzz/ is formatted with the repo's .clang-format
   (clang-format 14, Debian's, as CI has it): `clang-format --dry-run --Werror`.
2. No production source file (not *_test.cc) over 900 lines.
3. No production function over 150 lines. With the repo's format every function
   definition at namespace scope starts at column 0 and closes with a `}` at column 0,
   so a definition is counted from its first line to that brace. Data tables that are
   longer by nature are listed in DATA_TABLES with why.

Usage: check_style.py SOURCE_DIR [CLANG_FORMAT]. Exit 0 clean, 1 with each finding on
stderr as `path:line: what`.
"""
import os
import re
import subprocess
import sys

MAX_FILE_LINES = 900
MAX_FUNCTION_LINES = 150
# Functions whose length is data (one entry per line), not logic.
DATA_TABLES = {
    ("src/auth/catalog.cc", "BuiltinDatasets"),  # the built-in catalog, one dataset a block
}
ROOTS = ("src", "bench", "fuzz")
# A definition's first line: not a comment, a preprocessor line, a namespace, a
# type, a closing brace or a declaration ending in ';'.
SKIP = re.compile(r"^(\s|//|/\*|\*|#|namespace\b|}|class\b|struct\b|enum\b|union\b|using\b|"
                  r"template\b|extern\b|static_assert\b|$)")


def sources(root):
    out = []
    for top in ROOTS:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".cc", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(out)


def long_functions(path, lines):
    """(line, name, length) of each column-0 definition longer than the limit."""
    found = []
    start = None
    name = ""
    for i, line in enumerate(lines):
        if start is None:
            if SKIP.match(line) or line.rstrip().endswith(";"):
                continue
            m = re.search(r"([A-Za-z_~][A-Za-z0-9_:<>~]*)\s*\(", line)
            if m:
                start, name = i, m.group(1).split("::")[-1]
                if line.rstrip().endswith("}"):  # a one-line definition
                    start = None
        elif line.startswith("}"):
            length = i - start + 1
            if length > MAX_FUNCTION_LINES and (path, name) not in DATA_TABLES:
                found.append((start + 1, name, length))
            start = None
    return found


def main():
    root = sys.argv[1]
    clang_format = sys.argv[2] if len(sys.argv) > 2 else "clang-format-14"
    files = sources(root)
    findings = []
    for path in files:
        with open(os.path.join(root, path), encoding="utf-8") as f:
            lines = f.read().split("\n")
        production = not path.endswith("_test.cc") and path.startswith("src/")
        if production and len(lines) - 1 > MAX_FILE_LINES:
            findings.append(f"{path}:1: {len(lines) - 1} lines (at most {MAX_FILE_LINES})")
        if production and path.endswith(".cc"):
            for line, name, length in long_functions(path, lines):
                findings.append(f"{path}:{line}: {name} is {length} lines "
                                f"(at most {MAX_FUNCTION_LINES})")
    fmt = subprocess.run([clang_format, "--dry-run", "--Werror", "--style=file"] + files,
                         cwd=root, capture_output=True, text=True)
    if fmt.returncode != 0:
        shown = [l for l in fmt.stderr.splitlines() if ": error: " in l]
        findings.append(f"clang-format: {len(shown)} differences; first: "
                        + "; ".join(shown[:5]) + " (run `make format`)")
    for f in findings:
        print(f, file=sys.stderr)
    print(f"style: {len(files)} files, {len(findings)} findings")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
