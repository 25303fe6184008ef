import { Naming } from "../constructs/naming";
import { WebAcl, type WebAclProps } from "../constructs/web-acl";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const LB = "arn:aws:elasticloadbalancing:us-west-2:111111111111:loadbalancer/app/myamazingapp-test/abc";
const props: WebAclProps = {
  naming: new Naming("myamazingapp", "test"),
  loadBalancerArn: LB,
  requestsPerFiveMinutesPerIp: 3000,
  countOnly: false,
  logEncryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
  logRetentionDays: 365,
};

describe("WebAcl", () => {
  let synth: Synthesized;
  let acl: WebAcl;
  let counting: WebAcl;
  let rules: Block[];
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      acl = new WebAcl(scope, "waf", props);
      counting = new WebAcl(scope, "trial", {
        ...props,
        naming: new Naming("myamazingapp", "trial"),
        countOnly: true,
      });
    });
    rules = synth.of(acl.webAcl).rule;
  });
  const managed = (r: Block) => r.statement.managed_rule_group_statement;

  it("is a regional web ACL that allows what no rule blocks", () => {
    expect(synth.of(acl.webAcl)).toMatchObject({
      name: "myamazingapp-test-web",
      scope: "REGIONAL",
      default_action: { allow: {} },
    });
  });

  it("runs AWS's IP reputation, common and known-bad-inputs groups, enforcing", () => {
    const groups = rules.filter(managed);
    expect(groups.map((r) => managed(r).name)).toEqual([
      "AWSManagedRulesAmazonIpReputationList",
      "AWSManagedRulesCommonRuleSet",
      "AWSManagedRulesKnownBadInputsRuleSet",
    ]);
    for (const r of groups) expect(r.override_action).toEqual({ none: {} });
  });

  it("only counts the common set's 8 KB body limit, which completing a 6 GiB multipart upload exceeds", () => {
    const common = rules.find((r) => managed(r)?.name === "AWSManagedRulesCommonRuleSet")!;
    expect(managed(common).rule_action_override).toEqual([
      { name: "SizeRestrictions_BODY", action_to_use: { count: {} } },
    ]);
    const others = rules.filter((r) => managed(r) && r !== common);
    for (const r of others) expect(managed(r).rule_action_override).toEqual([]);
  });

  it("blocks an IP above the rate limit", () => {
    const rate = rules.find((r) => r.statement.rate_based_statement)!;
    expect(rate).toMatchObject({
      action: { block: {} },
      statement: { rate_based_statement: { limit: 3000, aggregate_key_type: "IP" } },
    });
  });

  it("with countOnly: counts instead of blocking, for every rule", () => {
    const trial: Block[] = synth.of(counting.webAcl).rule;
    for (const r of trial) {
      if (r.statement.managed_rule_group_statement) expect(r.override_action).toEqual({ count: {} });
      else expect(r.action).toEqual({ count: {} });
    }
  });

  it("publishes metrics and samples for every rule", () => {
    for (const r of rules) {
      expect(r.visibility_config).toMatchObject({
        cloudwatch_metrics_enabled: true,
        sampled_requests_enabled: true,
      });
    }
  });

  it("protects the load balancer it is given", () => {
    expect(synth.resources("aws_wafv2_web_acl_association")).toContainEqual({
      resource_arn: LB,
      web_acl_arn: ref(acl.webAcl, "arn"),
    });
  });

  it("logs every request to an encrypted aws-waf-logs- group, without credentials", () => {
    expect(synth.of(acl.logGroup)).toMatchObject({
      name: "aws-waf-logs-myamazingapp-test-web-acl",
      kms_key_id: props.logEncryptionKeyArn,
      retention_in_days: 365,
    });
    const [logging] = synth
      .resources("aws_wafv2_web_acl_logging_configuration")
      .filter((l) => l.resource_arn === ref(acl.webAcl, "arn"));
    expect(logging.log_destination_configs).toEqual([ref(acl.logGroup, "arn")]);
    expect(logging.redacted_fields).toEqual([
      { single_header: { name: "authorization" } },
      { single_header: { name: "cookie" } },
    ]);
  });

  it.each([50, 2_000_000_001])("refuses a rate limit of %p", (requestsPerFiveMinutesPerIp) => {
    expect(() => new WebAcl(newStack(), "w", { ...props, requestsPerFiveMinutesPerIp })).toThrow(
      /WebAcl: requestsPerFiveMinutesPerIp: \d+ is out of range; allowed: 100 to 2000000000/,
    );
  });

  it("refuses a log retention CloudWatch does not offer", () => {
    expect(() => new WebAcl(newStack(), "w", { ...props, logRetentionDays: 100 })).toThrow(
      /WebAcl: logRetentionDays: 100 is not allowed/,
    );
  });
});
