/**
 * The stacks skip cdktf's cross-stack pass (stacks/self-contained-stack.ts), and every synth checks that each stack
 * refers only to what it declares (stacks/references.ts): a value taken from another stack fails the synth, naming
 * it, instead of reaching Terraform as a reference to nothing.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { App, TerraformStack } from "cdktf";
import { readSynthOutput } from "../rules/check";
import { checkReferences, undeclaredReferences } from "../stacks/references";
import { SelfContainedStack } from "../stacks/self-contained-stack";
import { synthCheckedIn } from "./environment-stacks";

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

class Plain extends SelfContainedStack {}

/** Two stacks in one app, a bucket in `a`; `b` holds a parameter whose value `value(bucket)` gives. */
function twoStacks(base: typeof TerraformStack, value: (bucket: S3Bucket) => string) {
  const outdir = mkdtempSync(join(tmpdir(), "self-contained-"));
  outdirs.push(outdir);
  const app = new App({ outdir, skipValidation: true, stackTraces: false });
  const a = new base(app, "a");
  new AwsProvider(a, "aws", { region: "us-west-2" });
  const bucket = new S3Bucket(a, "bucket", { bucket: "a-bucket" });
  const b = new base(app, "b");
  new AwsProvider(b, "aws", { region: "us-west-2" });
  new SsmParameter(b, "parameter", { name: "/b/bucket", type: "String", value: value(bucket) });
  app.synth();
  return { outdir, stacks: readSynthOutput(outdir) };
}

describe("self-contained stacks", () => {
  it("write what cdktf writes with its cross-stack pass, when no stack takes a value of another", () => {
    const named = () => "a-bucket-copy"; // a plain value: nothing of `a`
    const ours = twoStacks(Plain, named);
    const cdktfs = twoStacks(TerraformStack, named);
    for (const stack of ["a", "b"]) {
      const file = (outdir: string) => readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
      expect(file(ours.outdir)).toBe(file(cdktfs.outdir));
    }
    expect(() => checkReferences(ours.stacks)).not.toThrow();
  });

  it("fail the synth's reference check, naming the stack and the element, when one takes another's value", () => {
    // Where cdktf's pass would have added an output to `a` and a terraform_remote_state to `b`...
    const cdktfs = twoStacks(TerraformStack, (bucket) => bucket.arn);
    expect(Object.keys(cdktfs.stacks.b.data ?? {})).toContain("terraform_remote_state");
    // ...these stacks write a reference to a bucket `b` does not have, and the check refuses it.
    const ours = twoStacks(Plain, (bucket) => bucket.arn);
    expect(ours.stacks.b.data).toBeUndefined();
    expect(() => checkReferences(ours.stacks)).toThrow(
      /take nothing from each other.*\n\s+b refers to aws_s3_bucket\.bucket, which it does not declare/s,
    );
  });
});

describe("checkReferences", () => {
  const stack = {
    resource: { aws_s3_bucket: { logs: {} } },
    data: { aws_caller_identity: { me: {} } },
    variable: { region: {} },
    locals: { prefix: "p" },
  };
  const undeclared = (value: string) =>
    undeclaredReferences({ ...stack, output: { o: { value } } }).undeclared;

  it("accepts references to the stack's own resources, data sources, variables and locals", () => {
    expect(undeclared("${aws_s3_bucket.logs.arn}")).toEqual([]);
    expect(undeclared("${data.aws_caller_identity.me.account_id}")).toEqual([]);
    expect(undeclared("${var.region}-${local.prefix}")).toEqual([]);
    expect(
      undeclared('${jsonencode({ "a" = aws_s3_bucket.logs.arn, "b" = [for s in var.region : s] })}'),
    ).toEqual([]);
  });

  it("accepts Terraform's own names: each, count, self, path, terraform, and functions", () => {
    expect(
      undeclared("${each.value}-${count.index}-${self.id}-${path.module}-${terraform.workspace}"),
    ).toEqual([]);
    expect(undeclared('${format("%s", lower(aws_s3_bucket.logs.id))}')).toEqual([]);
  });

  it("names each element a stack refers to without declaring it", () => {
    expect(undeclared("${aws_s3_bucket.other.arn}")).toEqual(["aws_s3_bucket.other"]);
    expect(undeclared("${data.aws_region.here.name}")).toEqual(["data.aws_region.here"]);
    expect(undeclared("${var.zone} ${local.suffix} ${module.vpc.id}")).toEqual([
      "local.suffix",
      "module.vpc",
      "var.zone",
    ]);
    expect(undeclared('${join(",", aws_sqs_queue.jobs.*.arn)}')).toEqual(["aws_sqs_queue.jobs"]);
  });

  it("finds production's stack whole, after reading hundreds of its references (every synth checks every stack)", () => {
    const { checked, undeclared: missing } = undeclaredReferences(
      JSON.parse(synthCheckedIn("production").text),
    );
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });
});
