import { covers, fromAnywhere, rulesOf, SECURITY_GROUP_RULE_TYPES } from "./helpers/network";
import { requireThat, type Rule } from "./rule";

/** The only ports a load balancer may open to the internet. */
const WEB = new Set([80, 443]);
const ADMIN = [22, 3389];

export const sgIngressRestricted = {
  id: "sg-ingress-restricted",
  fsbp: ["EC2.13", "EC2.14", "EC2.18", "EC2.19"],
  checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
  resourceTypes: SECURITY_GROUP_RULE_TYPES,
  reason:
    "Ingress from the whole internet must be limited to the web ports of a load balancer, never admin ports.",
  fix: "Open 0.0.0.0/0 and ::/0 only on 80 and 443 of the load balancer's group; reach tasks and databases by security group.",
  check: (resource) => {
    const open = rulesOf(resource).filter((r) => r.direction === "ingress" && fromAnywhere(r));
    const bad = open.filter(
      (r) => ADMIN.some((p) => covers(r, p)) || r.fromPort !== r.toPort || !WEB.has(r.fromPort ?? -1),
    );
    const port80 = open.some((r) => r.fromPort === 80 && r.toPort === 80);
    return requireThat(
      bad.length === 0 && !port80,
      bad.length ? "opens more than 80/443 to the internet" : "opens port 80 to the internet",
    );
  },
} as const satisfies Rule;
