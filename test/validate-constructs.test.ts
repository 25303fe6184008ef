import childProcess from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformStack } from "cdktf";
import { validateConstructs } from "../stacks/validate";

const outdir = mkdtempSync(join(tmpdir(), "myamazingapp-validate-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function stackWithBucket(withProvider: boolean): { app: App; bucket: S3Bucket } {
  const app = new App({ outdir, skipValidation: true });
  const stack = new TerraformStack(app, "stack");
  if (withProvider) new AwsProvider(stack, "aws", { region: "eu-west-1" });
  return { app, bucket: new S3Bucket(stack, "bucket", { bucket: "a-bucket" }) };
}

describe("validateConstructs (the synth's one validation pass)", () => {
  it("refuses a stack with a resource whose provider it lacks, naming the stack and the provider", () => {
    const { app } = stackWithBucket(false);
    expect(() => validateConstructs(app)).toThrow(/\[stack\].*provider.*\baws\b/s);
  });

  it("passes a stack with its provider and a moved block, and runs no Terraform to do it", () => {
    const { app, bucket } = stackWithBucket(true);
    bucket.moveFromId("aws_s3_bucket.old_name");
    const spawned = jest.spyOn(childProcess, "execSync");
    try {
      expect(() => validateConstructs(app)).not.toThrow();
      app.synth();
      expect(spawned).not.toHaveBeenCalled();
    } finally {
      spawned.mockRestore();
    }
  });
});
