import { assumedBy, packStatements, type PolicyStatement, policySize } from "../constructs/iam";

const statement = (i: number): PolicyStatement => ({
  Sid: `S${i}`,
  Effect: "Allow",
  Action: "s3:GetObject",
  Resource: `arn:aws:s3:::bucket-${i}/*`,
});

describe("packStatements", () => {
  it("packs statements in order into as few documents as fit the limit", () => {
    const statements = Array.from({ length: 50 }, (_, i) => statement(i));
    const documents = packStatements(statements, 1000);
    expect(documents.length).toBeGreaterThan(1);
    for (const d of documents) expect(policySize(d)).toBeLessThanOrEqual(1000);
    const sids = documents.flatMap((d) => JSON.parse(d).Statement.map((s: PolicyStatement) => s.Sid));
    expect(sids).toEqual(statements.map((s) => s.Sid));
    expect(packStatements(statements, 100_000)).toHaveLength(1);
  });

  it("refuses a statement that alone exceeds the limit", () => {
    expect(() => packStatements([statement(1)], 50)).toThrow(/S1\) is larger than 50 characters/);
  });

  it("measures as IAM does, without whitespace", () => {
    expect(policySize('{ "a" : 1 }\n')).toBe(7);
  });
});

describe("assumedBy", () => {
  it("trusts one service, in one account when given", () => {
    expect(JSON.parse(assumedBy("ecs-tasks.amazonaws.com", "111111111111")).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } },
      },
    ]);
  });
});
