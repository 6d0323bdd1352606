#!/usr/bin/env bash
# `npm test`: everything CI proves. Installs what is missing (scripts/setup.sh), then
# lint, typecheck, unit + integration tests (Vitest, against the real local registry
# and local Sigstore), the storage tests again on PostgreSQL (a throwaway cluster that
# Vitest's global setup starts and stops: tests/support/postgres.ts), a production build,
# and the browser tests (Playwright driving Debian's Chromium). Ends with one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p reports
start=$(date +%s)

bash scripts/setup.sh
echo "== lint";      npm run --silent lint
echo "== typecheck"; npm run --silent typecheck
echo "== migrations cover the schema (SQLite and PostgreSQL)"; npm run --silent db:migration -- --check
echo "== unit and integration tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json=reports/vitest.json
echo "== storage tests on PostgreSQL (vitest, SIGSCOPE_TEST_DATABASE=postgresql)"
# Everything that opens a database through lib/db/client and builds its URL with
# tests/support/database.ts; tests/postgres holds the PostgreSQL-only migration tests.
pg_tests=(
  lib/db
  tests/postgres
  tests/integration/db.test.ts
  tests/integration/policies-db.test.ts
  tests/integration/identities-cli.test.ts
  tests/integration/drift-sandbox.test.ts
  tests/integration/cli.test.ts
  tests/integration/scan.test.ts
)
SIGSCOPE_TEST_DATABASE=postgresql npx vitest run "${pg_tests[@]}" --reporter=default --reporter=json --outputFile.json=reports/vitest-postgres.json
echo "== build";     npx next build > reports/next-build.log 2>&1 || { cat reports/next-build.log; exit 1; }
echo "== browser tests (playwright + /usr/bin/chromium)"
PLAYWRIGHT_JSON_OUTPUT_NAME=reports/playwright.json npx playwright test --reporter=list,json

node -e '
const fs = require("fs");
const v = JSON.parse(fs.readFileSync("reports/vitest.json", "utf8"));
const g = JSON.parse(fs.readFileSync("reports/vitest-postgres.json", "utf8"));
const p = JSON.parse(fs.readFileSync("reports/playwright.json", "utf8"));
const passed = v.numPassedTests + g.numPassedTests + (p.stats.expected || 0);
const failed = v.numFailedTests + g.numFailedTests + (p.stats.unexpected || 0);
const skipped = (v.numPendingTests || 0) + (v.numTodoTests || 0) + (g.numPendingTests || 0) + (g.numTodoTests || 0) + (p.stats.skipped || 0);
console.log(`vitest ${v.numPassedTests}/${v.numTotalTests}, vitest on PostgreSQL ${g.numPassedTests}/${g.numTotalTests}, playwright ${p.stats.expected}/${p.stats.expected + p.stats.unexpected + p.stats.flaky + p.stats.skipped}, ${Math.round((Date.now()/1000) - '"$start"')} s`);
console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
process.exit(failed ? 1 : 0);
'
