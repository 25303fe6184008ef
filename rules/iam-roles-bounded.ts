import { requireThat, notApplicable, type Rule } from "./rule";

export const iamRolesBounded = {
  id: "iam-roles-bounded",
  fsbp: [],
  checkov: [],
  resourceTypes: ["aws_iam_role"],
  reason:
    "The deploy role may only create or change roles that carry the environment's boundary: every role must.",
  fix: "Pass the environment's PermissionsBoundary to the construct that creates the role.",
  check: (role, stack) => {
    const boundaries = stack
      .resources("aws_iam_policy")
      .filter((p) => /-(permissions-)?boundary$/.test(p.block.name ?? ""));
    if (boundaries.length === 0) return notApplicable("the stack has no permissions boundary");
    const own = stack.tryDeref(role.block.permissions_boundary);
    return requireThat(
      boundaries.some((b) => b.name === own?.name),
      "the role does not carry the environment's permissions boundary",
    );
  },
} as const satisfies Rule;
