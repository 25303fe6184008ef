import { RESOURCE_POLICIES } from "./helpers/iam";
import { anyonePrincipal, isConditional, statementsOf } from "./iam/policy";
import { requireThat, type Rule } from "./rule";

export const resourcePoliciesNotPublic = {
  id: "resource-policies-not-public",
  fsbp: ["SQS.3", "SNS.4", "SecretsManager.5"],
  checkov: ["CKV_AWS_72", "CKV_AWS_168", "CKV_AWS_32"],
  resourceTypes: [
    "aws_sqs_queue_policy",
    "aws_sns_topic_policy",
    "aws_secretsmanager_secret_policy",
    "aws_ecr_repository_policy",
  ],
  reason:
    "A resource policy that allows anyone, or every action, without a condition opens the resource to the internet.",
  fix: "Name the principals (a service, a role) in every Allow, or limit it with a condition such as aws:SourceArn.",
  check: (resource) => {
    const open = statementsOf(resource.block[RESOURCE_POLICIES[resource.type]]).filter(
      (s) =>
        s.effect === "Allow" &&
        !isConditional(s) &&
        (anyonePrincipal(s) || s.actions.some((a) => a === "*" || a.endsWith(":*"))),
    );
    return requireThat(
      open.length === 0,
      `unconditioned Allow for anyone or every action: ${open.map((s) => s.sid ?? "(no sid)").join(", ")}`,
    );
  },
} as const satisfies Rule;
