#!/usr/bin/env bash
# Tries the move from cdktf to its community fork cdktn in a scratch copy, and compares what it synthesizes with
# today's cdktf output: docs/take-over.md records the result. Needs the npm registry; never run by CI.
#   bash scripts/cdktn-attempt.sh [scratch-dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$(mktemp -d)}
mkdir -p "$scratch"
echo "== scratch copy in $scratch"
(cd "$root" && git ls-files -z | xargs -0 -I{} cp --parents {} "$scratch/")

cd "$scratch"
# The packages: cdktn and its CLI 0.24.0 (the only release), the AWS binding that peers with it, constructs in
# its range. There is no @cdktn/provider-github: the cdktf-built GitHub binding stays.
# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
node -e '
  const fs = require("fs"); const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
  delete p.dependencies.cdktf; delete p.dependencies["@cdktf/provider-aws"]; delete p.devDependencies["cdktf-cli"];
  Object.assign(p.dependencies, { cdktn: "0.24.0", "@cdktn/provider-aws": "25.7.0", constructs: "10.7.2" });
  p.devDependencies["cdktn-cli"] = "0.24.0";
  fs.writeFileSync("package.json", JSON.stringify(p, null, 2) + "\n");'
# The imports: the three spellings the project uses.
find . -name node_modules -prune -o \( -name '*.ts' -o -name '*.js' \) -print0 |
  xargs -0 sed -i -e 's#from "cdktf"#from "cdktn"#' -e 's#"cdktf/lib/#"cdktn/lib/#' \
    -e 's#"@cdktf/provider-aws/lib/#"@cdktn/provider-aws/lib/#'
echo "== files that import cdktn now: $(grep -rl --include='*.ts' -e '"cdktn' . | grep -vc node_modules)"
rm -f package-lock.json
npm install --no-audit --no-fund --loglevel=error

echo "== type-check"
npx tsc --noEmit -p . && echo "tsc: clean"
echo "== synth, whole app"
node scripts/synth.js || echo "synth of the whole app failed (see above)"
echo "== synth without the GitHub stack"
sed -i 's#^    new GithubStack(app, GITHUB_STACK, { settings: github, backend, environments: deployedByGithub });#    void deployedByGithub; void GithubStack; void GITHUB_STACK;#' main.ts
node scripts/synth.js
(cd "$root" && node scripts/synth.js)
# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
node -e '
  const fs = require("fs");
  const strip = (d) => JSON.parse(JSON.stringify(d, (k, v) => (k === "//" ? undefined : v)));
  for (const env of ["production", "staging", "local"]) {
    const file = (dir) => `${dir}/cdktf.out/stacks/myamazingapp-${env}/cdk.tf.json`;
    const a = strip(JSON.parse(fs.readFileSync(file(process.argv[1]), "utf8")));
    const b = strip(JSON.parse(fs.readFileSync(file("."), "utf8")));
    const same = JSON.stringify(a.resource) === JSON.stringify(b.resource);
    console.log(`${env}: resources ${same ? "identical" : "DIFFER"}; aws provider ${JSON.stringify(a.terraform.required_providers.aws)} -> ${JSON.stringify(b.terraform.required_providers.aws)}`);
  }' "$root"
echo "== unit tests"
npx jest --testPathIgnorePatterns e2e local-deploy terraform-validate 2>&1 | grep -E "^Tests:"
