#!/usr/bin/env bash
# The convex-test interop and e2e tests on the lowest and the highest convex / convex-test
# pair package.json's peerDependencies claim, then the locked versions back in place.
# `npm i --no-save` changes node_modules only, never package.json or the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

# Lowest: mutation ctx.storage.store/get need convex 1.48 (1.47 was never published);
# convex-test's transactional files and file limits arrived in 0.0.70. Highest: the newest.
PAIRS=("1.48.0 0.0.70" "1.51.0 0.0.73")
TESTS=(test/convex-test.test.ts test/e2e test/readme.test.ts)

locked() { node -p "require('./package-lock.json').packages['node_modules/$1'].version"; }
install() { npm i --no-save --no-audit --no-fund --loglevel=error "convex@$1" "convex-test@$2" >/dev/null; }
LOCKED_CONVEX=$(locked convex)
LOCKED_CONVEX_TEST=$(locked convex-test)
trap 'install "$LOCKED_CONVEX" "$LOCKED_CONVEX_TEST"' EXIT

for pair in "${PAIRS[@]}"; do
  read -r convex convex_test <<<"$pair"
  echo "interop matrix: convex $convex + convex-test $convex_test"
  install "$convex" "$convex_test"
  node -e 'for (const p of ["convex", "convex-test"]) console.log(`  ${p} ${require(`./node_modules/${p}/package.json`).version}`)'
  npx vitest run --reporter=dot "${TESTS[@]}"
done
