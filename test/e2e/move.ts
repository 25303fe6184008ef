/**
 * The runbook's commands (docs/moving.md) against the deployed local environment: its database is snapshotted,
 * the snapshot copied into another region and restored there; its released image is named by digest for the
 * target's first release.
 *
 * The target is localwest, another account and region, and each side acts with its own account's credentials,
 * from a profile of a shared AWS config file as an operator's would be (`--to-profile`): a copy of the snapshot
 * under the move's own key is shared with the target account (RDS shares none under the default key), and the
 * target's copy is made with the target's credentials (the emulator follows a shared snapshot's ARN across
 * accounts: patch 13 of scripts/emulator/moto_server.py). What is made here is removed again, so the destroy
 * checks find nothing left.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutImageCommand, ECRClient } from "@aws-sdk/client-ecr";
import { DescribeSubnetsCommand, EC2Client } from "@aws-sdk/client-ec2";
import {
  DeleteAliasCommand,
  DescribeKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import {
  CreateDBSubnetGroupCommand,
  DeleteDBInstanceCommand,
  DeleteDBSubnetGroupCommand,
  DeleteDBSnapshotCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from "@aws-sdk/client-rds";
import type { EnvironmentConfig } from "../../config/environment";
import { applyLocalOverrides } from "../../config/local";
import { loadEnvironment } from "../../config/load";
import { emulatorAccessKey } from "../../constructs/aws-provider";
import { type AwsClientConfig, clientConfigFor, emulatorClientConfig } from "../../scripts/lib/aws";
import { OPS_TOOL, OpsContext } from "../../scripts/ops/context";
import { moveDatabase, moveImage } from "../../scripts/ops/move";
import { LOCAL_ENVIRONMENT_FILE } from "../../scripts/local/session";
import { ROOT } from "./local-run";

const SUBNET_GROUP = "myamazingapp-localwest-db-move-e2e";
/** The source snapshot's copy under the move key, shared with the target account. */
const FOR_TARGET = (account: string) => `myamazingapp-local-db-move-e2e-for-${account}`;

/** The operator's profile of an environment's account: `<environment>-admin`. */
export const adminProfile = (env: EnvironmentConfig): string => `${env.name}-admin`;

/**
 * A shared AWS config file with an administrator profile of each account (the emulator's key of the account),
 * named in AWS_CONFIG_FILE while `fn` runs: the credentials reach the tools as an operator's do.
 */
export async function withAdminProfiles<T>(envs: EnvironmentConfig[], fn: () => Promise<T>): Promise<T> {
  const file = join(mkdtempSync(join(tmpdir(), "aws-config-")), "config");
  writeFileSync(
    file,
    envs
      .map(
        (env) =>
          `[profile ${adminProfile(env)}]\naws_access_key_id = ${emulatorAccessKey(env.account)}\naws_secret_access_key = test\n`,
      )
      .join("\n"),
  );
  const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };
  process.env.AWS_CONFIG_FILE = file;
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(file, "..", "none");
  try {
    return await fn();
  } finally {
    for (const [name, value] of [
      ["AWS_CONFIG_FILE", saved.config],
      ["AWS_SHARED_CREDENTIALS_FILE", saved.credentials],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The operator's context for an environment, with the credentials of a profile (theirs, or another's). */
export function profileContext(
  port: number,
  env: EnvironmentConfig,
  said: string[],
  profile = adminProfile(env),
): OpsContext {
  const out = { line: (t: string) => said.push(t), progress: (t: string) => said.push(t) };
  const config = clientConfigFor(env, { vars: { LOCAL_AWS_PORT: String(port) }, profile, tool: OPS_TOOL });
  return new OpsContext(env, out, config, { pollMs: 100 });
}

/** Runs move-database and move-image from the deployed local environment; cleans up after. */
export async function moveFromLocal(port: number, repository: string): Promise<void> {
  const vars = { LOCAL_AWS_PORT: String(port) };
  const source = applyLocalOverrides(loadEnvironment(LOCAL_ENVIRONMENT_FILE), vars);
  const target = applyLocalOverrides(loadEnvironment(join(ROOT, "environments", "localwest.json")), vars);
  expect(target.account).not.toBe(source.account);
  expect(target.region).not.toBe(source.region);
  const said: string[] = [];
  const cfg = (env: EnvironmentConfig) => emulatorClientConfig(port, env.region, ROOT, env.account);

  let failure: unknown;
  try {
    await withAdminProfiles([source, target], () => moves(port, repository, source, target, said));
  } catch (error) {
    failure = error;
  }
  const leftBehind = await removeWhatTheMovesMade(cfg, source, target);
  // A failure is what is reported; what it left behind comes second.
  if (failure !== undefined) throw failure;
  expect(leftBehind).toEqual([]);
}

async function moves(
  port: number,
  repository: string,
  source: EnvironmentConfig,
  target: EnvironmentConfig,
  said: string[],
): Promise<void> {
  const cfg = (env: EnvironmentConfig) => emulatorClientConfig(port, env.region, ROOT, env.account);
  const from = profileContext(port, source, said);
  const to = profileContext(port, target, said);
  // A profile of the source's account for the target is refused before the first step, naming both accounts.
  await expect(
    moveDatabase(from, profileContext(port, target, said, adminProfile(source)), "e2e"),
  ).rejects.toThrow(
    `are for account ${source.account} (arn:aws:sts::${source.account}:user/moto), but ${target.name} is in account ${target.account}`,
  );
  // The database: the deployed instance's snapshot, copied into the target's region, restores there.
  const moved = await moveDatabase(from, to, "e2e");
  // RDS shares no snapshot under the default key: a copy under the move's own key is what the target copies.
  const forTarget = FOR_TARGET(target.account);
  expect(said).toContain(`shared ${forTarget} with account ${target.account}`);
  expect(moved.targetSnapshotArn).toBe(
    `arn:aws:rds:${target.region}:${target.account}:snapshot:myamazingapp-localwest-db-from-local-e2e`,
  );
  // The target's first deploy restores it into the target's own subnets (here: its account's default VPC).
  const westRds = new RDSClient(cfg(target));
  const { Subnets } = await new EC2Client(cfg(target)).send(
    new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }),
  );
  await westRds.send(
    new CreateDBSubnetGroupCommand({
      DBSubnetGroupName: SUBNET_GROUP,
      DBSubnetGroupDescription: "the move's restore",
      SubnetIds: (Subnets ?? []).map((sn) => sn.SubnetId!),
    }),
  );
  await westRds.send(
    new RestoreDBInstanceFromDBSnapshotCommand({
      DBInstanceIdentifier: "myamazingapp-localwest-db",
      DBSnapshotIdentifier: moved.targetSnapshotArn,
      DBSubnetGroupName: SUBNET_GROUP,
    }),
  );
  const [restored] =
    (
      await westRds.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: "myamazingapp-localwest-db" }),
      )
    ).DBInstances ?? [];
  const [deployed] =
    (
      await new RDSClient(cfg(source)).send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: "myamazingapp-local-db" }),
      )
    ).DBInstances ?? [];
  expect(restored.Engine).toBe(deployed.Engine);
  expect(restored.EngineVersion).toBe(deployed.EngineVersion);
  expect(restored.MasterUsername).toBe(deployed.MasterUsername);
  expect(said).toContain(
    `set in environments/localwest.json: "database": { ..., "restoreFromSnapshot": "${moved.targetSnapshotArn}" }`,
  );

  // The image: what the build pushed as v1 (moto runs no build: pushed here), named by its digest.
  const { image } = await new ECRClient(cfg(source)).send(
    new PutImageCommand({
      repositoryName: repository.split("/").slice(1).join("/"),
      imageTag: "v1",
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: {
          digest: `sha256:${"2".repeat(64)}`,
          size: 1,
          mediaType: "application/vnd.docker.container.image.v1+json",
        },
        layers: [],
      }),
    }),
  );
  const movedImage = await moveImage(from, to);
  expect(movedImage.source).toBe(`${repository}@${image?.imageId?.imageDigest}`);
  expect(said).toContain(
    `then release it in localwest: npm run ops -- rollback localwest --to ${movedImage.target}`,
  );
}

/**
 * Removes what the moves made, also after a failure: the restored instance, its subnet group, the snapshots and
 * the move key. Returns what could not be removed.
 */
async function removeWhatTheMovesMade(
  cfg: (env: EnvironmentConfig) => AwsClientConfig,
  source: EnvironmentConfig,
  target: EnvironmentConfig,
): Promise<unknown[]> {
  const eastRds = new RDSClient(cfg(source));
  const westRds = new RDSClient(cfg(target));
  const kms = new KMSClient(cfg(source));
  const alias = `alias/myamazingapp-local-move-to-${target.account}`;
  const leftBehind: unknown[] = [];
  const steps: Array<() => Promise<unknown>> = [
    () =>
      westRds.send(
        new DeleteDBInstanceCommand({
          DBInstanceIdentifier: "myamazingapp-localwest-db",
          SkipFinalSnapshot: true,
        }),
      ),
    () => westRds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: SUBNET_GROUP })),
    () =>
      westRds.send(
        new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "myamazingapp-localwest-db-from-local-e2e" }),
      ),
    () =>
      eastRds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: "myamazingapp-local-db-move-e2e" })),
    () => eastRds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: FOR_TARGET(target.account) })),
    async () => {
      const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: alias }));
      await kms.send(new DeleteAliasCommand({ AliasName: alias }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: KeyMetadata!.KeyId!, PendingWindowInDays: 7 }));
    },
  ];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      leftBehind.push(error);
    }
  }
  return leftBehind;
}
