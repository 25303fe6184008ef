"""moto_server, plus four things moto 5.2 lacks or gets wrong that this project must verify. Everything else
is moto's own; the end-to-end test (test/e2e/verify.ts) goes through all four paths.

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

Run with the Python that has moto: python moto_server.py -H 127.0.0.1 -p 4566 [-c cert -k key]
"""
import json
import sys

from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse
from moto.core.utils import camelcase_to_underscores
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.iam.access_control import IAMPolicyStatement, PermissionResult
from moto.s3.models import FakeBucket
from moto.server import main

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

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
