/**
 * The delivery pipeline's release step as it runs in AWS, against the emulator: CodeBuild runs the release script
 * (constructs/delivery/release.sh) with the release step's role. The emulated environment has no pipeline, so the
 * role of the environment as it would be in AWS (test/e2e/shadow.ts) is made in the emulator and assumed; the
 * script's calls are then recorded as that role's (scripts/emulator/moto_server.py, 14) and judged against its
 * real policies (test/e2e/policy-check.ts). The role is removed again, so the destroy checks find nothing left.
 */
import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { RolePolicies } from "../../rules/iam/account-policies";
import { emulatorClientConfig } from "../../scripts/lib/aws";
import { OpsContext, OpsError } from "../../scripts/ops/context";
import { releaseVariables, runReleaseScript } from "../../scripts/ops/rollback";

/** The app id the release step's calls carry (CodeBuild's own AWS CLI calls would carry its execution env). */
export const RELEASE_TOOL = "myamazingapp-release";

/**
 * Releases `image` as the pipeline does: the release script, migrations included, as the release step's role.
 * `ctx` is the operator's context (it reads the service for the project's variables, as Terraform wired them).
 */
export async function releaseAsPipeline(ctx: OpsContext, role: RolePolicies, image: string): Promise<void> {
  const cfg = emulatorClientConfig(
    Number(new URL(ctx.config.endpoint!).port),
    ctx.env.region,
    undefined,
    ctx.env.account,
  );
  const iam = new IAMClient(cfg);
  const path = role.arn.replace(/^arn:aws:iam::\d+:role/, "").replace(new RegExp(`${role.name}$`), "");
  await iam.send(
    new CreateRoleCommand({
      RoleName: role.name,
      Path: path,
      // The emulator enforces none of it; the judge reads the role's real trust and policies.
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    }),
  );
  try {
    const { Credentials } = await new STSClient(cfg).send(
      new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: "codebuild-release" }),
    );
    const asRole = new OpsContext(ctx.env, ctx.out, {
      ...cfg,
      credentials: {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      },
    });
    const variables = await releaseVariables(ctx, image);
    const result = await runReleaseScript(asRole, variables, asRole.cliEnvironment(RELEASE_TOOL));
    if (result.code !== 0)
      throw new OpsError(`the release step failed (exit ${result.code}):\n${result.stderr}`);
  } finally {
    await iam.send(new DeleteRoleCommand({ RoleName: role.name }));
  }
}
