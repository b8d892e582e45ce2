#!/bin/sh
# Installs whatever `npm start` / `npm test` need and is missing: a Node >= 22.17 runtime, the npm
# dependencies, the Temporal CLI, PostgreSQL's binaries and the dev secrets. Everything lands in
# the git-ignored .tools/ and .data/. Idempotent and silent when nothing is missing (a warm run
# only compares stamps), so every npm script can call it first. It starts no service.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
temporal_cli_version=1.5.1
node_runtime=node@24.21.0
local_node="$root/.tools/node/node_modules/.bin"

say() { printf 'setup: %s\n' "$*" >&2; }
fail() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else fail "run as root: $*"; fi; }

# 1. Node: the machine's own when recent enough, else a pinned Node 24 from the npm registry.
node_is_recent() {
  "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 17) ? 0 : 1)' 2>/dev/null
}
if [ ! -x "$local_node/node" ] && ! { command -v node >/dev/null && node_is_recent node; }; then
  command -v npm >/dev/null || fail "npm is missing: install Node.js (any version with npm) first"
  say "installing $node_runtime into .tools/node (the machine's node is missing or older than 22.17)"
  npm install --prefix .tools/node --no-save --no-audit --no-fund --loglevel=error "$node_runtime"
  node_is_recent "$local_node/node" || fail "the installed $node_runtime does not run"
fi
if [ -x "$local_node/node" ]; then PATH="$local_node:$PATH"; export PATH; fi

# 2. Dependencies: `npm ci` whenever package-lock.json differs from the one last installed.
lock_sum=$(cksum < package-lock.json)
stamp=node_modules/.forge-lock-cksum
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  say "installing dependencies (npm ci)"
  install_log=$(mktemp)
  if npm ci --no-audit --no-fund --loglevel=error > "$install_log" 2>&1; then
    cat "$install_log"
  elif grep -q 'from lock file' "$install_log"; then
    # npm ci also demands lock entries for other platforms' optional packages (@swc/core-darwin-*
    # and the like); a registry that does not serve them leaves them out of the lock. npm install
    # still installs exactly the locked versions, and --no-save leaves the lockfile untouched.
    grep 'Missing:' "$install_log" >&2 || true
    say "npm ci refused the lockfile for the entries above; installing the locked versions with npm install --no-save"
    npm install --no-save --no-audit --no-fund --loglevel=error
  else
    cat "$install_log" >&2
    rm -f "$install_log"
    fail "npm ci failed (see above)"
  fi
  rm -f "$install_log"
  printf '%s\n' "$lock_sum" > "$stamp"
fi

# 3. Temporal CLI: built from source once per machine (several minutes), then copied from a cache.
temporal_bin="$root/.tools/bin/temporal"
temporal_stamp="$root/.tools/bin/.temporal-version"
cache_dir="${XDG_CACHE_HOME:-$HOME/.cache}/forge"
cached_cli="$cache_dir/temporal-$temporal_cli_version"
if [ ! -x "$temporal_bin" ] || { [ -f "$temporal_stamp" ] && [ "$(cat "$temporal_stamp")" != "$temporal_cli_version" ]; }; then
  mkdir -p "$root/.tools/bin"
  if [ -x "$cached_cli" ]; then
    ln -f "$cached_cli" "$temporal_bin" 2>/dev/null || cp "$cached_cli" "$temporal_bin"
  else
    go=$(command -v go || echo /usr/local/go/bin/go)
    [ -x "$go" ] || fail "Go >= 1.24 is needed once to build the Temporal CLI: install it from https://go.dev/dl (Debian's golang-go is too old), then rerun"
    say "building the Temporal CLI $temporal_cli_version with $("$go" version | cut -d' ' -f3) (one time; takes several minutes)"
    GOBIN="$root/.tools/bin" "$go" install "github.com/temporalio/cli/cmd/temporal@v$temporal_cli_version" \
      || fail "building the Temporal CLI failed (see above); Go >= 1.24 is required"
    mkdir -p "$cache_dir"
    cp "$temporal_bin" "$cached_cli.tmp.$$" && mv "$cached_cli.tmp.$$" "$cached_cli"
  fi
  printf '%s\n' "$temporal_cli_version" > "$temporal_stamp"
fi

# 4. PostgreSQL server binaries (the cluster itself is created under .data/pg by scripts/stack).
has_postgres() {
  [ -n "${FORGE_PG_BIN:-}" ] || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null
}
if ! has_postgres; then
  command -v apt-get >/dev/null || fail "PostgreSQL is missing: install its server (initdb, postgres) or set FORGE_PG_BIN to its bin directory"
  say "installing PostgreSQL from Debian's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  has_postgres || fail "PostgreSQL was installed but initdb was not found"
fi

# 4b. bubblewrap confines builds and preview servers of generated code; optional: without it they
# run as plain child processes (limits still apply) and the build log says so.
if ! command -v bwrap >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  say "installing bubblewrap (sandbox for generated code)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null 2>&1 \
    || say "bubblewrap could not be installed: builds run unconfined (limits still apply)"
fi

# 5. Development secrets, generated once per checkout and readable by the owner only.
if [ ! -f .data/dev.env ]; then
  mkdir -p .data
  (umask 077 && node -e '
    const { randomBytes } = require("node:crypto");
    console.log("# Generated by scripts/setup.sh for local development. Never commit or reuse in production.");
    console.log(`JWT_SECRET=${randomBytes(48).toString("base64url")}`);
    console.log(`ENCRYPTION_KEY=${randomBytes(32).toString("base64")}`);
  ' > .data/dev.env.tmp)
  mv .data/dev.env.tmp .data/dev.env
  chmod 600 .data/dev.env
fi

# 6. The toolchain that type-checks generated apps (owned by its own script).
if [ -f scripts/provision-check-deps.sh ]; then sh scripts/provision-check-deps.sh; fi
