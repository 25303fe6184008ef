#!/usr/bin/env bash
# Regenerates test/fixtures/plans/*: real `terraform show -json` plans for the plan-summary tests.
#
# Needs:
#   - terraform (1.11) on PATH
#   - moto (`moto_server` on PATH, moto >= 5), which emulates AWS on loopback so nothing real is touched
#   - TF_PROVIDER_MIRROR: a Terraform filesystem mirror directory holding registry.terraform.io/hashicorp/aws
#     (the fixtures were made with hashicorp/aws 5.100.0)
# Optional:
#   - MOTO_PORT (default 4599)
#   - KEEP_WORKDIR=1 keeps the scratch Terraform directory for inspection
#
# Usage: TF_PROVIDER_MIRROR=/path/to/mirror scripts/make-plan-fixtures.sh
#
# Every scenario is planned against the same applied baseline, so each fixture shows exactly one kind of
# change (plus one "mixed" plan that has all of them, as a real PR would, and one "cost" plan whose changes move
# the monthly estimate: a larger database class, a NAT gateway and its address).
set -euo pipefail

: "${TF_PROVIDER_MIRROR:?set TF_PROVIDER_MIRROR to a Terraform filesystem mirror directory holding hashicorp/aws}"
MOTO_PORT="${MOTO_PORT:-4599}"
command -v terraform >/dev/null || { echo "terraform not found on PATH" >&2; exit 1; }
command -v moto_server >/dev/null || { echo "moto_server not found on PATH (pip install 'moto[server]')" >&2; exit 1; }
[[ -d "$TF_PROVIDER_MIRROR" ]] || { echo "TF_PROVIDER_MIRROR=$TF_PROVIDER_MIRROR is not a directory" >&2; exit 1; }

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_dir="$repo_root/test/fixtures/plans"
work="$(mktemp -d)"
moto_pid=""

cleanup() {
  if [[ -n "$moto_pid" ]]; then
    kill "$moto_pid" 2>/dev/null || true
    wait "$moto_pid" 2>/dev/null || true
  fi
  if [[ "${KEEP_WORKDIR:-}" == "1" ]]; then
    echo "scratch directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# A private CLI config so a developer's own ~/.terraformrc or registry access can't change which provider is used.
cat >"$work/terraform.rc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$TF_PROVIDER_MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
export TF_CLI_CONFIG_FILE="$work/terraform.rc"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
# Fake credentials only ever reach moto; unset anything real so a mistake can't hit an AWS account.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1

moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 50); do
  if curl -fsS "http://127.0.0.1:$MOTO_PORT/moto-api/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "moto_server exited early (port $MOTO_PORT in use?):" >&2
    cat "$work/moto.log" >&2
    exit 1
  fi
  sleep 0.2
done

tf="$work/tf"
mkdir -p "$tf"
cat >"$tf/main.tf" <<EOF
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true
  endpoints {
    ec2 = "http://127.0.0.1:$MOTO_PORT"
    iam = "http://127.0.0.1:$MOTO_PORT"
    rds = "http://127.0.0.1:$MOTO_PORT"
    s3  = "http://127.0.0.1:$MOTO_PORT"
    sns = "http://127.0.0.1:$MOTO_PORT"
    sqs = "http://127.0.0.1:$MOTO_PORT"
    sts = "http://127.0.0.1:$MOTO_PORT"
  }
}

# Turning on storage encryption is a realistic way to make the provider replace a database (ForceNew).
variable "db_storage_encrypted" {
  type    = bool
  default = false
}

variable "tier_tag" {
  type    = string
  default = "baseline"
}

variable "with_alerts_topic" {
  type    = bool
  default = true
}

variable "with_jobs_queue" {
  type    = bool
  default = false
}

variable "with_uploads_bucket" {
  type    = bool
  default = true
}

# The cost scenario: a larger database class and a NAT gateway with its address (none by default, so the
# other scenarios' plans hold no network resources).
variable "db_instance_class" {
  type    = string
  default = "db.t4g.micro"
}

variable "with_nat" {
  type    = bool
  default = false
}

resource "aws_vpc" "main" {
  count      = var.with_nat ? 1 : 0
  cidr_block = "10.50.0.0/16"
}

resource "aws_subnet" "public" {
  count      = var.with_nat ? 1 : 0
  vpc_id     = aws_vpc.main[0].id
  cidr_block = "10.50.0.0/24"
}

resource "aws_eip" "nat" {
  count  = var.with_nat ? 1 : 0
  domain = "vpc"
}

resource "aws_nat_gateway" "main" {
  count         = var.with_nat ? 1 : 0
  allocation_id = aws_eip.nat[0].id
  subnet_id     = aws_subnet.public[0].id
}

resource "aws_s3_bucket" "uploads" {
  count         = var.with_uploads_bucket ? 1 : 0
  bucket        = "myamazingapp-fixture-uploads"
  force_destroy = true
  tags          = { Tier = var.tier_tag }
}

resource "aws_security_group" "db" {
  name        = "myamazingapp-fixture-db"
  description = "Postgres access for the app"
  tags        = { Tier = var.tier_tag }
}

resource "aws_db_instance" "main" {
  identifier             = "myamazingapp-fixture-db"
  engine                 = "postgres"
  engine_version         = "16.3"
  instance_class         = var.db_instance_class
  allocated_storage      = 20
  username               = "app"
  password               = "fixture-only-not-a-secret"
  skip_final_snapshot    = true
  storage_encrypted      = var.db_storage_encrypted
  vpc_security_group_ids = [aws_security_group.db.id]
}

resource "aws_sns_topic" "alerts" {
  count = var.with_alerts_topic ? 1 : 0
  name  = "myamazingapp-fixture-alerts"
}

resource "aws_sqs_queue" "jobs" {
  count = var.with_jobs_queue ? 1 : 0
  name  = "myamazingapp-fixture-jobs"
}
EOF

cd "$tf"
terraform init -input=false -no-color >"$work/init.log" || { cat "$work/init.log" >&2; exit 1; }
terraform apply -input=false -no-color -auto-approve >"$work/apply.log" || { cat "$work/apply.log" >&2; exit 1; }

mkdir -p "$out_dir"
# plan NAME [terraform plan args...]: writes NAME.json (and NAME.txt, the human-readable plan, for "mixed").
plan() {
  local name="$1"
  shift
  terraform plan -input=false -no-color -lock=false -out="$work/$name.tfplan" "$@" >"$work/$name.plan.log" ||
    { cat "$work/$name.plan.log" >&2; exit 1; }
  terraform show -json "$work/$name.tfplan" >"$out_dir/$name.json"
  if [[ "$name" == "mixed" ]]; then
    terraform show -no-color "$work/$name.tfplan" >"$out_dir/$name.txt"
  fi
  echo "wrote $out_dir/$name.json" >&2
}

plan no-change
plan update -var tier_tag=data
plan create -var with_jobs_queue=true
plan destroy -var with_alerts_topic=false
plan replace-db -var db_storage_encrypted=true
plan destroy-bucket -var with_uploads_bucket=false
plan mixed -var tier_tag=data -var with_jobs_queue=true -var with_alerts_topic=false \
  -var db_storage_encrypted=true
plan cost -var db_instance_class=db.t4g.small -var with_nat=true
