import { requireThat, type Rule } from "./rule";

export const vpcDefaultSgClosed = {
  id: "vpc-default-sg-closed",
  fsbp: ["EC2.2"],
  checkov: ["CKV2_AWS_12"],
  resourceTypes: ["aws_vpc"],
  reason: "Anything launched without a security group lands in the default one; it must let nothing through.",
  fix: "Manage the VPC's aws_default_security_group with no ingress and no egress rules.",
  check: (vpc, stack) => {
    const defaults = stack.referring("aws_default_security_group", "vpc_id", vpc);
    return requireThat(
      defaults.length > 0 && defaults.every((d) => !d.block.ingress?.length && !d.block.egress?.length),
      "the default security group is not managed empty",
    );
  },
} as const satisfies Rule;
