#!/usr/bin/env bash
# Installs what Sigscope needs on a fresh Debian 12 machine, idempotently:
# Debian packages (registry, skopeo, chromium, postgresql client/server), npm
# dependencies (npm ci when the lock changed), and the generated Prisma clients
# (SQLite and PostgreSQL).
# Nothing is downloaded outside apt and the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/docker-registry ] || need+=(docker-registry)
[ -x /usr/bin/skopeo ] || need+=(skopeo)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/openssl ] || need+=(openssl)
# PostgreSQL server binaries for the team-path tests (tests/support/postgres.ts starts a
# throwaway cluster with them; nothing runs as a system service).
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# npm ci only when node_modules was not installed from this exact lock file.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.sigscope-lock 2>/dev/null)" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.sigscope-lock
fi

echo "setup: generating the Prisma clients (SQLite, PostgreSQL)"
npm run --silent db:generate
npm run --silent build:cli   # bin/sigscope runs this bundle (no TypeScript loader in the process)
