# Installs what building and testing the browser module needs; sourced by scripts/test-browser
# and scripts/serve-form. Every step is skipped when it is already done.

# The wasm-bindgen version pinned in wasm/Cargo.toml (`wasm-bindgen = "=X.Y.Z"`): the CLI that
# writes the JS glue must be the very same version.
wasm_bindgen_pin() {
  sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' wasm/Cargo.toml
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

ensure_wasm_toolchain() {
  rustup target add wasm32-unknown-unknown
  local want
  want=$(wasm_bindgen_pin)
  if [ -z "$want" ]; then
    echo "wasm/Cargo.toml does not pin wasm-bindgen with =X.Y.Z" >&2
    return 1
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    # --locked can fail when a locked dependency has left the registry: retry without it.
    cargo install wasm-bindgen-cli --version "$want" --locked || cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
  fi
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
  # A Chinese font, so that the screenshot shows the page as a reader sees it (not needed to pass).
  if ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    apt_install fonts-wqy-microhei || echo "note: no Chinese font installed; the screenshot will show boxes" >&2
  fi
}
