import { compliant, nonCompliant, type Rule } from "./rule";

export const logsArchived = {
  id: "logs-archived",
  fsbp: [],
  checkov: [],
  resourceTypes: ["aws_cloudwatch_log_group"],
  reason:
    "The mission keeps every log on S3 too: a log group without its archive loses its history after the CloudWatch retention.",
  fix: "Archive the group with LogArchive.archive (stacks/app-stack.ts archives every group of the stack).",
  check: (group, stack) => {
    const filters = stack.referring("aws_cloudwatch_log_subscription_filter", "log_group_name", group);
    if (filters.length === 0) return nonCompliant("no subscription filter sends the group anywhere");
    const toS3 = filters.some((f) =>
      stack
        .referencedBy(f.block.destination_arn)
        .some(
          (d) =>
            d.type === "aws_kinesis_firehose_delivery_stream" &&
            d.block.destination === "extended_s3" &&
            stack
              .referencedBy(d.block.extended_s3_configuration?.bucket_arn)
              .some((b) => b.type === "aws_s3_bucket"),
        ),
    );
    return toS3
      ? compliant
      : nonCompliant("its subscription filter does not deliver to an S3 bucket of the stack");
  },
} as const satisfies Rule;
