import { Construct } from "constructs";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { policyDocument } from "./iam";
import { ACCOUNT_ID, checkPattern, refuse } from "./limits";
import type { Naming } from "./naming";

export interface LogDeliveryProps {
  /** Resource names: the log groups it admits are the environment's. */
  readonly naming: Naming;
  /** AWS account id (the deliveries' source account). */
  readonly account: string;
  /** AWS region. */
  readonly region: string;
}

/**
 * Lets AWS's log delivery (`delivery.logs.amazonaws.com`: the state machines' and the web ACL's logging) write into
 * the environment's log groups, for this account's sources only. Without it, each service that turns its logging
 * on adds such a resource policy itself, with `logs:PutResourcePolicy` on every policy of the account: a right no
 * role of the environment holds (log resource policies are the account's, and IAM authorizes them only on `*`).
 * The policy is the account's too, so an administrator applies it (the first deploy).
 */
export class LogDelivery extends Construct {
  public readonly policy: CloudwatchLogResourcePolicy;

  constructor(scope: Construct, id: string, props: LogDeliveryProps) {
    super(scope, id);
    const { naming, account, region } = props;
    refuse("LogDelivery", { account: checkPattern(ACCOUNT_ID, account) });
    const group = (name: string) => `arn:aws:logs:${region}:${account}:log-group:${name}:log-stream:*`;
    this.policy = new CloudwatchLogResourcePolicy(this, "policy", {
      policyName: naming.name("log-delivery", 255),
      policyDocument: policyDocument({
        Sid: "AwsLogDeliveryIntoTheEnvironmentsGroups",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [
          group(`/${naming.application}/${naming.environment}/*`),
          group(`aws-waf-logs-${naming.prefix}-*`),
        ],
        Condition: {
          StringEquals: { "aws:SourceAccount": account },
          ArnLike: { "aws:SourceArn": `arn:aws:logs:${region}:${account}:*` },
        },
      }),
    });
  }
}
