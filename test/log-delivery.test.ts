/**
 * AWS's log delivery (the state machines' and the web ACL's logging) writes into the environment's log groups
 * through a log resource policy the stack holds, so no role of the environment needs `logs:PutResourcePolicy`
 * (which IAM authorizes only on every log resource policy of the account).
 */
import { LogDelivery } from "../constructs/log-delivery";
import { Naming } from "../constructs/naming";
import { wildcardMatch } from "../rules/iam/actions";
import { StackView } from "../rules/stack-view";
import { synthCheckedIn } from "./environment-stacks";
import { type Block, newStack, synthConstruct } from "./helpers";

const ACCOUNT = "111111111111";

describe("LogDelivery", () => {
  it("admits AWS's log delivery into the environment's groups only, for this account's sources", () => {
    let delivery!: LogDelivery;
    const synth = synthConstruct((scope) => {
      delivery = new LogDelivery(scope, "delivery", {
        naming: new Naming("myamazingapp", "test"),
        account: ACCOUNT,
        region: "us-west-2",
      });
    });
    const block = synth.of(delivery.policy);
    expect(block.policy_name).toBe("myamazingapp-test-log-delivery");
    expect(JSON.parse(block.policy_document).Statement).toEqual([
      {
        Sid: "AwsLogDeliveryIntoTheEnvironmentsGroups",
        Effect: "Allow",
        Principal: { Service: "delivery.logs.amazonaws.com" },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [
          `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:/myamazingapp/test/*:log-stream:*`,
          `arn:aws:logs:us-west-2:${ACCOUNT}:log-group:aws-waf-logs-myamazingapp-test-*:log-stream:*`,
        ],
        Condition: {
          StringEquals: { "aws:SourceAccount": ACCOUNT },
          ArnLike: { "aws:SourceArn": `arn:aws:logs:us-west-2:${ACCOUNT}:*` },
        },
      },
    ]);
  });

  it("refuses an account that is not an account id", () => {
    expect(
      () =>
        new LogDelivery(newStack(), "delivery", {
          naming: new Naming("myamazingapp", "test"),
          account: "1",
          region: "us-west-2",
        }),
    ).toThrow(/LogDelivery: account/);
  });

  it.each(["production", "staging"])(
    "in the %s stack, covers the log group of every state machine and of the web ACL",
    (environment) => {
      const stack = new StackView(JSON.parse(synthCheckedIn(environment).text));
      const account = stack.config.provider.aws[0].allowed_account_ids[0] as string;
      const region = stack.config.provider.aws[0].region as string;
      const policy = JSON.parse(
        stack.find("aws_cloudwatch_log_resource_policy", (b) => /-log-delivery$/.test(b.policy_name)).block
          .policy_document,
      );
      const groups = [
        ...stack
          .resources("aws_sfn_state_machine")
          .map((m) => ([] as Block[]).concat(m.block.logging_configuration)[0].log_destination),
        ...stack
          .resources("aws_wafv2_web_acl_logging_configuration")
          .map((l) => l.block.log_destination_configs[0]),
      ].map((ref: string) => stack.deref(ref.replace(/:\*$/, "")).block.name as string);
      expect(groups.length).toBeGreaterThanOrEqual(3);
      for (const name of groups) {
        const stream = `arn:aws:logs:${region}:${account}:log-group:${name}:log-stream:x`;
        expect([
          name,
          policy.Statement[0].Resource.some((r: string) => wildcardMatch(r, stream, false)),
        ]).toEqual([name, true]);
      }
    },
  );
});
