/**
 * The runbook's commands (docs/moving.md) against an emulator of their own: a database is snapshotted, the
 * snapshot copied into another region and restored there; secret values are copied without ever being printed;
 * the released image is named by digest for the target's first release.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ECRClient, CreateRepositoryCommand, PutImageCommand } from "@aws-sdk/client-ecr";
import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  KMSClient,
  ListAliasesCommand,
} from "@aws-sdk/client-kms";
import {
  CopyDBSnapshotCommand,
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBInstancesCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from "@aws-sdk/client-rds";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { EnvironmentConfig } from "../config/environment";
import { loadEnvironment } from "../config/load";
import { OPS_TOOL, OpsContext, type Output } from "../scripts/ops/context";
import { stackPolicies, stackWhere } from "../rules/helpers/iam";
import { synthesizedElements } from "../rules/iam/terraform";
import { StackView } from "../rules/stack-view";
import { readRecord, recordCalls } from "./e2e/calls";
import { PolicyWorld, refusals } from "./e2e/policy-check";
import { synthCheckedIn } from "./environment-stacks";
import { moveDatabase, moveImage } from "../scripts/ops/move";
import { type OwnEmulator, startOwnEmulator } from "./own-emulator";

const source = loadEnvironment(join(__dirname, "..", "environments", "local.json"));
// The target: the same account (the emulator's), another region.
const target: EnvironmentConfig = {
  ...loadEnvironment(join(__dirname, "..", "environments", "localwest.json")),
  account: source.account,
};
// Another account: localwest as its file says.
const other = loadEnvironment(join(__dirname, "..", "environments", "localwest.json"));
let emulator: OwnEmulator;
// Each move waits for snapshots in an emulator of its own, which a busy machine slows.
jest.setTimeout(60_000);

/** A manual snapshot of the source database, as an operator would take one by hand. */
async function snapshotSourceDatabase(id: string): Promise<RDSClient> {
  const east = new RDSClient(emulator.config(source.region));
  await east.send(
    new CreateDBSnapshotCommand({ DBInstanceIdentifier: "myamazingapp-local-db", DBSnapshotIdentifier: id }),
  );
  return east;
}

function context(
  env: EnvironmentConfig,
  account?: string,
): { ctx: OpsContext; lines: string[]; all: string[] } {
  const lines: string[] = [];
  const all: string[] = [];
  const out: Output = { line: (t) => (lines.push(t), all.push(t)), progress: (t) => all.push(t) };
  return {
    ctx: new OpsContext(
      env,
      out,
      { ...emulator.config(env.region, account), userAgentAppId: OPS_TOOL },
      { pollMs: 50 },
    ),
    lines,
    all,
  };
}

/** What the target's first deploy does with database.restoreFromSnapshot; returns the restored instance. */
async function restore(env: EnvironmentConfig, id: string, snapshot: string, account?: string) {
  const rds = new RDSClient(emulator.config(env.region, account));
  await rds.send(
    new RestoreDBInstanceFromDBSnapshotCommand({ DBInstanceIdentifier: id, DBSnapshotIdentifier: snapshot }),
  );
  return (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
}

/** The calls of the move to another account, for the judge (scripts/emulator/moto_server.py, 14). */
const acrossAccounts = join(mkdtempSync(join(tmpdir(), "move-calls-")), "calls.jsonl");

beforeAll(async () => {
  emulator = await startOwnEmulator("move");
}, 60_000);
afterAll(() => emulator.stop());

describe("moving the application (docs/moving.md)", () => {
  it("snapshots the database, copies the snapshot into the target's region, and the copy restores there", async () => {
    const rds = new RDSClient(emulator.config(source.region));
    await rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: "myamazingapp-local-db",
        Engine: "postgres",
        DBInstanceClass: "db.t4g.medium",
        AllocatedStorage: 20,
        MasterUsername: "myamazingapp",
        ManageMasterUserPassword: true,
        StorageEncrypted: true,
      }),
    );
    const { ctx: from } = context(source);
    const { ctx: to, lines } = context(target);
    const moved = await moveDatabase(from, to, "t1");
    expect(moved.sourceSnapshotArn).toBe(
      `arn:aws:rds:us-east-1:${source.account}:snapshot:myamazingapp-local-db-move-t1`,
    );
    expect(moved.targetSnapshotArn).toBe(
      `arn:aws:rds:us-west-2:${source.account}:snapshot:myamazingapp-localwest-db-from-local-t1`,
    );
    expect(lines.join("\n")).toContain(`"restoreFromSnapshot": "${moved.targetSnapshotArn}"`);

    const restored = await restore(target, "myamazingapp-localwest-db", moved.targetSnapshotArn);
    expect(restored?.Engine).toBe("postgres");
    expect(restored?.MasterUsername).toBe("myamazingapp");
  });

  it("to another account: RDS refuses to share the database's own snapshot (default key aws/rds)", async () => {
    const east = await snapshotSourceDatabase("own-key");
    await expect(
      east.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: "own-key",
          AttributeName: "restore",
          ValuesToAdd: [other.account],
        }),
      ),
    ).rejects.toThrow(/default KMS key \(aws\/rds\) and cannot be shared/);
  });

  it("to another account: shares a copy under the move's own key, and the target account copies and restores it", async () => {
    expect(other.account).not.toBe(source.account);
    const { ctx: from, all } = context(source);
    const { ctx: to } = context(other, other.account);
    await recordCalls(emulator.port, acrossAccounts);
    const moved = await moveDatabase(from, to, "t2");
    const copy = `myamazingapp-local-db-move-t2-for-${other.account}`;
    expect(all).toContain(`shared ${copy} with account ${other.account}`);
    expect(moved.sharedSnapshotArn).toBe(`arn:aws:rds:us-east-1:${source.account}:snapshot:${copy}`);
    // The move key: the source account's, rotated, usable by the target account to copy, made once.
    const kms = new KMSClient(emulator.config(source.region));
    const alias = `alias/myamazingapp-local-move-to-${other.account}`;
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
    const { Policy } = await kms.send(
      new GetKeyPolicyCommand({ KeyId: KeyMetadata!.KeyId!, PolicyName: "default" }),
    );
    const grantee = JSON.parse(Policy!).Statement.find(
      (st: { Principal: { AWS: string } }) => st.Principal.AWS === `arn:aws:iam::${other.account}:root`,
    );
    expect(grantee.Action).toEqual([
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:CreateGrant",
      "kms:ReEncryptFrom",
    ]);
    expect(
      (await kms.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata!.KeyId! }))).KeyRotationEnabled,
    ).toBe(true);
    await moveDatabase(from, to, "t3");
    await recordCalls(emulator.port, null);
    const { Aliases } = await kms.send(new ListAliasesCommand({}));
    expect((Aliases ?? []).filter((a) => a.AliasName === alias)).toHaveLength(1);
    expect(moved.targetSnapshotArn).toBe(
      `arn:aws:rds:us-west-2:${other.account}:snapshot:myamazingapp-localwest-db-from-local-t2`,
    );
    const restored = await restore(
      other,
      "myamazingapp-localwest-db-2",
      moved.targetSnapshotArn,
      other.account,
    );
    expect(restored?.MasterUsername).toBe("myamazingapp");
  });

  it("to another account: a snapshot not shared with it cannot be copied (as in RDS)", async () => {
    await snapshotSourceDatabase("not-shared");
    await expect(
      new RDSClient(emulator.config(other.region, other.account)).send(
        new CopyDBSnapshotCommand({
          SourceDBSnapshotIdentifier: `arn:aws:rds:${source.region}:${source.account}:snapshot:not-shared`,
          TargetDBSnapshotIdentifier: "copy-of-not-shared",
        }),
      ),
    ).rejects.toThrow(/not-shared/);
  });

  it("names the released image by digest, and how the target's first release takes it", async () => {
    const ecr = new ECRClient(emulator.config(source.region));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: "myamazingapp-local-web" }));
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.v2+json",
      config: {
        digest: "sha256:" + "1".repeat(64),
        size: 1,
        mediaType: "application/vnd.docker.container.image.v1+json",
      },
      layers: [],
    });
    const { image } = await ecr.send(
      new PutImageCommand({
        repositoryName: "myamazingapp-local-web",
        imageManifest: manifest,
        imageTag: "abc123",
      }),
    );
    const repository = `${source.account}.dkr.ecr.us-east-1.amazonaws.com/myamazingapp-local-web`;
    await new SSMClient(emulator.config(source.region)).send(
      new PutParameterCommand({
        Name: "/myamazingapp/local/image",
        Type: "String",
        Value: `${repository}:abc123`,
      }),
    );
    const { ctx: from } = context(source);
    const { ctx: to, lines } = context(target);
    const moved = await moveImage(from, to);
    expect(moved.digest).toBe(image?.imageId?.imageDigest);
    expect(moved.source).toBe(`${repository}@${moved.digest}`);
    expect(moved.target).toBe(
      `${source.account}.dkr.ecr.us-west-2.amazonaws.com/myamazingapp-localwest-web@${moved.digest}`,
    );
    expect(lines).toContain(
      `then release it in localwest: npm run ops -- rollback localwest --to ${moved.target}`,
    );
  });
});

describe("the moves' calls under the real policies (docs/security.md)", () => {
  it("to another account: all are ones AWS allows, each side as its account's administrator; the move key and the share admit the target", () => {
    const local = synthCheckedIn("local");
    const view = new StackView(JSON.parse(local.text));
    const world = new PolicyWorld([source, other]).addAccount(
      stackPolicies(view),
      synthesizedElements(view, stackWhere(view)),
    );
    const { verdicts, unjudged } = world.judge(
      readRecord(acrossAccounts),
      (_call, tool) => tool === OPS_TOOL,
    );
    expect(unjudged.map((u) => u.reason)).toEqual([]);
    expect(refusals(verdicts)).toEqual([]);
    // The target account's copy was judged, across accounts, with the move key.
    const targetSide = verdicts.filter(
      (v) => v.call.principal.account === other.account && v.request.resource.includes(`:${source.account}:`),
    );
    expect(targetSide.map((v) => v.request.action).sort()).toEqual(
      expect.arrayContaining(["kms:CreateGrant", "kms:DescribeKey", "rds:CopyDBSnapshot"]),
    );
  });
});
