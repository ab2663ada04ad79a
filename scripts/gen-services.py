#!/usr/bin/env python3
"""Generate crates/core/src/services_table.rs from botocore's service models.

The engine names a CloudTrail event's service ("AWS Performance Insights" for
`pi.amazonaws.com`). The names come from AWS's own service models, which botocore
ships on PyPI (Apache-2.0): botocore/data/<service>/<api-version>/service-2.json[.gz],
whose `metadata` holds `serviceFullName`, `endpointPrefix` and `signingName`.

Usage:
    python3 scripts/gen-services.py                      # pip-downloads the newest botocore
    python3 scripts/gen-services.py --botocore-version 1.44.5
    python3 scripts/gen-services.py --botocore-dir DIR   # an unpacked wheel, a checkout, or a dir with a .whl
    python3 scripts/gen-services.py --check ...          # exit 1 if the committed table differs

Rules (the output is a sorted list of (key, full name); the key is the CloudTrail
eventSource prefix, the part before `.amazonaws.com`):
1. Each service contributes its newest api-version's metadata.
2. Keys from `endpointPrefix` come first. When several services share an
   endpointPrefix, the winner is: the service whose botocore name equals the
   prefix (rds over docdb/neptune, lambda over lambda-core); else, if all share one
   full name, that name (elb/elbv2); else the full name most of them carry (ses and
   sesv2 over pinpoint-email for `email`); ties go to the shortest, then
   alphabetically first, botocore name (connectcampaigns over connectcampaignsv2).
   PREFERRED below names the few prefixes where that rule picks a retired model.
3. A `signingName` that differs from the service's endpointPrefix is added as a key
   only when no service uses it as an endpointPrefix (an endpointPrefix always wins)
   and no service that does not carry it has it as its botocore name (`cloudwatch`
   is CloudWatch Omni's signingName but the botocore name of Amazon CloudWatch, so it
   is left out), and only when it is unambiguous: either one service carrying it has that botocore
   name (`sagemaker`), or every service carrying it has the same full name. Otherwise
   it is left out (`timestream`: Query or Write? neither).
4. Keys are lowercased (eventSource values are; one signingName,
   "IoTSecuredTunneling", is not).
5. A full name with no space is split at its capitals ("AWSBillingConductor" ->
   "AWS Billing Conductor"); every other name is kept verbatim.

The output is deterministic: same botocore, same bytes. The botocore version is
recorded in the generated file's header.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# Prefixes shared by an old and a new model of a renamed service: use the new one.
# `es`: Amazon Elasticsearch Service became Amazon OpenSearch Service (2021); CloudTrail
# still logs it as es.amazonaws.com and botocore keeps both models.
PREFERRED = {"es": "opensearch"}

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = REPO_ROOT / "crates" / "core" / "src" / "services_table.rs"


def find_botocore_package(root: Path) -> Path:
    """Return the `botocore` package directory (the one holding `data/`) under `root`.

    `root` may be the package itself, its parent (an unpacked wheel or a git checkout),
    or a directory holding a botocore wheel, which is unpacked next to it.
    """
    for candidate in (root, root / "botocore"):
        if (candidate / "data").is_dir() and (candidate / "__init__.py").is_file():
            return candidate
    wheels = sorted(root.glob("botocore-*.whl"))
    if wheels:
        wheel = wheels[-1]
        target = root / (wheel.name[: -len(".whl")] + "-unpacked")
        if not (target / "botocore" / "data").is_dir():
            with zipfile.ZipFile(wheel) as zf:
                members = [
                    m
                    for m in zf.namelist()
                    if m.startswith("botocore/data/") or m == "botocore/__init__.py"
                ]
                zf.extractall(target, members)
        return target / "botocore"
    sys.exit(f"gen-services: no botocore package or wheel found under {root}")


def botocore_version(package: Path) -> str:
    text = (package / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", text, re.M)
    if not match:
        sys.exit(f"gen-services: no __version__ in {package / '__init__.py'}")
    return match.group(1)


def download_botocore(dest: Path, version: str | None) -> None:
    spec = f"botocore=={version}" if version else "botocore"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    subprocess.run(cmd + ["-d", str(dest), spec], check=True)


def load_metadata(data_dir: Path) -> list[dict]:
    """One metadata dict per service (newest api-version), with its botocore name."""
    services = []
    for service_dir in sorted(p for p in data_dir.iterdir() if p.is_dir()):
        versions = sorted(p for p in service_dir.iterdir() if p.is_dir())
        if not versions:
            continue
        newest = versions[-1]
        plain = newest / "service-2.json"
        packed = newest / "service-2.json.gz"
        if packed.is_file():
            with gzip.open(packed, "rt", encoding="utf-8") as f:
                model = json.load(f)
        elif plain.is_file():
            with open(plain, encoding="utf-8") as f:
                model = json.load(f)
        else:
            continue
        meta = model.get("metadata", {})
        full = meta.get("serviceFullName")
        prefix = meta.get("endpointPrefix")
        if not full or not prefix:
            continue
        services.append(
            {
                "name": service_dir.name,
                "full": clean_name(full),
                "endpoint": prefix.lower(),
                "signing": (meta.get("signingName") or prefix).lower(),
            }
        )
    return services


def clean_name(full: str) -> str:
    """Split a CamelCase name with no spaces ("AmazonApiGatewayV2"); keep others as they are."""
    full = full.strip()
    if " " in full:
        return full
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", full)


def pick(key: str, candidates: list[dict], allow_majority: bool) -> str | None:
    """The full name for `key` among services that claim it, or None when ambiguous."""
    for service in candidates:
        if service["name"] == PREFERRED.get(key):
            return service["full"]
    for service in candidates:
        if service["name"] == key:
            return service["full"]
    counts = collections.Counter(s["full"] for s in candidates)
    if len(counts) == 1:
        return candidates[0]["full"]
    if not allow_majority:
        return None
    best = max(counts.values())
    leaders = [s for s in candidates if counts[s["full"]] == best]
    leaders.sort(key=lambda s: (len(s["name"]), s["name"]))
    return leaders[0]["full"]


def build_table(services: list[dict]) -> list[tuple[str, str]]:
    by_endpoint: dict[str, list[dict]] = collections.defaultdict(list)
    by_signing: dict[str, list[dict]] = collections.defaultdict(list)
    for service in services:
        by_endpoint[service["endpoint"]].append(service)
        if service["signing"] != service["endpoint"]:
            by_signing[service["signing"]].append(service)

    table: dict[str, str] = {}
    for key, candidates in by_endpoint.items():
        name = pick(key, candidates, allow_majority=True)
        assert name is not None
        table[key] = name
    for key, candidates in by_signing.items():
        if key in by_endpoint:
            continue
        if any(s["name"] == key and s not in candidates for s in services):
            continue
        name = pick(key, candidates, allow_majority=False)
        if name is not None:
            table[key] = name
    return sorted(table.items())


def rust_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\u{{{ord(ch):x}}}")
    return '"' + "".join(out) + '"'


def render(table: list[tuple[str, str]], version: str, service_count: int) -> str:
    lines = [
        "// @generated by scripts/gen-services.py: do not edit by hand.",
        f"// Source: botocore {version} (PyPI, Apache-2.0), metadata of {service_count} service models.",
        "// Regenerate: python3 scripts/gen-services.py [--botocore-version V | --botocore-dir DIR]",
        "// The rules that resolve shared prefixes are documented in that script.",
        "",
        "/// botocore version the table was generated from.",
        f"pub(crate) const BOTOCORE_VERSION: &str = {rust_string(version)};",
        "",
        "/// (CloudTrail eventSource prefix, service full name), sorted by prefix (bytewise)",
        "/// for binary search. Prefixes are endpointPrefix values, plus unambiguous signingNames.",
        "pub(crate) static SERVICES: &[(&str, &str)] = &[",
    ]
    for key, name in table:
        args = f"{rust_string(key)}, {rust_string(name)}"
        # Laid out as rustfmt would (a tuple's items go one per line past its
        # fn_call_width of 60), so `cargo fmt` leaves the generated file alone.
        if len(args) <= 60:
            lines.append(f"    ({args}),")
        else:
            lines += ["    (", f"        {rust_string(key)},", f"        {rust_string(name)},", "    ),"]
    lines.append("];")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--botocore-dir", type=Path, help="unpacked botocore, or a dir with its wheel")
    parser.add_argument("--botocore-version", help="version to pip-download (default: newest)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="compare with --output, write nothing")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gen-services-") as tmp:
        if args.botocore_dir:
            package = find_botocore_package(args.botocore_dir.resolve())
        else:
            download_botocore(Path(tmp), args.botocore_version)
            package = find_botocore_package(Path(tmp))
        version = botocore_version(package)
        services = load_metadata(package / "data")
        table = build_table(services)
        text = render(table, version, len(services))

    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"gen-services: {args.output} is out of date (botocore {version})", file=sys.stderr)
            return 1
        print(f"gen-services: {args.output} is up to date (botocore {version})")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"gen-services: wrote {len(table)} entries from {len(services)} services "
          f"(botocore {version}) to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
