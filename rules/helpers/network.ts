import type { Block, Element } from "../stack-view";

/** One security group rule, whichever resource spelled it. */
export interface SgRule {
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: string[];
  readonly referencedGroup?: string;
  readonly description?: string;
}

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

/** The rules a resource declares: a standalone rule resource, or a security group's inline blocks. */
export function rulesOf(resource: Element): SgRule[] {
  const b = resource.block;
  const one = (direction: SgRule["direction"], r: Block): SgRule => ({
    direction,
    protocol: String(r.ip_protocol ?? r.protocol ?? "-1"),
    fromPort: r.from_port,
    toPort: r.to_port,
    cidrs: [r.cidr_ipv4, r.cidr_ipv6, ...(r.cidr_blocks ?? []), ...(r.ipv6_cidr_blocks ?? [])].filter(
      Boolean,
    ),
    referencedGroup: r.referenced_security_group_id ?? r.source_security_group_id,
    description: r.description,
  });
  switch (resource.type) {
    case "aws_vpc_security_group_ingress_rule":
      return [one("ingress", b)];
    case "aws_vpc_security_group_egress_rule":
      return [one("egress", b)];
    case "aws_security_group_rule":
      return [one(b.type === "egress" ? "egress" : "ingress", b)];
    case "aws_security_group":
      return [
        ...[b.ingress ?? []].flat().map((r: Block) => one("ingress", r)),
        ...[b.egress ?? []].flat().map((r: Block) => one("egress", r)),
      ];
    default:
      return [];
  }
}

/** True when a rule is open to the whole internet (0.0.0.0/0 or ::/0). */
export const fromAnywhere = (r: SgRule) => r.cidrs.some((c) => OPEN.has(c));

/** True when a rule covers every port (protocol -1, or 0-65535). */
export const allPorts = (r: SgRule) =>
  r.protocol === "-1" ||
  r.protocol === "all" ||
  (r.fromPort === 0 && r.toPort === 65535) ||
  r.fromPort === undefined;

/** True when a rule's port range includes `port`. */
export const covers = (r: SgRule, port: number) =>
  allPorts(r) || ((r.fromPort ?? 0) <= port && port <= (r.toPort ?? 65535));

export const SECURITY_GROUP_RULE_TYPES = [
  "aws_security_group",
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
];
