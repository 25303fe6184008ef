#!/usr/bin/env bash
# The build step of the delivery pipeline. CodeBuild runs it in the Rails app's source (the pipeline's source
# artifact): it builds the repository's Dockerfile into an image tagged with the full commit SHA, pushes it,
# and writes image.json ({"imageUri": ...}) for the release step.
#
# Project variables (constructs/delivery/build-step.ts): REPOSITORY_URI, REPOSITORY_NAME.
# Set by CodeBuild: CODEBUILD_RESOLVED_SOURCE_VERSION, the commit being built.
set -euo pipefail

: "${REPOSITORY_URI:?must be the ECR repository URI}"
: "${REPOSITORY_NAME:?must be the ECR repository name}"

revision="${CODEBUILD_RESOLVED_SOURCE_VERSION:-}"
if [[ ! "$revision" =~ ^[0-9a-f]{40}$ ]]; then
  echo "Source revision '$revision' is not a commit SHA; the image tag must name exactly one commit" >&2
  exit 1
fi
image_uri="$REPOSITORY_URI:$revision"

aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"

# Tags are immutable in ECR: a re-run for a commit that was pushed before reuses that image.
if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids "imageTag=$revision" >/dev/null 2>&1; then
  echo "$image_uri was pushed before; the release reuses it"
else
  docker build --pull --tag "$image_uri" --label "org.opencontainers.image.revision=$revision" .
  docker push "$image_uri"
fi

jq -n --arg uri "$image_uri" '{imageUri: $uri}' >image.json
echo "Built $image_uri"
