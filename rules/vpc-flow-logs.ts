import { requireThat, type Rule } from "./rule";

export const vpcFlowLogs = {
  id: "vpc-flow-logs",
  fsbp: ["EC2.6"],
  checkov: ["CKV2_AWS_11"],
  resourceTypes: ["aws_vpc"],
  reason: "Flow logs record who talked to what in the VPC, which an investigation needs.",
  fix: "Add an aws_flow_log of ALL traffic for the VPC.",
  check: (vpc, stack) =>
    requireThat(
      stack.referring("aws_flow_log", "vpc_id", vpc).some((f) => f.block.traffic_type === "ALL"),
      "no flow log of all traffic",
    ),
} as const satisfies Rule;
