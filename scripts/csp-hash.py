#!/usr/bin/env python3
"""Allow exactly the inline scripts Trunk emitted, and nothing else.

Trunk writes a small inline <script type="module"> that loads the wasm. The page's
Content-Security-Policy (index.html) allows scripts only from 'self', so after each build
this adds a 'sha256-...' source for every inline script in the built index.html to the
policy's script-src. Run by Trunk as a post_build hook (on the staging folder) and safe to
run twice: hashes already present are not added again.

Then, with index.html final, it lists the build's files for the service worker
(scripts/sw_precache.py): Trunk runs the hooks of one stage at the same time, so that step
must run from here, after this one, rather than as a hook of its own.
"""
import base64
import hashlib
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sw_precache  # noqa: E402  (a sibling script)


def main() -> int:
    folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRUNK_STAGING_DIR", "dist")
    path = os.path.join(folder, "index.html")
    with open(path, encoding="utf-8") as f:
        html = f.read()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    hashes = []
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    meta = re.search(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")', html)
    if not meta:
        print("csp-hash: no Content-Security-Policy meta in index.html", file=sys.stderr)
        return 1
    policy = meta.group(2)
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    for i, d in enumerate(directives):
        if d.startswith("script-src "):
            present = d.split()
            directives[i] = " ".join(present + [h for h in hashes if h not in present])
    new_policy = "; ".join(directives)
    html = html[: meta.start(2)] + new_policy + html[meta.end(2):]
    with open(path, "w", encoding="utf-8") as f:
        f.write(html)
    print(f"csp-hash: {len(hashes)} inline script(s) allowed by hash")
    sw_precache.write(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
