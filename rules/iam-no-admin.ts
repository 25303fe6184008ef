import { identityStatements, IDENTITY_POLICIES } from "./helpers/iam";
import { onEveryResource } from "./iam/policy";
import { requireThat, type Rule } from "./rule";

const ADMIN_POLICIES = ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

export const iamNoAdmin = {
  id: "iam-no-admin",
  fsbp: ["IAM.1"],
  checkov: ["CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_274", "CKV2_AWS_40"],
  resourceTypes: [...Object.keys(IDENTITY_POLICIES), "aws_iam_role_policy_attachment"],
  reason:
    "A policy that allows every action on every resource makes its holder an administrator of the account.",
  fix: "Grant the actions the role needs on the resources it needs; never * on *, never an administrator managed policy.",
  check: (resource, stack) => {
    if (resource.type === "aws_iam_role_policy_attachment") {
      const name =
        String(resource.block.policy_arn ?? "")
          .split("/")
          .pop() ?? "";
      return requireThat(!ADMIN_POLICIES.includes(name), `attaches ${name}`);
    }
    const admin = identityStatements(resource, stack).filter(
      (s) => s.effect === "Allow" && onEveryResource(s) && (s.notAction || s.actions.includes("*")),
    );
    return requireThat(admin.length === 0, "allows * (or NotAction) on *");
  },
} as const satisfies Rule;
