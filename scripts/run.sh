#!/bin/sh
# Runs one program of the project with the environment setup.sh prepared: the dev secrets from
# .data/dev.env (variables already set win), the project's Node runtime and node_modules/.bin on
# PATH. TypeScript files run through tsx's loader in the same process (no wrapper process), the API
# and the worker from their compiled module (scripts/stack/compiled-entry.ts), and the shell execs
# it, so signals from npm or Ctrl-C reach the program itself.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ $# -gt 0 ] || { echo "usage: sh scripts/run.sh <file.ts|file.js> [args...]" >&2; exit 2; }

# --no-dev-env: the builder (worker/builder-main.ts) must never hold the dev secrets.
load_env=yes
if [ "${1:-}" = --no-dev-env ]; then load_env=no; shift; fi
[ $# -gt 0 ] || { echo "usage: sh scripts/run.sh [--no-dev-env] <file.ts|file.js> [args...]" >&2; exit 2; }

if [ $load_env = yes ] && [ -f .data/dev.env ]; then
  while IFS= read -r line; do
    case $line in '' | \#*) continue ;; esac
    key=${line%%=*} value=${line#*=}
    eval "[ -n \"\${$key+set}\" ] || export $key=\"\$value\""
  done < .data/dev.env
fi

PATH="$root/node_modules/.bin:$PATH"
if [ -x .tools/node/node_modules/.bin/node ]; then PATH="$root/.tools/node/node_modules/.bin:$PATH"; fi
export PATH

case $1 in
  # The services start from one compiled module: tsx's hooks on every module cost about a second.
  api/main.ts)
    compiled=$(node scripts/stack/compiled-entry.ts "$1")
    shift
    exec node --enable-source-maps "$compiled" "$@" ;;
  # The worker preloads workflow-stack-traces.ts into its workflow threads (see there).
  worker/main.ts)
    compiled=$(node scripts/stack/compiled-entry.ts "$1")
    shift
    exec node --enable-source-maps --import ./worker/workflow-stack-traces.ts "$compiled" "$@" ;;
  *.ts) exec node --import tsx "$@" ;;
  *) exec node "$@" ;;
esac
