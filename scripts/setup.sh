# Installs what building and testing Trailscope needs, skipping whatever is already there.
# Sourced by scripts/serve and scripts/test (not run on its own). Versions and traps are
# recorded in ../shared/TOOLCHAIN.md: trunk 0.21.14 (0.22 needs a newer rustc),
# wasm-bindgen-cli exactly at the Cargo.lock version, wasm-opt from npm's binaryen (Debian's
# binaryen 108 corrupts release builds), Debian's Chromium (browser downloads fail here).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
E2E="$ROOT/tests/e2e"
TRUNK_VERSION=0.21.14
export PATH="$HOME/.cargo/bin:$E2E/node_modules/.bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

step() { printf '\n== %s\n' "$*"; }
note() { printf '   %s\n' "$*"; }

setup_rust() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    step "installing the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  for c in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
      step "installing rustup component $c"
      rustup component add "$c"
    fi
  done
}

setup_trunk() {
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION\$"; then
    step "installing trunk $TRUNK_VERSION (about 8 minutes on 2 cores, once)"
    cargo install --locked "trunk@$TRUNK_VERSION"
  fi
}

setup_wasm_bindgen() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")
  if [ -z "$want" ]; then echo "cannot read the wasm-bindgen version from Cargo.lock" >&2; return 1; fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$" \
     || ! command -v wasm-bindgen-test-runner >/dev/null; then
    step "installing wasm-bindgen-cli $want (the Cargo.lock version; about 3 minutes, once)"
    # --locked fails for this crate on this registry mirror; the unlocked build works.
    cargo install --force "wasm-bindgen-cli@$want"
  fi
}

setup_npm() {
  # node_modules is reinstalled only when package-lock.json changed since the last install.
  local stamp="$E2E/node_modules/.trailscope-lock"
  if [ ! -f "$stamp" ] || ! cmp -s "$E2E/package-lock.json" "$stamp"; then
    step "installing npm packages (Playwright without its browser, binaryen for wasm-opt)"
    (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$E2E/package-lock.json" "$stamp"
  fi
  # Debian's wasm-opt (binaryen 108) corrupts release builds: make sure npm's is the one found.
  local v
  v=$(wasm-opt --version 2>/dev/null | grep -o '[0-9]\+' | head -1)
  if [ -z "$v" ] || [ "$v" -lt 110 ]; then
    echo "wasm-opt on PATH is version '${v:-none}'; binaryen >= 110 is required" >&2
    return 1
  fi
}

setup_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "Chromium is missing: run 'apt-get install -y chromium chromium-driver' as root" >&2
    return 1
  fi
  step "installing Debian's chromium and chromium-driver"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
}

# What building the page needs.
setup_build() { setup_rust && setup_trunk && setup_wasm_bindgen && setup_npm; }
# What the whole test suite needs.
setup_all() { setup_build && setup_chromium; }

# Build the release page into $1 with public URL $2 (default: relative, works at any path).
# build_release DIST URL [CARGO_FEATURES]: the release page, as shipped (the test builds add
# `crash-probe`, which only lets a test make the engine panic on purpose, and `eager-head`,
# which answers every new query over 50,000 events with a head first, however fast).
build_release() {
  local dist=${1:-dist} url=${2:-./} features=${3:-}
  (cd "$ROOT" && trunk build --release --offline --dist "$dist" --public-url "$url" \
    ${features:+--features "$features"})
}
