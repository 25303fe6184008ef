#!/usr/bin/env bash
# The promote step, in place of the build for an environment that releases what another one released (production
# promotes staging's images). CodeBuild runs it after the approval, in the app's source:
#   (a) the commit's image in the source environment's repository must carry a released-* tag: the source
#       environment released it, migrations and deploy included; otherwise nothing is promoted;
#   (b) it is copied by digest into this environment's repository under the commit SHA (a copy made before is
#       reused; a tag that names another digest is refused: tags are immutable);
#   (c) the copy's digest must equal the source's, and image.json names it by digest, so the release deploys, and
#       records, exactly the bytes the source environment ran.
#
# Project variables (constructs/delivery/promote-step.ts): SOURCE_REPOSITORY_URI, SOURCE_REGISTRY_ID,
# REPOSITORY_URI, REPOSITORY_NAME. Set by CodeBuild: CODEBUILD_RESOLVED_SOURCE_VERSION, the commit.
set -euo pipefail

: "${SOURCE_REPOSITORY_URI:?must be the ECR repository URI of the source environment}"
: "${SOURCE_REGISTRY_ID:?must be the account id of the source environment}"
: "${REPOSITORY_URI:?must be the ECR repository URI of this environment}"
: "${REPOSITORY_NAME:?must be the ECR repository name of this environment}"

fail() {
  echo "$*" >&2
  exit 1
}

revision="${CODEBUILD_RESOLVED_SOURCE_VERSION:-}"
[[ "$revision" =~ ^[0-9a-f]{40}$ ]] || fail "Source revision '$revision' is not a commit SHA"
source_name="${SOURCE_REPOSITORY_URI#*/}"

# (a) Released by the source environment?
if ! aws ecr describe-images --registry-id "$SOURCE_REGISTRY_ID" --repository-name "$source_name" \
  --image-ids "imageTag=$revision" --output json >source.json 2>source.err; then
  fail "$SOURCE_REPOSITORY_URI has no image for commit $revision: release it there first ($(tr -d '\n' <source.err))"
fi
digest=$(jq -r '.imageDetails[0].imageDigest // empty' source.json)
[[ -n "$digest" ]] || fail "$SOURCE_REPOSITORY_URI:$revision has no digest"
jq -e '.imageDetails[0].imageTags | any(startswith("released-"))' source.json >/dev/null ||
  fail "$SOURCE_REPOSITORY_URI:$revision was built but never released there; promote only what the source environment released"

# (b) The copy, by digest.
target="$REPOSITORY_URI:$revision"
if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=$revision" \
  --output json >target.json 2>/dev/null; then
  existing=$(jq -r '.imageDetails[0].imageDigest // empty' target.json)
  [[ "$existing" == "$digest" ]] ||
    fail "$target already names $existing, not the source's $digest; tags are immutable, refusing to promote"
  echo "$target was promoted before; reusing it"
else
  aws ecr get-login-password | docker login --username AWS --password-stdin "${SOURCE_REPOSITORY_URI%%/*}"
  aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"
  docker pull "$SOURCE_REPOSITORY_URI@$digest"
  docker tag "$SOURCE_REPOSITORY_URI@$digest" "$target"
  docker push "$target"
  aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=$revision" \
    --output json >target.json
fi

# (c) The same bytes.
copied=$(jq -r '.imageDetails[0].imageDigest // empty' target.json)
[[ "$copied" == "$digest" ]] || fail "The copy's digest $copied differs from the source's $digest; not releasing it"
jq -n --arg uri "$REPOSITORY_URI@$digest" --arg source "$SOURCE_REPOSITORY_URI@$digest" --arg digest "$digest" \
  '{imageUri: $uri, sourceImage: $source, digest: $digest}' >image.json
echo "Promoted $SOURCE_REPOSITORY_URI:$revision as $REPOSITORY_URI@$digest"
