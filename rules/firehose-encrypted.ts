import { requireThat, type Rule } from "./rule";

export const firehoseEncrypted = {
  id: "firehose-encrypted",
  fsbp: ["DataFirehose.1"],
  checkov: ["CKV_AWS_240", "CKV_AWS_241"],
  resourceTypes: ["aws_kinesis_firehose_delivery_stream"],
  reason:
    "A delivery stream buffers log lines for minutes; a customer-managed key decides who can read them.",
  fix: "Set server_side_encryption { enabled, key_type = CUSTOMER_MANAGED_CMK, key_arn } and the S3 destination's kms_key_arn.",
  check: (stream) => {
    const sse = [stream.block.server_side_encryption].flat()[0];
    const s3 = stream.block.extended_s3_configuration;
    return requireThat(
      sse?.enabled === true &&
        sse.key_type === "CUSTOMER_MANAGED_CMK" &&
        Boolean(sse.key_arn) &&
        Boolean(s3?.kms_key_arn),
      "the stream or the objects it writes are not encrypted with a customer-managed key",
    );
  },
} as const satisfies Rule;
