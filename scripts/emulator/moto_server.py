"""moto_server, plus fifteen things moto 5.2 lacks or gets wrong that this project must verify. Everything else
is moto's own; the end-to-end test (test/e2e/verify.ts, test/e2e/move.ts) goes through all but the twelfth, which
test/emulator-replay.test.ts goes through.

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
    amz-sdk-request "attempt=2". The launcher keeps the answer to each changing request (not a 5xx one) by
    invocation id and gives a retry that answer instead of running it again, as if the first answer had
    arrived; it logs each replay.
13. RDS snapshots shared with another account: moto looks a snapshot ARN up in the caller's own account, so the
    target account cannot copy a snapshot the source account shared with it (the runbook's move to another
    account: ModifyDBSnapshotAttribute "restore", then CopyDBSnapshot with the target's credentials). The
    launcher finds an ARN of another account in that account, and only if the snapshot is shared with the
    caller (or public), as RDS does; anything else is not found. And as RDS does, it refuses to share a
    snapshot encrypted with the account's default key (aws/rds), which moto allowed: the move copies the
    snapshot under a key of its own first (scripts/ops/move.ts).
14. Firehose delivers to S3 as if no processing were configured: moto writes each record as it came, under the
    literal prefix, uncompressed, and a CloudWatch Logs subscription goes through the plain S3 copy of an extended
    destination, which drops its processors. So a stream that opens CloudWatch Logs' envelopes and files them by
    log group (dynamic partitioning) wrote gzipped envelopes under `cloudwatch/!{partitionKeyFromQuery:...}/`.
    For an extended S3 destination the launcher does what Firehose does: it runs the processors in their order
    (Decompression of gzip, CloudWatchLogProcessing's message extraction, MetadataExtraction with the real jq,
    AppendDelimiterToRecord; others pass a record on unchanged), evaluates the prefix (`partitionKeyFromQuery`,
    `timestamp`, `firehose:random-string`), writes one object per partition, gzipped for CompressionFormat GZIP,
    and files a record it cannot process under the error output prefix (`firehose:error-output-type`). The
    emulator needs jq on its PATH for MetadataExtraction, as the tests of the delivery scripts do.
15. EC2 DescribeSecurityGroupRules leaves out the description of a rule that references another security group
    (moto keeps it with the group pair and reads only the CIDR range's). Terraform's security group rule
    resources read the rule back that way, so every such rule planned a change to its description after the
    first apply, and the local deploy had to apply a second time. The launcher reports the pair's description
    as EC2 does.

Run with the Python that has moto: python moto_server.py -H 127.0.0.1 -p 4566 [-c cert -k key]
"""
import base64
import gzip
import io
import json
import re
import secrets
import shutil
import subprocess
import sys
import threading
from collections import OrderedDict
from datetime import datetime, timezone

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.budgets.responses import BudgetsResponse
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult
from moto.core.utils import camelcase_to_underscores
from moto.ec2.models.elastic_network_interfaces import NetworkInterface
from moto.ec2.models.security_groups import SecurityGroupRule
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.firehose.models import FirehoseBackend
from moto.iam import models as iam_models
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.rds.exceptions import InvalidParameterValue
from moto.rds.models import RDSBackend, rds_backends
from moto.s3.models import FakeBucket, s3_backends
import moto.server as moto_server
from moto.server import main
from moto.stepfunctions.responses import StepFunctionResponse

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


# 14. Firehose's processing and dynamic partitioning for an extended S3 destination.
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


# 15. A rule's description, wherever moto keeps it: with the CIDR range, or with the referenced group.
SecurityGroupRule.description = property(
    lambda self: self.ip_range.get("Description") or self.source_group.get("Description")
)


class _Answer:
    def __init__(self):
        self.done = threading.Event()
        self.response = None  # (status, headers, body) once answered without a server error


class ReplayRetries:
    """WSGI middleware for 12: a retry (same amz-sdk-invocation-id, attempt >= 2) gets the first answer."""

    CHANGING = {"POST", "PUT", "DELETE", "PATCH"}
    KEPT = 2000  # answers kept, oldest dropped first (reads are POSTs too; a retry follows within seconds)
    LARGEST = 256 << 10  # bytes; a larger answer is passed on, not kept

    def __init__(self, app, log=sys.stderr):
        self.app = app
        self.log = log
        self.lock = threading.Lock()
        self.answers = OrderedDict()

    def __call__(self, environ, start_response):
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation or environ.get("REQUEST_METHOD") not in self.CHANGING:
            return self.app(environ, start_response)
        attempt = re.search(r"attempt=(\d+)", environ.get("HTTP_AMZ_SDK_REQUEST", ""))
        with self.lock:
            answer = self.answers.get(invocation)
            first = answer is None
            if first:
                answer = self.answers[invocation] = _Answer()
                while len(self.answers) > self.KEPT:
                    self.answers.popitem(last=False)
        if not first and attempt and int(attempt.group(1)) >= 2:
            answer.done.wait(timeout=300)  # the first attempt may still be running
            if answer.response is not None:
                status, headers, body = answer.response
                self.log.write(f"replayed the answer ({status}) to retry {attempt.group(1)} of {invocation}\n")
                self.log.flush()
                start_response(status, headers)
                return [body]
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
        # A server error or a throttle is retried on purpose: the retry runs again.
        if not status.startswith(("5", "429")) and len(body) <= self.LARGEST:
            answer.response = (status, headers, body)
        start_response(status, headers)
        return [body]


_run_simple = moto_server.run_simple
moto_server.run_simple = lambda host, port, app, **options: _run_simple(host, port, ReplayRetries(app), **options)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
