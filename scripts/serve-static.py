#!/usr/bin/env python3
"""Serve a built page as GitHub Pages would: static files, correct MIME types, optionally
under a sub-path (--prefix /trailscope/), on 127.0.0.1 only."""
import argparse
import functools
import http.server
import sys

TYPES = {".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript",
         ".json": "application/json", ".webmanifest": "application/manifest+json",
         ".svg": "image/svg+xml", ".css": "text/css", ".html": "text/html"}


class Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return "/nonexistent-outside-prefix"
        return super().translate_path("/" + path[len(self.prefix):])

    def do_GET(self):
        if self.prefix != "/" and self.path == self.prefix.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dir", default="dist")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--prefix", default="/")
    a = ap.parse_args()
    prefix = "/" + a.prefix.strip("/") + "/" if a.prefix.strip("/") else "/"
    handler = functools.partial(type("H", (Handler,), {"prefix": prefix}), directory=a.dir)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", a.port), handler)
    print(f"Trailscope is served at http://127.0.0.1:{a.port}{prefix}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
