import type { Case, FamilyRuleId } from "./harness";

export const networkCases: Record<FamilyRuleId<"network">, Case> = {
  "sg-rules-described": {
    breaks: [
      {
        what: "the tasks' HTTPS egress rule has no description",
        at: "web/egress-https",
        apply: (s) => delete s.block("web/egress-https").description,
      },
    ],
  },
  "sg-ingress-restricted": {
    breaks: [
      {
        what: "SSH is open to the internet on the tasks' group",
        at: "web/ssh",
        apply: (s) =>
          s.add("aws_vpc_security_group_ingress_rule", "web/ssh", {
            security_group_id: s.ref(s.at("web/sg"), "id"),
            cidr_ipv4: "0.0.0.0/0",
            ip_protocol: "tcp",
            from_port: 22,
            to_port: 22,
            description: "SSH",
          }),
      },
      {
        what: "the database port is open to the internet over IPv6",
        at: "database/open",
        apply: (s) =>
          s.add("aws_vpc_security_group_ingress_rule", "database/open", {
            security_group_id: s.ref(s.at("database/sg"), "id"),
            cidr_ipv6: "::/0",
            ip_protocol: "tcp",
            from_port: 5432,
            to_port: 5432,
            description: "PostgreSQL",
          }),
      },
    ],
  },
  "sg-egress-restricted": {
    breaks: [
      {
        what: "the tasks may reach every port anywhere",
        at: "web/egress-https",
        apply: (s) => {
          const rule = s.block("web/egress-https");
          rule.ip_protocol = "-1";
          delete rule.from_port;
          delete rule.to_port;
        },
      },
    ],
  },
  "vpc-default-sg-closed": {
    breaks: [
      {
        what: "the default security group allows traffic",
        at: "network/vpc",
        apply: (s) =>
          (s.block("network/default-sg").ingress = [
            { protocol: "-1", from_port: 0, to_port: 0, self: true, description: "default" },
          ]),
      },
    ],
  },
  "vpc-flow-logs": {
    breaks: [
      { what: "the VPC has no flow log", at: "network/vpc", apply: (s) => s.remove("network/flow-log") },
    ],
  },
  "subnets-no-public-ips": {
    breaks: [
      {
        what: "a public subnet hands out public IPs",
        at: "network/public-0",
        apply: (s) => (s.block("network/public-0").map_public_ip_on_launch = true),
      },
    ],
  },
};
