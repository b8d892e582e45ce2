#!/bin/sh
# Installs the generated-app dependency set (activities/codegen/toolchain) once into
# .tools/check-deps, so every type check and preview build links the same node_modules instead of
# installing per job. Idempotent: a stamp holds the hash of the manifest + lockfile + platform, and
# a warm run only compares it (no npm, no network).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
PATH="$root/.tools/node/node_modules/.bin:$PATH"
export PATH
source_dir="$root/activities/codegen/toolchain"
dest="$root/.tools/check-deps"
stamp="$dest/.provisioned"

# node is the one tool we can count on here (sha256sum/shasum differ across systems).
wanted=$(node -e '
  const { createHash } = require("node:crypto");
  const { readFileSync } = require("node:fs");
  const hash = createHash("sha256").update(`${process.platform}-${process.arch}\n`);
  for (const file of process.argv.slice(1)) hash.update(readFileSync(file));
  console.log(hash.digest("hex"));
' "$source_dir/package.json" "$source_dir/package-lock.json")

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ] && [ -d "$dest/node_modules/typescript" ]; then
  exit 0
fi

echo "provision-check-deps: installing the generated-app toolchain into .tools/check-deps" >&2
# Build next to the target and swap it in, so a failed or interrupted install never leaves a
# half-filled directory that a type check would pick up.
staging="$dest.staging-$$"
trap 'rm -rf "$staging"' EXIT
rm -rf "$staging"
mkdir -p "$staging"
cp "$source_dir/package.json" "$source_dir/package-lock.json" "$staging/"
# Lifecycle scripts stay off: none of these packages needs one. TypeScript 7 ships its native
# compiler as a prebuilt optional dependency (@typescript/typescript-<platform>-<arch>/lib/tsc),
# not through a postinstall, so it works with --ignore-scripts; the check below proves it.
npm ci --prefix "$staging" --ignore-scripts --no-audit --no-fund --loglevel=error >&2
"$staging/node_modules/.bin/tsc" --version >/dev/null

rm -rf "$dest.old"
if [ -d "$dest" ]; then mv "$dest" "$dest.old"; fi
mv "$staging" "$dest"
rm -rf "$dest.old"
printf '%s\n' "$wanted" > "$stamp"
echo "provision-check-deps: ready ($("$dest/node_modules/.bin/tsc" --version))" >&2
