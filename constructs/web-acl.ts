import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { checkLogRetention, checkRange, refuse, WAF_RATE_LIMIT } from "./limits";
import type { Naming } from "./naming";

export interface WebAclProps {
  /** Resource names. */
  readonly naming: Naming;
  /** ARN of the internet-facing load balancer the web ACL protects. */
  readonly loadBalancerArn: string;
  /** Requests one IP address may make in any five minutes before the rest are blocked (100 to 2000000000). */
  readonly requestsPerFiveMinutesPerIp: number;
  /** Count what the rules match instead of blocking it: how new rules are tried before they enforce. */
  readonly countOnly: boolean;
  /** Customer-managed key of the request log. */
  readonly logEncryptionKeyArn: string;
  /** Days the request log is kept (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
}

/** AWS managed rule groups the web ACL runs, in order. */
const MANAGED_GROUPS = [
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
];

/**
 * The common rule set blocks request bodies over 8 KB. Files never pass through the app (browsers upload them
 * straight to S3 with presigned URLs), but completing a multipart upload of a 6 GiB file posts the list of its
 * parts to the app, well over 8 KB: that one rule only counts.
 */
const COUNTED_RULES: Record<string, string[]> = { AWSManagedRulesCommonRuleSet: ["SizeRestrictions_BODY"] };

/**
 * A WAFv2 web ACL on the load balancer: AWS's IP reputation list, common rule set and known-bad-inputs rules
 * (Log4j and the like), and a per-IP rate limit, each publishing metrics; every request logged, encrypted, with
 * the authorization and cookie headers redacted.
 */
export class WebAcl extends Construct {
  public readonly webAcl: Wafv2WebAcl;
  public readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    refuse("WebAcl", {
      requestsPerFiveMinutesPerIp: checkRange(WAF_RATE_LIMIT, props.requestsPerFiveMinutesPerIp),
      logRetentionDays: checkLogRetention(props.logRetentionDays),
    });
    const { naming, countOnly } = props;
    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${naming.prefix}-${metricName}`,
    });
    const managed: Wafv2WebAclRule[] = MANAGED_GROUPS.map((name, priority) => ({
      name,
      priority,
      overrideAction: countOnly ? { count: {} } : { none: {} },
      // The provider types statements as any: they are written in Terraform's own (snake_case) names.
      statement: {
        managed_rule_group_statement: {
          name,
          vendor_name: "AWS",
          rule_action_override: (COUNTED_RULES[name] ?? []).map((rule) => ({
            name: rule,
            action_to_use: { count: {} },
          })),
        },
      },
      visibilityConfig: visibility(name),
    }));
    const rateLimit: Wafv2WebAclRule = {
      name: "RequestsPerIp",
      priority: MANAGED_GROUPS.length,
      action: countOnly ? { count: {} } : { block: {} },
      statement: {
        rate_based_statement: { limit: props.requestsPerFiveMinutesPerIp, aggregate_key_type: "IP" },
      },
      visibilityConfig: visibility("requests-per-ip"),
    };

    this.webAcl = new Wafv2WebAcl(this, "acl", {
      name: naming.name("web"),
      description: `${naming.prefix}: the load balancer's managed rules and rate limit`,
      scope: "REGIONAL",
      defaultAction: { allow: {} },
      rule: [...managed, rateLimit],
      visibilityConfig: visibility("web-acl"),
    });
    new Wafv2WebAclAssociation(this, "association", {
      resourceArn: props.loadBalancerArn,
      webAclArn: this.webAcl.arn,
    });
    // WAF only delivers to log groups whose names start with aws-waf-logs-.
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      // Named like every other resource of the environment (`<prefix>-...`), which the IAM policies scope by.
      name: `aws-waf-logs-${naming.name("web-acl")}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logEncryptionKeyArn,
    });
    new Wafv2WebAclLoggingConfiguration(this, "logging", {
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [this.logGroup.arn],
      redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
    });
  }
}
