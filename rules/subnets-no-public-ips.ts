import { requireThat, type Rule } from "./rule";

export const subnetsNoPublicIps = {
  id: "subnets-no-public-ips",
  fsbp: ["EC2.15"],
  checkov: ["CKV_AWS_130"],
  resourceTypes: ["aws_subnet"],
  reason: "A subnet that hands out public IPs puts whatever lands in it on the internet.",
  fix: "Set map_public_ip_on_launch = false; only the load balancer and NAT gateways face the internet.",
  check: (subnet) =>
    requireThat(subnet.block.map_public_ip_on_launch !== true, "map_public_ip_on_launch is true"),
} as const satisfies Rule;
