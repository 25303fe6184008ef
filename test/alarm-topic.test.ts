import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlarmTopic } from "../constructs/alarm-topic";
import { Naming } from "../constructs/naming";
import { authorize } from "../rules/iam/authorize";
import { statementsOf } from "../rules/iam/policy";
import { type Block, newStack, ref, synthConstruct, type Synthesized } from "./helpers";

const naming = new Naming("myamazingapp", "test");
const ACCOUNT = "111111111111";

describe("AlarmTopic", () => {
  let synth: Synthesized;
  let alarms: AlarmTopic;
  let topicStatements: Block[];
  let keyStatements: Block[];
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      alarms = new AlarmTopic(scope, "alarms", {
        naming,
        account: ACCOUNT,
        region: "us-west-2",
        email: "alerts@cdlib.org",
      });
    });
    const [topicPolicy] = synth.resources("aws_sns_topic_policy");
    expect(topicPolicy.arn).toBe(ref(alarms.topic, "arn"));
    topicStatements = JSON.parse(topicPolicy.policy).Statement;
    keyStatements = JSON.parse(synth.of(alarms.key).policy).Statement;
  });
  const services = (statement: Block): string[] => [statement.Principal?.Service ?? []].flat();

  it("encrypts the topic with its own customer-managed KMS key", () => {
    expect(synth.of(alarms.topic)).toMatchObject({
      name: "myamazingapp-test-alarms",
      kms_master_key_id: ref(alarms.key, "arn"),
    });
  });

  it("rotates the key", () => {
    expect(synth.json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
  });

  it("lets CloudWatch and EventBridge use the key to publish", () => {
    const publishers = keyStatements.find((s) => services(s).includes("cloudwatch.amazonaws.com")) ?? {};
    expect(services(publishers)).toEqual(
      expect.arrayContaining(["cloudwatch.amazonaws.com", "events.amazonaws.com"]),
    );
    expect(publishers.Action).toEqual(expect.arrayContaining(["kms:GenerateDataKey*", "kms:Decrypt"]));
  });

  it("keeps the account in charge of the key, its principals using it only through SNS", () => {
    // A role of the account whose IAM policy allows every KMS action, as a grant on the environment's keys would.
    const role = {
      arn: `arn:aws:iam::${ACCOUNT}:role/myamazingapp/test/deployer`,
      identity: statementsOf({ Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }),
    };
    const key = { kind: "key" as const, policy: statementsOf({ Statement: keyStatements }) };
    const resource = `arn:aws:kms:us-west-2:${ACCOUNT}:key/k`;
    const via = (service?: string) => ({
      "kms:calleraccount": ACCOUNT,
      ...(service ? { "kms:viaservice": `${service}.us-west-2.amazonaws.com` } : {}),
    });
    const decision = (action: string, context: Record<string, string>) =>
      authorize(role, { action, resource, context }, key).decision;
    expect(decision("kms:PutKeyPolicy", via())).toBe("allowed");
    expect(decision("kms:ScheduleKeyDeletion", via())).toBe("allowed");
    expect(decision("kms:GenerateDataKey", via("sns"))).toBe("allowed");
    expect(decision("kms:Decrypt", via("sns"))).toBe("allowed");
    // Directly, or through another service, the role gets no key material.
    expect(decision("kms:Decrypt", via())).toBe("not allowed");
    expect(decision("kms:GenerateDataKey", via())).toBe("not allowed");
    expect(decision("kms:Decrypt", via("s3"))).toBe("not allowed");
    expect(synth.resources("aws_kms_alias")).toEqual([
      { name: "alias/myamazingapp-test-alarms", target_key_id: ref(alarms.key, "key_id") },
    ]);
  });

  it("lets CloudWatch alarms and EventBridge rules of this account (aws:SourceAccount) publish", () => {
    const allow = topicStatements.filter((s) => s.Effect === "Allow");
    expect(allow).toHaveLength(1);
    expect(services(allow[0])).toEqual(
      expect.arrayContaining(["cloudwatch.amazonaws.com", "events.amazonaws.com"]),
    );
    expect(allow[0]).toMatchObject({
      Action: "sns:Publish",
      Resource: ref(alarms.topic, "arn"),
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    });
    expect(allow[0].Principal).not.toBe("*");
  });

  it("refuses publishing without TLS", () => {
    expect(topicStatements).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
  });

  it("e-mails every alarm to the given address", () => {
    expect(synth.json).toHaveResourceWithProperties(SnsTopicSubscription, {
      topic_arn: ref(alarms.topic, "arn"),
      protocol: "email",
      endpoint: "alerts@cdlib.org",
    });
  });

  it.each(["alerts", "alerts@cdlib", "@cdlib.org", "a b@cdlib.org", "alerts@@cdlib.org", ""])(
    "refuses email %p",
    (email) => {
      expect(
        () => new AlarmTopic(newStack(), "alarms", { naming, account: ACCOUNT, region: "us-west-2", email }),
      ).toThrow(`AlarmTopic: email: ${JSON.stringify(email)} is malformed; expected an e-mail address`);
    },
  );
});
