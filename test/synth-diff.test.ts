import { diffConfigurations, formatDifference } from "../scripts/synth-diff/diff";

const policy = (actions: string[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });

describe("synth diff", () => {
  const before = {
    "//": { metadata: { version: "0.21.0" } },
    resource: {
      aws_lb: { alb: { idle_timeout: 60, name: "x" } },
      aws_iam_role_policy: { old_id: { name: "read", policy: policy(["s3:GetObject"]) } },
      aws_sqs_queue: { gone: { name: "q" } },
    },
  };

  it("reports nothing for identical configurations, whatever their metadata", () => {
    const same = structuredClone(before);
    same["//"].metadata.version = "0.22.0";
    expect(diffConfigurations(before, same)).toEqual([]);
  });

  it("names each changed attribute, inside JSON documents too, and added and removed resources", () => {
    const after = structuredClone(before) as Record<string, any>;
    after.resource.aws_lb.alb.idle_timeout = 300;
    after.resource.aws_iam_role_policy.old_id.policy = policy(["s3:GetObject", "s3:PutObject"]);
    delete after.resource.aws_sqs_queue;
    after.resource.aws_sns_topic = { alarms: { name: "t" } };
    const lines = diffConfigurations(before, after).map(formatDifference);
    expect(lines).toEqual(
      expect.arrayContaining([
        "~ resource.aws_lb.alb.idle_timeout: 60 -> 300",
        "~ resource.aws_iam_role_policy.old_id.policy.Statement.0.Action: " +
          '["s3:GetObject"] -> ["s3:GetObject","s3:PutObject"]',
        '- resource.aws_sqs_queue (was {"gone":{"name":"q"}})',
        '+ resource.aws_sns_topic = {"alarms":{"name":"t"}}',
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it("follows moved blocks: a resource that only changed address is a move, not a destroy and a create", () => {
    const after = structuredClone(before) as Record<string, any>;
    after.resource.aws_iam_role_policy = { new_id: before.resource.aws_iam_role_policy.old_id };
    after.moved = [{ from: "aws_iam_role_policy.old_id", to: "aws_iam_role_policy.new_id" }];
    expect(diffConfigurations(before, after).map(formatDifference)).toEqual([
      "> aws_iam_role_policy.old_id -> aws_iam_role_policy.new_id",
    ]);
    after.resource.aws_iam_role_policy.new_id = { name: "read-more", policy: policy(["s3:GetObject"]) };
    expect(diffConfigurations(before, after).map(formatDifference)).toEqual([
      "> aws_iam_role_policy.old_id -> aws_iam_role_policy.new_id",
      '~ resource.aws_iam_role_policy.new_id.name: "read" -> "read-more"',
    ]);
  });
});
