"""moto_server, plus twenty things moto 5.2 lacks or gets wrong that this project must verify. Everything else
is moto's own; the end-to-end test (test/e2e/verify.ts, test/e2e/move.ts, test/e2e/calls.ts,
test/e2e/browser-upload.ts) goes through all but the twelfth, which test/emulator-replay.test.ts goes through;
test/call-recorder.test.ts goes through the fourteenth, test/emulator-cors.test.ts the fifteenth rule by rule, and
test/emulator-s3-dates.test.ts the sixteenth.

1. ECS CreateService drops deploymentConfiguration (circuit breaker, minimum healthy percent) and the exec,
   grace-period, AZ-rebalancing and managed-tags settings, although UpdateService keeps them. The launcher
   stores those CreateService fields on the service the way UpdateService does, so DescribeServices reports
   what was configured.
2. S3 bucket policies: moto applies a Deny statement even when its Condition does not hold, so the standard
   "deny unless aws:SecureTransport" statement refuses every request. The launcher evaluates bucket policies
   as S3 does for the conditions this project uses: a statement whose condition does not hold does not
   apply, and aws:SecureTransport is "true" because this server only speaks HTTPS. A statement with a
   condition it cannot judge does not apply either: the emulator neither grants nor refuses on a guess.
3. Application Auto Scaling has no tagging API in moto (ListTagsForResource, TagResource, UntagResource),
   so the provider cannot read a scalable target back and retries for minutes. The launcher keeps tags per
   target ARN in memory, as the service does, and returns them.
4. S3 PutBucketLogging: moto reads every statement of the target bucket's policy as if its Principal were a
   mapping, and fails with a 500 on the first `"Principal": "*"` (the TLS-only Deny every bucket here has).
   The launcher checks the policy the same way but skips statements whose principal is not a mapping.
5. CloudWatch PutCompositeAlarm is not routed, although moto's PutMetricAlarm already stores an AlarmRule and
   DescribeAlarms returns such alarms as CompositeAlarms. The launcher routes PutCompositeAlarm to it.
6. Step Functions ValidateStateMachineDefinition is missing, and the provider calls it before it creates a
   state machine. The launcher answers it with the structural checks (JSON, StartAt names a state, every
   Next names a state, a known QueryLanguage); it does not check JSONata or JSONPath expressions, which the
   unit tests evaluate instead (test/upload-age-audit.test.ts).
7. Step Functions ListStateMachineVersions is missing; the provider reads it after every create. moto keeps
   the published versions on the state machine; the launcher lists them.
8. Budgets DescribeSubscribersForNotification is missing; the provider reads every notification's
   subscribers. moto keeps them with the notification; the launcher returns them.
9. Budgets has no tagging API in moto (ListTagsForResource, TagResource, UntagResource), and CreateBudget drops
   its ResourceTags, so the provider cannot read a budget back. The launcher keeps tags per budget ARN, as for 3.
10. ECS RunTask of a Fargate task fails with a 500 twice over: moto adds up the containers' memory, which a
    Fargate task sets for the task instead (None + int), and reads `private_dns_name` of the task's network
    interface, which moto's NetworkInterface lacks. The launcher counts a container without memory as 0 and
    gives the interface the name EC2 would (ip-10-0-1-5.ec2.internal), so one-off tasks (npm run ops -- run)
    start.
11. Several accounts: moto acts in an account other than its default only for an access key created in its
    IAM. The launcher reads an access key MOTOACCT<12-digit account> as the account to act in, so each
    environment's stack (its provider's key names its account) lives in its own account, side by side.
12. A retried request runs twice. The server (werkzeug's development server, one TLS connection per request)
    now and then loses a response on the way back under load: the client sees a transport error although the
    request ran, and the SDK sends it again. A create then fails on its own first attempt (CreateRole:
    EntityAlreadyExists, AuthorizeSecurityGroupIngress: InvalidPermission.Duplicate), and a deploy fails for
    no fault of the code. Every AWS SDK marks its retries: the same amz-sdk-invocation-id header, and
    amz-sdk-request "attempt=2". The launcher keeps the answer to each changing request that succeeded (2xx or
    3xx) for five minutes, under its invocation id together with its method, path and a hash of its body, and
    gives a retry of that very request the answer instead of running it again, as if the first answer had
    arrived; it logs each replay. A refusal (4xx: a throttle, a conflict) or a server error is not kept: its retry
    runs again and may succeed, as in AWS. Another request that happens to carry the same id is not a retry.
13. RDS snapshots shared with another account: moto looks a snapshot ARN up in the caller's own account, so the
    target account cannot copy a snapshot the source account shared with it (the runbook's move to another
    account: ModifyDBSnapshotAttribute "restore", then CopyDBSnapshot with the target's credentials). The
    launcher finds an ARN of another account in that account, and only if the snapshot is shared with the
    caller (or public), as RDS does; anything else is not found. And as RDS does, it refuses to share a
    snapshot encrypted with the account's default key (aws/rds), which moto allowed: the move copies the
    snapshot under a key of its own first (scripts/ops/move.ts).
14. No record of who called what. moto enforces no IAM, resource or key policy, so a call it accepts proves
    nothing about permissions; the tests judge each call against the real policies instead, and need what
    CloudTrail would give them. The launcher records every request as one JSON line: when, the account it
    acts in, the calling principal (moto's assumed-role keys are the role's session; the MOTOACCT<account>
    keys are the account's administrator), the User-Agent (our tools add app/<tool>), the service, the API
    operation and the IAM action (REST APIs: the operation is found from the method, path, query and headers
    in botocore's model; S3's and Budgets' operations are mapped to their IAM actions), the request's parameters
    (names and ARNs; values such as SecretString redacted, object data never read), the answer's status, its
    error code, and the ARNs the answer names (what a create made).
    Recording starts with MOTO_CALL_LOG=<file> in the launcher's environment, or POST /moto-api/recorder
    {"file": "<file>"} (null stops it); every line is appended. An emptying of the emulator (/moto-api/reset)
    is recorded as {"reset": true}: what the calls before it made is gone.
15. S3 CORS. moto answers every preflight with 200 and the whole first rule (its AllowedHeaders patterns
    verbatim, which a browser reads as literal header names), never checks the method or the headers asked
    for, puts CORS headers only on some answers (none on POST, HEAD or errors), and its server adds flask-cors
    to every answer, allowing any origin. A browser test against it would pass where S3 refuses, and fail
    where S3 allows. The launcher answers as S3 does: the first rule whose origins match the Origin, whose
    methods hold the (requested) method and whose headers match every header asked for ("*" matching any
    run of characters) applies; a preflight without one is refused with 403; an allowed preflight echoes the
    headers asked for; every answer to an allowed origin and method carries the origin, methods, exposed
    headers and max age, errors included. flask-cors is off.
16. S3 dates of unfinished multipart uploads. moto lists every one as initiated on 2010-11-10 and in one page
    whatever MaxUploads asks, so the upload sweep (constructs/upload-sweep.ts) would abort an upload in
    progress. The launcher records when each upload starts, and lists uploads by key and start with MaxUploads
    per page and the key and upload-id markers, as S3 does. For tests only, an object PUT or a multipart upload
    started with the header x-moto-age-days: N is dated N days back (LastModified, Initiated), so the sweep
    meets uploads of given ages (test/e2e/upload-removal.ts); S3 knows no such header and nothing of the stack
    or its tools sends it.
17. SES v2 as the mail construct (constructs/mail.ts) uses it. moto answers GetConfigurationSet with
    SendingOptions nested twice and options never set as {}, gives a domain identity no DKIM tokens and a
    timestamp as text, tags an identity under another ARN than SES's, and lacks PutEmailIdentityMailFromAttributes
    and the configuration-set event destinations (its catch-all route matches one path segment only), and the
    POSTs to /v2/email/list-configuration-sets and /v2/email/list-identities that current SDKs list with. The
    launcher answers those as SES does and keeps the MAIL FROM attributes and event destinations, so the provider
    reads everything back and a fresh plan is empty.
18. Firehose delivers to S3 as if no processing were configured: moto writes each record as it came, under the
    literal prefix, uncompressed, and a CloudWatch Logs subscription goes through the plain S3 copy of an extended
    destination, which drops its processors. So a stream that opens CloudWatch Logs' envelopes and files them by
    log group (dynamic partitioning) wrote gzipped envelopes under `cloudwatch/!{partitionKeyFromQuery:...}/`.
    For an extended S3 destination the launcher does what Firehose does: it runs the processors in their order
    (Decompression of gzip, CloudWatchLogProcessing's message extraction, MetadataExtraction with the real jq,
    AppendDelimiterToRecord; others pass a record on unchanged), evaluates the prefix (`partitionKeyFromQuery`,
    `timestamp`, `firehose:random-string`), writes one object per partition, gzipped for CompressionFormat GZIP,
    and files a record it cannot process under the error output prefix (`firehose:error-output-type`). The
    emulator needs jq on its PATH for MetadataExtraction, as the tests of the delivery scripts do.
19. EC2 DescribeSecurityGroupRules leaves out the description of a rule that references another security group
    (moto keeps it with the group pair and reads only the CIDR range's). Terraform's security group rule
    resources read the rule back that way, so every such rule planned a change to its description after the
    first apply, and the local deploy had to apply a second time. The launcher reports the pair's description
    as EC2 does.
20. A task stops after four reads. moto walks a task through RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING and
    STOPPED one step per DescribeTasks, so `aws ecs wait tasks-stopped` (a read every 6 s) held the release's
    migration 18 s for a task that runs nothing. The launcher's tasks run until they are first described: RunTask
    answers RUNNING, the first DescribeTasks STOPPED (StopTask still stops one at once).

Run with the Python that has moto: python moto_server.py -H 127.0.0.1 -p 4566 [-c cert -k key]
"""
import base64
import gzip
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote
from xml.etree import ElementTree

import botocore.session

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.budgets.responses import BudgetsResponse
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.core.utils import camelcase_to_underscores, utcnow
from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ecs.models import EC2ContainerServiceBackend, Task
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.firehose.models import FirehoseBackend
from moto.iam import models as iam_models
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.rds.exceptions import InvalidParameterValue
from moto.rds.models import RDSBackend, rds_backends
from moto.s3.exceptions import S3ClientError
from moto.ses.models import ConfigurationSet as SesConfigurationSet, EmailIdentity as SesEmailIdentity
from moto.sesv2 import urls as sesv2_urls
from moto.sesv2.responses import SESV2Response
from moto.moto_api._internal import mock_random
from moto.s3.models import FakeBucket, FakeMultipart, s3_backends
from moto.s3.responses import S3Response
import moto.moto_server.werkzeug_app as werkzeug_app
import moto.server as moto_server
from moto.server import main
from moto.stepfunctions.responses import StepFunctionResponse
from moto.sts.models import sts_backends

KEPT_ON_CREATE = (
    "deploymentConfiguration",
    "enableExecuteCommand",
    "healthCheckGracePeriodSeconds",
    "availabilityZoneRebalancing",
    "enableECSManagedTags",
)

_create_service = EC2ContainerServiceResponse.create_service


def create_service(self):
    result = _create_service(self)
    service = self.ecs_backend._get_service(self._get_param("cluster", "default"), self._get_param("serviceName"))
    for name in KEPT_ON_CREATE:
        value = self._get_param(name)
        if value is not None:
            setattr(service, camelcase_to_underscores(name), value)
    return result


EC2ContainerServiceResponse.create_service = create_service

# The request context this server can vouch for: every request arrives over TLS.
REQUEST_CONTEXT = {"aws:securetransport": "true"}


def _condition_holds(condition):
    for operator, pairs in condition.items():
        for key, expected in pairs.items():
            actual = REQUEST_CONTEXT.get(key.lower())
            values = expected if isinstance(expected, list) else [expected]
            if operator == "Bool":
                if actual is None or actual not in [str(v).lower() for v in values]:
                    return False
            elif operator == "StringEquals":
                if actual is None or actual not in values:
                    return False
            else:
                return False  # not evaluated here: the statement does not apply
    return True


def get_permission(self, action, resource):
    if self.policy is None:
        return PermissionResult.NEUTRAL
    statements = json.loads(self.policy.decode()).get("Statement", [])
    result = PermissionResult.NEUTRAL
    for statement in statements if isinstance(statements, list) else [statements]:
        checker = IAMPolicyStatement(statement)
        if "Action" not in statement or not checker._check_element_matches("Action", action):
            continue
        if "Resource" in statement and not checker._check_element_matches("Resource", resource):
            continue
        if not _condition_holds(statement.get("Condition", {})):
            continue
        if statement.get("Effect") == "Deny":
            return PermissionResult.DENIED
        result = PermissionResult.PERMITTED
    return result


FakeBucket.get_permission = get_permission

def _log_permissions_enabled_policy(target_bucket, target_prefix):
    if not target_bucket.policy:
        return False
    target = f"arn:{target_bucket.partition}:s3:::{target_bucket.name}"
    allowed_resources = {f"{target}/{target_prefix or ''}*", f"{target}/*", target}
    statements = json.loads(target_bucket.policy.decode()).get("Statement", [])
    for stmt in statements if isinstance(statements, list) else [statements]:
        principal = stmt.get("Principal")
        if not isinstance(principal, dict) or principal.get("Service") != "logging.s3.amazonaws.com":
            continue
        actions = stmt.get("Action", [])
        if stmt.get("Effect") == "Allow" and "s3:PutObject" in actions and stmt.get("Resource") in allowed_resources:
            return True
    return False


FakeBucket._log_permissions_enabled_policy = staticmethod(_log_permissions_enabled_policy)

_SCALING_TAGS = {}  # target ARN -> {key: value}; ARNs carry account and region


def list_tags_for_resource(self):
    return json.dumps({"Tags": _SCALING_TAGS.get(self._get_param("ResourceARN"), {})})


def tag_resource(self):
    _SCALING_TAGS.setdefault(self._get_param("ResourceARN"), {}).update(self._get_param("Tags") or {})
    return "{}"


def untag_resource(self):
    tags = _SCALING_TAGS.get(self._get_param("ResourceARN"), {})
    for key in self._get_param("TagKeys") or []:
        tags.pop(key, None)
    return "{}"


_register_scalable_target = ApplicationAutoScalingResponse.register_scalable_target


def register_scalable_target(self):
    body = _register_scalable_target(self)
    if self._get_param("Tags"):
        arn = json.loads(body)["ScalableTargetARN"]
        _SCALING_TAGS.setdefault(arn, {}).update(self._get_param("Tags"))
    return body


ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target
ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource
ApplicationAutoScalingResponse.tag_resource = tag_resource
ApplicationAutoScalingResponse.untag_resource = untag_resource

# PutCompositeAlarm carries AlarmName, AlarmRule, the actions and tags: what PutMetricAlarm reads.
CloudWatchResponse.put_composite_alarm = CloudWatchResponse.put_metric_alarm



def _definition_problems(text):
    try:
        definition = json.loads(text)
    except (TypeError, ValueError) as error:
        return [("SCHEMA_VALIDATION_FAILED", f"definition is not JSON: {error}", "$")]
    if not isinstance(definition, dict) or not isinstance(definition.get("States"), dict):
        return [("SCHEMA_VALIDATION_FAILED", "States must be an object", "$.States")]
    states = definition["States"]
    problems = []
    if definition.get("StartAt") not in states:
        problems.append(("MISSING_TRANSITION_TARGET", "StartAt names no state", "$.StartAt"))
    if definition.get("QueryLanguage", "JSONPath") not in ("JSONPath", "JSONata"):
        problems.append(("SCHEMA_VALIDATION_FAILED", "unknown QueryLanguage", "$.QueryLanguage"))
    for name, state in states.items():
        targets = [state.get("Next"), state.get("Default")] + [c.get("Next") for c in state.get("Choices", [])]
        for target in filter(None, targets):
            if target not in states:
                problems.append(("MISSING_TRANSITION_TARGET", f"{target} is not a state", f"$.States.{name}"))
    return problems


def validate_state_machine_definition(self):
    problems = _definition_problems(self._get_param("definition"))
    diagnostics = [
        {"severity": "ERROR", "code": code, "message": message, "location": location}
        for code, message, location in problems
    ]
    return ActionResult({"result": "FAIL" if problems else "OK", "diagnostics": diagnostics, "truncated": False})


StepFunctionResponse.validate_state_machine_definition = validate_state_machine_definition


def list_state_machine_versions(self):
    machine = self.stepfunction_backend.describe_state_machine(self._get_param("stateMachineArn"))
    versions = sorted(machine.versions.values(), key=lambda v: v.version, reverse=True)
    listed = [{"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in versions]
    return ActionResult({"stateMachineVersions": listed})


StepFunctionResponse.list_state_machine_versions = list_state_machine_versions


def describe_subscribers_for_notification(self):
    budget = self.backend.budgets[self._get_param("AccountId")].get(self._get_param("BudgetName"))
    wanted = self._get_param("Notification")
    for notification in budget.notifications if budget else []:
        if all(notification.details.get(k) == v for k, v in wanted.items()):
            return json.dumps({"Subscribers": notification.subscribers})
    return json.dumps({"Subscribers": []})


BudgetsResponse.describe_subscribers_for_notification = describe_subscribers_for_notification

_BUDGET_TAGS = {}  # budget ARN -> {key: value}
_create_budget = BudgetsResponse.create_budget


def create_budget(self):
    body = _create_budget(self)
    arn = f"arn:aws:budgets::{self._get_param('AccountId')}:budget/{self._get_param('Budget')['BudgetName']}"
    _BUDGET_TAGS[arn] = {t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []}
    return body


def list_budget_tags(self):
    tags = _BUDGET_TAGS.get(self._get_param("ResourceARN"), {})
    return json.dumps({"ResourceTags": [{"Key": k, "Value": v} for k, v in tags.items()]})


def tag_budget(self):
    tags = _BUDGET_TAGS.setdefault(self._get_param("ResourceARN"), {})
    tags.update({t["Key"]: t["Value"] for t in self._get_param("ResourceTags") or []})
    return "{}"


def untag_budget(self):
    tags = _BUDGET_TAGS.get(self._get_param("ResourceARN"), {})
    for key in self._get_param("ResourceTagKeys") or []:
        tags.pop(key, None)
    return "{}"


BudgetsResponse.create_budget = create_budget
BudgetsResponse.list_tags_for_resource = list_budget_tags
BudgetsResponse.tag_resource = tag_budget
BudgetsResponse.untag_resource = untag_budget

def _private_dns_name(self):
    # Some interfaces (a NAT gateway's) are given one by moto; the others get the name EC2 would give them.
    return self.__dict__.get("_private_dns_name") or f"ip-{self.private_ip_address.replace('.', '-')}.ec2.internal"


def _set_private_dns_name(self, value):
    self.__dict__["_private_dns_name"] = value


_requirements = EC2ContainerServiceBackend._calculate_task_resource_requirements


def _task_resource_requirements(task_definition):
    # A Fargate container may leave memory to the task: count it as 0, as ECS does for placement.
    saved = task_definition.container_definitions
    task_definition.container_definitions = [
        {**c, "memory": c.get("memory") or 0} if "Memory" not in c and "MemoryReservation" not in c
        and c.get("memoryReservation") is None else c
        for c in saved
    ]
    try:
        return _requirements(task_definition)
    finally:
        task_definition.container_definitions = saved


EC2ContainerServiceBackend._calculate_task_resource_requirements = staticmethod(_task_resource_requirements)

_task_init = Task.__init__


def _task_runs_until_described(self, *args, **kwargs):
    _task_init(self, *args, **kwargs)
    # Nothing runs in the emulator: RUNNING when started, STOPPED from the first DescribeTasks on.
    self._transitions = [("RUNNING", "STOPPED")]


Task.__init__ = _task_runs_until_described

_account_id_from = iam_models.get_account_id_from


def _account_of(access_key):
    account = _account_id_from(access_key)
    named = re.fullmatch(r"MOTOACCT([0-9]{12})", access_key or "")
    return named.group(1) if account == iam_models.DEFAULT_ACCOUNT_ID and named else account


iam_models.get_account_id_from = _account_of

if not hasattr(NetworkInterface, "private_dns_name"):
    NetworkInterface.private_dns_name = property(_private_dns_name, _set_private_dns_name)

_get_snapshot = RDSBackend.get_snapshot


def _get_shared_snapshot(self, identifier, resource_type, not_found_exception):
    parts = identifier.split(":") if identifier.startswith("arn:") else []
    if len(parts) >= 7 and parts[4] != self.account_id:
        region, owner, name = parts[3], parts[4], parts[-1]
        snapshot = rds_backends[owner][region].resource_map[resource_type].get(name)
        shared_with = snapshot.attributes["restore"] if snapshot is not None else []
        if self.account_id in shared_with or "all" in shared_with:
            return snapshot
        raise not_found_exception(identifier)
    return _get_snapshot(self, identifier, resource_type, not_found_exception)


RDSBackend.get_snapshot = _get_shared_snapshot

_modify_db_snapshot_attribute = RDSBackend.modify_db_snapshot_attribute


def _on_default_key(backend, snapshot):
    key = snapshot.kms_key_id
    if not getattr(snapshot, "encrypted", False) or key is None:
        return False
    if key == "default_kms_key_id":  # moto's name for "encrypted, no key given": the default key
        return True
    try:
        default = backend.kms.describe_key("alias/aws/rds").arn
    except Exception:  # no default key in this account and region yet: not this one
        return False
    return key in (default, default.split("/")[-1])


def _modify_db_snapshot_attribute_as_rds(self, db_snapshot_identifier, attribute_name, values_to_add=None,
                                         values_to_remove=None):
    if attribute_name == "restore" and values_to_add:
        snapshot = self.describe_db_snapshots(
            db_instance_identifier=None, db_snapshot_identifier=db_snapshot_identifier
        )[0]
        if _on_default_key(self, snapshot):
            raise InvalidParameterValue(
                f"The snapshot {db_snapshot_identifier} is encrypted with the default KMS key (aws/rds) and "
                "cannot be shared; copy it under a customer managed key first."
            )
    return _modify_db_snapshot_attribute(self, db_snapshot_identifier, attribute_name, values_to_add,
                                         values_to_remove)


RDSBackend.modify_db_snapshot_attribute = _modify_db_snapshot_attribute_as_rds


# 15. S3 CORS, as S3 answers it. A rule applies when the Origin matches one of its origins, the method (or a
# preflight's Access-Control-Request-Method) is one of its methods, and every header a preflight asks for matches
# one of its headers ("*" matching any run of characters, case-insensitively); the first such rule answers.
_CORS_REFUSED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request "
    "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the "
    "resource's CORS spec."
)


def _wildcard(pattern, value):
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.lower().split("*")), value.lower()) is not None


def _cors_rule(bucket, origin, method, requested_headers=()):
    for rule in bucket.cors:
        if (
            any(_wildcard(o, origin) for o in rule.allowed_origins or [])
            and method in (rule.allowed_methods or [])
            and all(any(_wildcard(h, name) for h in rule.allowed_headers or []) for name in requested_headers)
        ):
            return rule
    return None


def _cors_headers(rule, origin):
    any_origin = "*" in (rule.allowed_origins or [])
    headers = {
        "Access-Control-Allow-Origin": "*" if any_origin else origin,
        "Access-Control-Allow-Methods": ", ".join(rule.allowed_methods),
        "Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
    }
    if not any_origin:
        headers["Access-Control-Allow-Credentials"] = "true"
    if rule.exposed_headers:
        headers["Access-Control-Expose-Headers"] = ", ".join(rule.exposed_headers)
    if rule.max_age_seconds is not None:
        headers["Access-Control-Max-Age"] = str(rule.max_age_seconds)
    return headers


def _cors_error(status, code, message):
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return status, {"content-type": "application/xml"}, body


def _preflight(self, headers, bucket_name):
    origin = headers.get("Origin")
    method = headers.get("Access-Control-Request-Method")
    if not origin or not method:
        return _cors_error(400, "BadRequest", "Insufficient information. Origin request header needed.")
    try:
        bucket = self.backend.head_bucket(bucket_name)
    except S3ClientError:
        return _cors_error(403, "AccessForbidden", "CORSResponse: Bucket not found")
    if not bucket.cors:
        return _cors_error(403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.")
    requested = [h.strip() for h in headers.get("Access-Control-Request-Headers", "").split(",") if h.strip()]
    rule = _cors_rule(bucket, origin, method, [h.lower() for h in requested])
    if rule is None:
        return _cors_error(403, "AccessForbidden", _CORS_REFUSED)
    answer = _cors_headers(rule, origin)
    if requested:
        answer["Access-Control-Allow-Headers"] = ", ".join(h.lower() for h in requested)
    return 200, answer, ""


def _with_cors(respond):
    def respond_with_cors(self, request, full_url, headers):
        status, response_headers, body = respond(self, request, full_url, headers)
        origin = request.headers.get("Origin")
        if request.method != "OPTIONS" and origin and self.bucket_name:
            try:
                rule = _cors_rule(self.backend.get_bucket(self.bucket_name), origin, request.method)
            except S3ClientError:
                rule = None
            if rule is not None:
                response_headers = {**response_headers, **_cors_headers(rule, origin)}
        return status, response_headers, body

    return respond_with_cors


# moto's server adds flask-cors to every answer (Access-Control-Allow-Origin: whatever origin asked), which would
# let a browser test pass where S3 refuses: off, so the rules above are the only CORS answers.
werkzeug_app.DISABLE_GLOBAL_CORS = True
S3Response._response_options = _preflight
S3Response._get_cors_headers_other = lambda self: {}  # every response gets them below, errors included
S3Response.key_response = _with_cors(S3Response.key_response)
S3Response.bucket_response = _with_cors(S3Response.bucket_response)


# 16. S3 dates of unfinished multipart uploads, and ages for tests. moto lists every upload as initiated on
# 2010-11-10 and in one page whatever MaxUploads asks; the launcher records when each starts and pages as S3 does.
_fake_multipart_init = FakeMultipart.__init__


def _multipart_init(self, *args, **kwargs):
    _fake_multipart_init(self, *args, **kwargs)
    self.initiated = utcnow()


FakeMultipart.__init__ = _multipart_init


def _list_multipart_uploads(self):
    query = {k: v[0] for k, v in self.querystring.items()}
    uploads = sorted(
        (u for u in self.backend.list_multipart_uploads(self.bucket_name).values()
         if u.key_name.startswith(query.get("prefix", ""))),
        key=lambda u: (u.key_name, getattr(u, "initiated", utcnow())),
    )
    key_marker, id_marker = query.get("key-marker", ""), query.get("upload-id-marker", "")
    if key_marker:
        # After the marker: later keys, and with an upload-id marker, the marker key's later uploads too.
        same = [u for u in uploads if u.key_name == key_marker] if id_marker else []
        ids = [u.id for u in same]
        later = same[ids.index(id_marker) + 1:] if id_marker in ids else []
        uploads = later + [u for u in uploads if u.key_name > key_marker]
    most = int(query.get("max-uploads", 1000))
    page, truncated = uploads[:most], len(uploads) > most
    result = {
        "Bucket": self.bucket_name,
        "KeyMarker": key_marker,
        "UploadIdMarker": id_marker,
        "MaxUploads": most,
        "IsTruncated": truncated,
        "Uploads": [
            {
                "Key": u.key_name,
                "UploadId": u.id,
                "Initiator": {"ID": f"arn:aws:iam::{self.current_account}:root", "DisplayName": "root"},
                "Owner": {"ID": "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a"},
                "StorageClass": "STANDARD",
                "Initiated": getattr(u, "initiated", utcnow()).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            }
            for u in page
        ],
    }
    if truncated:
        result["NextKeyMarker"], result["NextUploadIdMarker"] = page[-1].key_name, page[-1].id
    self.data["Action"] = "ListMultipartUploads"
    return self.serialized(ActionResult(result))


S3Response.list_multipart_uploads = _list_multipart_uploads

# For tests only: an object PUT, or a multipart upload started, with the header x-moto-age-days: N is dated N days
# back (its LastModified, or the upload's Initiated), so the upload sweep meets objects of given ages. S3 knows no
# such header, and nothing of the stack or its tools sends it.
AGE_HEADER = "x-moto-age-days"


def _with_test_age(respond):
    def respond_dated(self, request, full_url, headers):
        answer = respond(self, request, full_url, headers)
        days = request.headers.get(AGE_HEADER)
        if days is None or answer[0] != 200:
            return answer
        back = timedelta(days=float(days))
        key_name = self.parse_key_name()
        if request.method == "PUT":
            self.backend.get_object(self.bucket_name, key_name).last_modified -= back
        elif request.method == "POST":
            upload_id = re.search(rb"<UploadId>([^<]+)</UploadId>", answer[2] or b"")
            if upload_id:
                self.backend.get_bucket(self.bucket_name).multiparts[upload_id.group(1).decode()].initiated -= back
        return answer

    return respond_dated


S3Response.key_response = _with_test_age(S3Response.key_response)


# 17. SES v2 as the mail construct uses it (constructs/mail.ts). moto answers GetConfigurationSet with
# SendingOptions nested twice, gives a domain identity no DKIM tokens, tags it under another ARN than SES's,
# and lacks the MAIL FROM attributes and configuration-set event destinations.
_config_set_to_dict_v2 = SesConfigurationSet.to_dict_v2


def _config_set_dict(self):
    answer = _config_set_to_dict_v2(self)
    enabled = self.enabled.get("SendingEnabled", True) if isinstance(self.enabled, dict) else bool(self.enabled)
    answer["SendingOptions"] = {"SendingEnabled": enabled}
    # SES leaves out the options never set; moto answers {}, which reads as a block to remove on every plan.
    return {key: value for key, value in answer.items() if value != {}}


SesConfigurationSet.to_dict_v2 = _config_set_dict
_identity_init = SesEmailIdentity.__init__


def _identity_with_dkim(self, *args, **kwargs):
    _identity_init(self, *args, **kwargs)
    self.mail_from_attributes = None
    if "LastKeyGenerationTimestamp" in self.dkim_attributes:  # the JSON protocol's timestamps are numbers
        self.dkim_attributes["LastKeyGenerationTimestamp"] = utcnow().timestamp()
    if self.identity_type == "DOMAIN":
        # Easy DKIM: SES publishes three keys, each named by a token the domain's CNAME records carry.
        self.dkim_attributes["Tokens"] = [mock_random.get_random_hex(32) for _ in range(3)]
        self.dkim_attributes.setdefault("SigningAttributesOrigin", "AWS_SES")


SesEmailIdentity.__init__ = _identity_with_dkim
_identity_response = SesEmailIdentity.get_response_object.fget


def _identity_answer(self):
    answer = _identity_response(self)
    if self.mail_from_attributes:
        answer["MailFromAttributes"] = self.mail_from_attributes
    return answer


SesEmailIdentity.get_response_object = property(_identity_answer)


def _sesv2_create_email_identity(self):
    body = _sesv2_create_identity(self)
    name = self._get_param("EmailIdentity")
    tags = self._get_param("Tags")
    if tags:  # where SES keeps them: arn:aws:ses:<region>:<account>:identity/<name>
        self.sesv2_backend.tag_resource(f"arn:aws:ses:{self.region}:{self.current_account}:identity/{name}", tags)
    return body


_sesv2_create_identity = SESV2Response.create_email_identity
SESV2Response.create_email_identity = _sesv2_create_email_identity


def _put_mail_from(self):
    identity = self.sesv2_backend.get_email_identity(self._get_param("EmailIdentity"))
    domain = self._get_param("MailFromDomain")
    identity.mail_from_attributes = {
        "MailFromDomain": domain,
        "MailFromDomainStatus": "SUCCESS",
        "BehaviorOnMxFailure": self._get_param("BehaviorOnMxFailure") or "USE_DEFAULT_VALUE",
    } if domain else None
    return "{}"


def _event_destinations(self):
    config_set = self.sesv2_backend.core_backend.describe_configuration_set(self._get_param("ConfigurationSetName"))
    if not hasattr(config_set, "event_destinations_v2"):
        config_set.event_destinations_v2 = {}
    return config_set.event_destinations_v2


def _put_event_destination(self):
    name = self._get_param("EventDestinationName")
    _event_destinations(self)[name] = {"Name": name, **(self._get_param("EventDestination") or {})}
    return "{}"


def _get_event_destinations(self):
    return json.dumps({"EventDestinations": list(_event_destinations(self).values())})


def _delete_event_destination(self):
    _event_destinations(self).pop(self._get_param("EventDestinationName"), None)
    return "{}"


def _listed_by_post(method):
    """SES v2 now lists configuration sets and identities with POST /v2/email/list-configuration-sets and
    /v2/email/list-identities (the current AWS SDKs send those); moto's botocore knows only the GETs of earlier
    models."""
    def answer(request, full_url, headers):
        response = SESV2Response()
        response.setup_class(request, full_url, headers)
        return 200, {"content-type": "application/json"}, getattr(response, method)()

    return answer


# moto routes each SES v2 path by its own pattern (its catch-all matches one path segment only).
sesv2_urls.url_paths.update({
    "{0}/v2/email/list-configuration-sets$": _listed_by_post("list_configuration_sets"),
    "{0}/v2/email/list-identities$": _listed_by_post("list_email_identities"),
    "{0}/v2/email/identities/(?P<EmailIdentity>[^/]+)/mail-from$": SESV2Response.dispatch,
    "{0}/v2/email/configuration-sets/(?P<ConfigurationSetName>[^/]+)/event-destinations$": SESV2Response.dispatch,
    "{0}/v2/email/configuration-sets/(?P<ConfigurationSetName>[^/]+)/event-destinations/"
    "(?P<EventDestinationName>[^/]+)$": SESV2Response.dispatch,
})
SESV2Response.put_email_identity_mail_from_attributes = _put_mail_from
SESV2Response.create_configuration_set_event_destination = _put_event_destination
SESV2Response.update_configuration_set_event_destination = _put_event_destination
SESV2Response.get_configuration_set_event_destinations = _get_event_destinations
SESV2Response.delete_configuration_set_event_destination = _delete_event_destination


# 18. Firehose's processing and dynamic partitioning for an extended S3 destination.
_put_s3_records = FirehoseBackend.put_s3_records
_JAVA_TIME = (("yyyy", "%Y"), ("MM", "%m"), ("dd", "%d"), ("HH", "%H"), ("mm", "%M"), ("ss", "%S"))


class _Unprocessable(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def _parameters(processor):
    return {p["ParameterName"]: p["ParameterValue"] for p in processor.get("Parameters") or []}


def _jq(query, data):
    if shutil.which("jq") is None:
        raise RuntimeError("jq not found: install jq (the emulator runs Firehose's MetadataExtraction with it)")
    run = subprocess.run(["jq", "-c", query], input=data, capture_output=True, timeout=30)
    if run.returncode != 0:
        raise _Unprocessable("processing-failed", run.stderr.decode(errors="replace").strip())
    try:
        keys = json.loads(run.stdout)
    except ValueError:
        keys = None
    if not isinstance(keys, dict) or any(v is None or isinstance(v, (dict, list)) for v in keys.values()):
        raise _Unprocessable("processing-failed", f"the query gave no partition keys: {run.stdout!r}")
    return {k: str(v) for k, v in keys.items()}


def _process(data, processors):
    """One record through the processors: [(data, partition keys)], or _Unprocessable."""
    records = [(data, {})]
    for processor in processors:
        kind, parameters = processor["Type"], _parameters(processor)
        done = []
        for record, keys in records:
            if kind == "Decompression":
                try:
                    done.append((gzip.decompress(record), keys))
                except (OSError, EOFError) as error:
                    raise _Unprocessable("decompression-failed", str(error))
            elif kind == "CloudWatchLogProcessing" and parameters.get("DataMessageExtraction") == "true":
                envelope = json.loads(record)
                if envelope.get("messageType") == "DATA_MESSAGE":  # a control message carries no log event
                    done.extend((e["message"].encode(), keys) for e in envelope.get("logEvents", []))
            elif kind == "MetadataExtraction":
                done.append((record, {**keys, **_jq(parameters["MetadataExtractionQuery"], record)}))
            elif kind == "AppendDelimiterToRecord":
                done.append((record + b"\n", keys))
            else:
                done.append((record, keys))
        records = done
    return records


def _evaluate_prefix(prefix, keys, now, error_type=None):
    def value(match):
        namespace, name = match.group(1), match.group(2)
        if namespace == "partitionKeyFromQuery":
            return keys[name]
        if namespace == "timestamp":
            for java, python in _JAVA_TIME:
                name = name.replace(java, python)
            return now.strftime(name)
        if namespace == "firehose" and name == "random-string":
            return secrets.token_hex(6)[:11]
        if namespace == "firehose" and name == "error-output-type":
            return error_type or ""
        return match.group(0)

    evaluated = re.sub(r"!\{([A-Za-z]+):([^}]*)\}", value, prefix)
    if "!{timestamp:" not in prefix:  # Firehose adds the UTC hour when the prefix names no time
        evaluated = f"{evaluated}{'' if evaluated.endswith('/') or not evaluated else '/'}{now:%Y/%m/%d/%H}/"
    return evaluated


def put_s3_records_as_firehose(self, delivery_stream_name, version_id, s3_destination, records):
    processing = s3_destination.get("ProcessingConfiguration") or {}
    processors = (processing.get("Processors") or []) if processing.get("Enabled") else []
    partitioned = (s3_destination.get("DynamicPartitioningConfiguration") or {}).get("Enabled")
    compressed = s3_destination.get("CompressionFormat") == "GZIP"
    if not (processors or partitioned or compressed):
        return _put_s3_records(self, delivery_stream_name, version_id, s3_destination, records)
    now = datetime.now(timezone.utc)
    objects = OrderedDict()  # object prefix -> [bytes]
    for record in records:
        try:
            for data, keys in _process(record["Data"], processors):
                prefix = _evaluate_prefix(s3_destination.get("Prefix", ""), keys, now)
                objects.setdefault(prefix, []).append(data)
        except (_Unprocessable, KeyError, ValueError) as error:
            kind = getattr(error, "kind", "processing-failed")
            prefix = _evaluate_prefix(s3_destination.get("ErrorOutputPrefix", ""), {}, now, kind)
            failed = {"errorCode": kind, "errorMessage": str(error),
                      "rawData": base64.b64encode(record["Data"]).decode()}
            objects.setdefault(prefix, []).append(json.dumps(failed).encode() + b"\n")
    bucket = s3_destination["BucketARN"].split(":")[-1]
    for prefix, chunks in objects.items():
        body = b"".join(chunks)
        if compressed:
            body = gzip.compress(body)
        name = f"{delivery_stream_name}-{version_id}-{now:%Y-%m-%d-%H-%M-%S}-{secrets.token_hex(16)}"
        s3_backends[self.account_id][self.partition].put_object(bucket, f"{prefix}{name}", body)
    return [{"RecordId": secrets.token_hex(16)} for _ in records]


def send_log_event(self, delivery_stream_arn, filter_name, log_group_name, log_stream_name, log_events):
    # What CloudWatch Logs puts into the stream (moto's own envelope), through the destination as configured.
    envelope = {
        "logEvents": log_events,
        "logGroup": log_group_name,
        "logStream": log_stream_name,
        "messageType": "DATA_MESSAGE",
        "owner": self.account_id,
        "subscriptionFilters": [filter_name],
    }
    data = gzip.compress(json.dumps(envelope, separators=(",", ":")).encode())
    stream = self.lookup_name_from_arn(delivery_stream_arn)
    destination = stream.destinations[0]
    self.put_s3_records(stream.delivery_stream_name, stream.version_id,
                        destination.get("ExtendedS3") or destination["S3"], [{"Data": data}])


FirehoseBackend.put_s3_records = put_s3_records_as_firehose
FirehoseBackend.send_log_event = send_log_event


# 19. A rule's description, wherever moto keeps it: with the CIDR range, or with the referenced group.
SecurityGroupRule.description = property(
    lambda self: self.ip_range.get("Description") or self.source_group.get("Description")
)


class _Answer:
    def __init__(self, now):
        self.created = now  # the clock's time of the first attempt
        self.done = threading.Event()
        self.response = None  # (status, headers, body) once answered with a success
        self.at = None  # the clock's time of that answer


def _read_body(environ):
    """The request's body, read once and put back for the app to read again."""
    if environ.get("wsgi.input_terminated"):  # chunked: the server ends the stream
        body = environ["wsgi.input"].read()
    else:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("wsgi.input_terminated", None)
    return body


class ReplayRetries:
    """WSGI middleware for 12: a retry of a request (same invocation id, method, path and body; attempt >= 2)
    gets the first attempt's successful answer."""

    CHANGING = {"POST", "PUT", "DELETE", "PATCH"}
    KEPT = 2000  # answers kept, oldest dropped first (reads are POSTs too; a retry follows within seconds)
    LARGEST = 256 << 10  # bytes; a larger answer is passed on, not kept
    MAX_AGE = 300  # seconds an answer is kept: the SDKs' retries come within a minute

    def __init__(self, app, log=sys.stderr, clock=time.monotonic, max_age=MAX_AGE):
        self.app = app
        self.log = log
        self.clock = clock
        self.max_age = max_age
        self.lock = threading.Lock()
        self.answers = OrderedDict()

    def __call__(self, environ, start_response):
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        method = environ.get("REQUEST_METHOD")
        if not invocation or method not in self.CHANGING:
            return self.app(environ, start_response)
        attempt = re.search(r"attempt=(\d+)", environ.get("HTTP_AMZ_SDK_REQUEST", ""))
        target = environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")
        key = (invocation, method, target, hashlib.sha256(_read_body(environ)).hexdigest())
        with self.lock:
            now = self.clock()
            while self.answers:  # oldest first: drop what is too old to be retried, once it is answered
                oldest = next(iter(self.answers.values()))
                if now - oldest.created <= self.max_age or not oldest.done.is_set():
                    break
                self.answers.popitem(last=False)
            answer = self.answers.get(key)
            first = answer is None
            if first:
                answer = self.answers[key] = _Answer(now)
                while len(self.answers) > self.KEPT:
                    self.answers.popitem(last=False)
        if not first and attempt and int(attempt.group(1)) >= 2:
            answer.done.wait(timeout=300)  # the first attempt may still be running
            kept = answer.response
            if kept is not None and self.clock() - answer.at <= self.max_age:
                status, headers, body = kept
                self.log.write(f"replayed the answer ({status}) to retry {attempt.group(1)} of {invocation}\n")
                self.log.flush()
                start_response(status, headers)
                return [body]
        answer.done.clear()
        try:
            return self._run_and_keep(environ, start_response, answer)
        finally:
            answer.done.set()

    def _run_and_keep(self, environ, start_response, answer):
        seen = {}
        written = []

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, list(headers)
            return written.append

        chunks = self.app(environ, capture)
        try:
            body = b"".join(written) + b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status, headers = seen["status"], seen["headers"]
        # Only a success is what the retry would have been told: a refusal (a throttle, a conflict) or a server
        # error is retried on purpose, and runs again.
        if status.startswith(("2", "3")) and len(body) <= self.LARGEST:
            answer.response, answer.at = (status, headers, body), self.clock()
        else:
            answer.response, answer.at = None, None
        start_response(status, headers)
        return [body]


# 14. The call recorder.

# Signing names whose IAM prefix differs; every other IAM prefix is the signing name.
IAM_PREFIX = {"monitoring": "cloudwatch"}
# Signing name -> botocore service, for the REST APIs (the others name their operation in the request).
REST_SERVICES = {"s3": "s3", "route53": "route53", "scheduler": "scheduler"}
# S3 operations whose IAM action has another name (Service Authorization Reference, "Amazon S3").
S3_ACTIONS = {
    "HeadObject": "GetObject",
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "UploadPartCopy": "PutObject",
    "CopyObject": "PutObject",
    "DeleteObjects": "DeleteObject",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "GetBucketLifecycle": "GetLifecycleConfiguration",
    "PutBucketLifecycle": "PutLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "PutLifecycleConfiguration",
    "GetBucketCors": "GetBucketCORS",
    "PutBucketCors": "PutBucketCORS",
    "DeleteBucketCors": "PutBucketCORS",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "GetBucketReplication": "GetReplicationConfiguration",
    "PutBucketReplication": "PutReplicationConfiguration",
    "DeleteBucketReplication": "PutReplicationConfiguration",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
    "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
    "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
    "PutBucketAccelerateConfiguration": "PutAccelerateConfiguration",
    "GetBucketAnalyticsConfiguration": "GetAnalyticsConfiguration",
    "GetBucketIntelligentTieringConfiguration": "GetIntelligentTieringConfiguration",
    "GetBucketInventoryConfiguration": "GetInventoryConfiguration",
    "GetBucketMetricsConfiguration": "GetMetricsConfiguration",
    "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
    "DeleteBucketTagging": "PutBucketTagging",
    "ListBuckets": "ListAllMyBuckets",
}
# AWS Budgets authorizes its operations with two IAM actions (Service Authorization Reference, "AWS Budget Service").
BUDGETS_ACTIONS = {
    **{op: "ModifyBudget" for op in ("CreateBudget", "UpdateBudget", "DeleteBudget", "CreateNotification",
                                    "UpdateNotification", "DeleteNotification", "CreateSubscriber",
                                    "UpdateSubscriber", "DeleteSubscriber")},
    **{op: "ViewBudget" for op in ("DescribeBudget", "DescribeBudgets", "DescribeNotificationsForBudget",
                                  "DescribeSubscribersForNotification", "DescribeBudgetPerformanceHistory")},
}
# With a versionId, these S3 actions are their Version variants.
S3_VERSIONED = {"GetObject", "DeleteObject", "GetObjectTagging", "PutObjectTagging", "GetObjectAcl",
                "PutObjectAcl", "DeleteObjectTagging"}
# Parameters whose values are secrets or data: recorded as "<redacted>".
REDACTED = re.compile(r"^(SecretString|SecretBinary|.*Password|Plaintext|CiphertextBlob|Body|Message)$",
                      re.IGNORECASE)
LARGEST_BODY = 256 << 10  # bytes; a larger body (object data) is passed on unread


class _RestModel:
    """The operations of a REST API by method, path template, query literals and required query/header members."""

    _session = None

    def __init__(self, service):
        if _RestModel._session is None:
            _RestModel._session = botocore.session.get_session()
        model = _RestModel._session.get_service_model(service)
        self.operations = []
        for name in model.operation_names:
            op = model.operation_model(name)
            path, _, query = op.http["requestUri"].partition("?")
            literals = [q.partition("=") for q in query.split("&") if q and not q.startswith("x-id=")]
            pattern = "".join(
                f"(?P<{part[1:-1].rstrip('+')}>{'.+' if part.endswith('+}') else '[^/]+'})"
                if part.startswith("{") else re.escape(part)
                for part in re.split(r"(\{[A-Za-z0-9_]+\+?\})", path.rstrip("/"))
            )
            required_query, required_headers = [], []
            shape = op.input_shape
            for member in shape.required_members if shape else []:
                where = shape.members[member].serialization
                if where.get("location") == "querystring":
                    required_query.append(where.get("name", member))
                elif where.get("location") == "header":
                    required_headers.append(where.get("name", member).lower())
            self.operations.append((name, op.http["method"], re.compile(f"^{pattern}/?$"), literals,
                                    required_query, required_headers))

    def find(self, method, path, query, headers):
        """The operation a request is, and its path parameters; the most specific match wins."""
        best, best_score = None, -1
        for name, op_method, pattern, literals, required_query, required_headers in self.operations:
            if op_method != method:
                continue
            match = pattern.match(path.rstrip("/"))
            if not match:
                continue
            if any(k not in query or (sep and query[k] != value) for k, sep, value in literals):
                continue
            if any(q not in query for q in required_query) or any(h not in headers for h in required_headers):
                continue
            score = 2 * len(literals) + len(required_query) + len(required_headers) + len(pattern.pattern) / 1000
            if score > best_score:
                best, best_score = (name, {k: unquote(v) for k, v in match.groupdict().items()}), score
        return best or (None, {})


_REST_MODELS = {}


def _rest_model(service):
    if service not in _REST_MODELS:
        _REST_MODELS[service] = _RestModel(service)
    return _REST_MODELS[service]


def _redact(value):
    if isinstance(value, dict):
        return {k: "<redacted>" if REDACTED.match(k) else _redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _principal(access_key):
    """Who an access key is: an account's administrator (MOTOACCT<account>), an assumed role's session, or unknown."""
    named = re.fullmatch(r"MOTOACCT([0-9]{12})", access_key or "")
    if named:
        return {"type": "account", "account": named.group(1)}
    for account, by_partition in list(sts_backends.items()):
        for backend in list(by_partition.values()):
            for assumed in list(backend.assumed_roles):
                if assumed.access_key_id == access_key:
                    return {"type": "assumed-role", "account": account, "arn": assumed.arn,
                            "roleArn": assumed.role_arn, "session": assumed.session_name}
    return {"type": "unknown", "account": iam_models.get_account_id_from(access_key), "accessKey": access_key}


def _route53_changes(body):
    """The record changes of a ChangeResourceRecordSets body: action, name and type of each."""
    changes = []
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        return changes
    for change in root.iter():
        if not change.tag.endswith("}Change") and change.tag != "Change":
            continue
        found = {c.tag.split("}")[-1]: c for c in change.iter()}
        changes.append({k: found[k].text for k in ("Action", "Name", "Type") if k in found})
    return changes


def describe_request(environ, body):
    """The recorded facts of one request (see 14), without its answer."""
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True).items()}
    credential = re.search(r"Credential=([^,\s]+)", headers.get("authorization", "")) or (
        re.match(r"(.+)", query.get("X-Amz-Credential", "")))
    if not credential:
        return None  # moto's own API (/moto-api), the readiness probe: no AWS call
    access_key, _, region, signing_name = (credential.group(1).split("/") + ["", "", "", ""])[:4]
    service = IAM_PREFIX.get(signing_name, signing_name)
    method = environ.get("REQUEST_METHOD", "GET")
    # The path as sent: a parameter may hold an encoded slash (an ARN in Scheduler's /tags/{ResourceArn}).
    path = (environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")).split("?")[0]
    params, operation = {}, None
    content_type = headers.get("content-type", "")
    rest_service = REST_SERVICES.get(signing_name)
    if signing_name == "ses" and path.startswith("/v2/"):
        rest_service = "sesv2"  # SES v2 signs as ses (its IAM prefix too) and is a REST API; v1 is a query API
    if rest_service:
        operation, params = _rest_model(rest_service).find(method, path, query, headers)
        params.update({k: v for k, v in query.items() if not k.startswith("X-Amz-")})
        if "x-amz-copy-source" in headers:
            params["CopySource"] = unquote(headers["x-amz-copy-source"])
        for header in ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id"):
            if header in headers:
                params[header] = headers[header]
        if operation == "ChangeResourceRecordSets":
            params["Changes"] = _route53_changes(body)
        elif operation == "PutBucketPolicy":
            params["Policy"] = body.decode("utf-8", "replace")
        elif body and content_type.startswith("application/json"):
            try:
                params.update(json.loads(body))
            except ValueError:
                pass
    elif "x-amz-target" in headers:
        operation = headers["x-amz-target"].split(".")[-1]
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            params = {}
    else:
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items()} \
            if content_type.startswith("application/x-www-form-urlencoded") else {}
        params = {**query, **form}
        operation = params.pop("Action", None)
        params.pop("Version", None)
    action = BUDGETS_ACTIONS.get(operation, operation) if signing_name == "budgets" else operation
    if signing_name == "s3" and operation:
        action = S3_ACTIONS.get(operation, operation)
        if action in S3_VERSIONED and "versionId" in query:
            action = action.replace("Object", "ObjectVersion", 1)
    return {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "principal": _principal(access_key),
        "region": region,
        "userAgent": headers.get("user-agent", ""),
        "service": service,
        "operation": operation,
        "action": f"{service}:{action}" if action else None,
        "method": method,
        "path": unquote(path),
        "params": _redact(params),
    }


class RecordCalls:
    """WSGI middleware for 14: one JSON line per AWS request, with the answer's status."""

    def __init__(self, app, file=None):
        self.app = app
        self.file = file
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == "/moto-api/recorder" and environ.get("REQUEST_METHOD") == "POST":
            return self._control(environ, start_response)
        file = self.file
        if file is None:
            return self.app(environ, start_response)
        if environ.get("PATH_INFO") == "/moto-api/reset":
            # Everything made before is gone: the tests forget the policies the calls before it set.
            self._write(file, {"time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"), "reset": True})
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = b""
        if 0 < length <= LARGEST_BODY:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        try:
            call = describe_request(environ, body)
        except Exception as error:  # a request the recorder cannot read is still served, and says so
            call = {"time": datetime.now(timezone.utc).isoformat(), "unreadable": repr(error),
                    "path": environ.get("PATH_INFO")}
        if call is None:
            return self.app(environ, start_response)
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        chunks = self.app(environ, recording_start_response)
        try:
            body = b"".join(chunks)  # moto holds every answer in memory already; a server may start late
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        call["status"] = seen.get("status")
        # moto labels many JSON answers text/html: an answer is read when it looks like JSON or XML.
        if len(body) <= LARGEST_BODY * 4 and body.lstrip()[:1] in (b"{", b"[", b"<"):
            # The ARNs an answer names (what a create made, a role's session): the tests find resources by them.
            arns = sorted(set(re.findall(rb"arn:aws[a-z-]*:[a-z0-9-]+:[^\s\"'<>,}]*", body)))[:50]
            call["arns"] = [a.decode("utf-8", "replace") for a in arns]
            if (call["status"] or 0) >= 400:
                code = re.search(rb'"__type"\s*:\s*"(?:[^"#]*#)?([A-Za-z.]+)"|<Code>([A-Za-z.]+)</Code>', body)
                call["error"] = (code.group(1) or code.group(2)).decode() if code else None
        self._write(file, call)
        return [body]

    def _write(self, file, call):
        with self.lock:
            with open(file, "a", encoding="utf-8") as out:
                out.write(json.dumps(call, default=str) + "\n")

    def _control(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        wanted = json.loads(environ["wsgi.input"].read(length) or b"{}").get("file")
        with self.lock:
            previous, self.file = self.file, wanted
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"file": wanted, "previous": previous}).encode()]


_run_simple = moto_server.run_simple
# The recorder sits inside the replay: a retry answered from the first answer is one call, recorded once.
moto_server.run_simple = lambda host, port, app, **options: _run_simple(
    host, port, ReplayRetries(RecordCalls(app, os.environ.get("MOTO_CALL_LOG") or None)), **options
)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
