#!/usr/bin/env python3
"""Tell the service worker which files make up this build, and give the build a version.

assets/sw.js is copied into the build as sw.js with the line
    const BUILD = { ... }; // @build (rewritten after each build)
This rewrites that line with every file of the built page (paths relative to the page's
folder, sorted) and a version made from their names and contents. A new build with new file
hashes therefore gives sw.js new bytes, which is how browsers notice the update; an
identical build gives identical bytes (no needless re-download).

Called by scripts/csp-hash.py after it has finished index.html (Trunk runs the hooks of a
stage at the same time, so the two must not be separate hooks). Also runnable by hand:
    python3 scripts/sw_precache.py dist
"""
import hashlib
import json
import os
import re
import sys

SW = "sw.js"
LINE = re.compile(r"^const BUILD = .*; // @build.*$", flags=re.M)


def build_files(folder):
    """Every file under the folder except the worker itself, as sorted relative URLs."""
    files = []
    for root, _dirs, names in os.walk(folder):
        for name in names:
            rel = os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/")
            if rel != SW:
                files.append(rel)
    return sorted(files)


def write(folder):
    """Rewrite the BUILD line of folder/sw.js; returns the version, or None without sw.js."""
    path = os.path.join(folder, SW)
    if not os.path.exists(path):
        return None
    files = build_files(folder)
    digest = hashlib.sha256()
    for rel in files:
        digest.update(rel.encode("utf-8") + b"\0")
        with open(os.path.join(folder, rel), "rb") as f:
            digest.update(hashlib.sha256(f.read()).digest())
    version = digest.hexdigest()[:20]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    build = json.dumps({"version": version, "files": files}, separators=(", ", ": "))
    line = f"const BUILD = {build}; // @build (rewritten after each build)"
    new, n = LINE.subn(lambda _m: line, text)
    if n != 1:
        raise SystemExit(f"sw_precache: {path} has {n} BUILD lines, expected exactly 1")
    with open(path, "w", encoding="utf-8") as f:
        f.write(new)
    print(f"sw_precache: build {version}, {len(files)} files for the service worker")
    return version


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR", "dist")
    if write(folder) is None:
        raise SystemExit(f"sw_precache: no {SW} in {folder}")
