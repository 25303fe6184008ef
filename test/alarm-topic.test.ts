import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { AlarmTopic } from "../constructs/alarm-topic";
import { Naming } from "../constructs/naming";
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
      alarms = new AlarmTopic(scope, "alarms", { naming, account: ACCOUNT, email: "alerts@cdlib.org" });
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

  it("lets CloudWatch and EventBridge use the key to publish, and keeps the account in charge of it", () => {
    const publishers = keyStatements.find((s) => services(s).includes("cloudwatch.amazonaws.com")) ?? {};
    expect(services(publishers)).toEqual(
      expect.arrayContaining(["cloudwatch.amazonaws.com", "events.amazonaws.com"]),
    );
    expect(publishers.Action).toEqual(expect.arrayContaining(["kms:GenerateDataKey*", "kms:Decrypt"]));
    expect(keyStatements).toContainEqual(
      expect.objectContaining({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*" }),
    );
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
      expect(() => new AlarmTopic(newStack(), "alarms", { naming, account: ACCOUNT, email })).toThrow(
        `AlarmTopic: email: ${JSON.stringify(email)} is malformed; expected an e-mail address`,
      );
    },
  );
});
