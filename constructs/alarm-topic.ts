import { Construct } from "constructs";
import type { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { EncryptionKey } from "./encryption-key";
import { policyDocument } from "./iam";
import { ACCOUNT_ID, checkPattern, EMAIL, refuse } from "./limits";
import type { Naming } from "./naming";

export interface AlarmTopicProps {
  /** Resource names. */
  readonly naming: Naming;
  /** AWS account id, for the key policy and the confused-deputy guards. */
  readonly account: string;
  /** AWS region: the principals of the account use the key only through SNS's endpoint there. */
  readonly region: string;
  /** Address that receives every alarm (subscription must be confirmed once). */
  readonly email: string;
  /** More AWS services that publish to the topic, e.g. `ses.amazonaws.com` for mail feedback. @default none */
  readonly additionalPublishers?: readonly string[];
}

/**
 * Publishers that must reach the topic: CloudWatch alarms, EventBridge rules, CodeStar notifications, AWS
 * Budgets and Cost Anomaly Detection.
 */
const PUBLISHERS = [
  "cloudwatch.amazonaws.com",
  "events.amazonaws.com",
  "codestar-notifications.amazonaws.com",
  "budgets.amazonaws.com",
  "costalerts.amazonaws.com",
];

/**
 * The encrypted SNS topic all alarms go to. SNS's AWS-managed key cannot be used by CloudWatch or
 * EventBridge, so the topic gets its own customer-managed key that grants them exactly what they need. Like the
 * environment's other keys (EncryptionKey), principals of the account use it only through SNS: a role whose IAM
 * policy covers the environment's keys cannot decrypt with it directly.
 */
export class AlarmTopic extends Construct {
  public readonly topic: SnsTopic;
  public readonly key: KmsKey;
  /** The key's alias, `alias/<prefix>-alarms`. */
  public readonly alias: KmsAlias;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    refuse("AlarmTopic", {
      email: checkPattern(EMAIL, props.email),
      account: checkPattern(ACCOUNT_ID, props.account),
    });
    const { naming, account } = props;
    const publishers = [...PUBLISHERS, ...(props.additionalPublishers ?? [])];
    const key = new EncryptionKey(this, "key", {
      naming,
      purpose: "alarms",
      account,
      region: props.region,
      viaServices: ["sns"],
    });
    key.allowService("AlarmPublishersEncrypt", publishers, ["kms:GenerateDataKey*", "kms:Decrypt"]);
    this.key = key.key;
    this.alias = key.alias;

    this.topic = new SnsTopic(this, "topic", {
      name: naming.name("alarms"),
      kmsMasterKeyId: this.key.arn,
    });
    new SnsTopicPolicy(this, "policy", {
      arn: this.topic.arn,
      policy: policyDocument(
        {
          Sid: "AlarmPublishers",
          Effect: "Allow",
          Principal: { Service: publishers },
          Action: "sns:Publish",
          Resource: this.topic.arn,
          Condition: { StringEquals: { "aws:SourceAccount": account } },
        },
        {
          Sid: "TlsOnly",
          Effect: "Deny",
          Principal: "*",
          Action: "sns:Publish",
          Resource: this.topic.arn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ),
    });
    new SnsTopicSubscription(this, "email", {
      topicArn: this.topic.arn,
      protocol: "email",
      endpoint: props.email,
    });
  }
}
