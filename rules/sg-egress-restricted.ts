import { allPorts, fromAnywhere, rulesOf, SECURITY_GROUP_RULE_TYPES } from "./helpers/network";
import { requireThat, type Rule } from "./rule";

export const sgEgressRestricted = {
  id: "sg-egress-restricted",
  fsbp: [],
  checkov: ["CKV_AWS_382"],
  resourceTypes: SECURITY_GROUP_RULE_TYPES,
  reason: "Egress to anywhere on every port lets a compromised task send data out on any protocol.",
  fix: "Allow egress only on the ports the workload needs (HTTPS, the database's group, the ports named in service.outboundPorts).",
  check: (resource) =>
    requireThat(
      !rulesOf(resource).some((r) => r.direction === "egress" && fromAnywhere(r) && allPorts(r)),
      "egress to 0.0.0.0/0 or ::/0 on every port",
    ),
} as const satisfies Rule;
