/**
 * Moving the application to another environment (another account or region): the runbook's steps that are
 * commands (docs/moving.md).
 *
 * - `move-database <env> --to <target>`: a manual snapshot of the source database, copied into the target's
 *   region (for another account: first copied under the move's own key and shared with it, since RDS shares
 *   nothing under the default key); the copy's ARN goes into the target's
 *   `database.restoreFromSnapshot`, and the target's first deploy restores it.
 * - `move-image <env> --to <target>`: the released image, named by digest, for the target's first release.
 *
 * Each side acts with its own credentials (a target in another account: `--to-profile`), and both are checked
 * to be of their environment's account before the first step, so the target's copy is made in the target's
 * account or not at all.
 *
 * There is no `move-secrets`: each secret's resource policy lets only the task execution role read a value
 * (constructs/app-secrets.ts), so an operator's credentials cannot copy one, and opening the policy to operators
 * would undo what it is for. The operator sets each value in the target (`secrets set`) from where it is kept.
 */
import { DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyRotationCommand,
  KMSClient,
} from "@aws-sdk/client-kms";
import {
  CopyDBSnapshotCommand,
  CreateDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBSnapshotAttributeCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { Naming } from "../../constructs/naming";
import { APPLICATION, operatorNames } from "../../stacks/names";
import { OpsError, type OpsContext } from "./context";

/** What `move-secrets` says now: why no operator can copy a secret's value, and what to do instead. */
export const MOVE_SECRETS_GONE =
  "move-secrets: no operator can read a secret's value: each secret's resource policy lets only the task " +
  "execution role read it (docs/security.md). Set each value in the target from where it is kept: " +
  "npm run ops -- secrets <target> set <NAME> < file; npm run ops -- secrets <target> lists those without a " +
  "value (docs/moving.md, step 5).";

/** Refuses to start a move unless both sides' credentials are of their environments' accounts. */
export async function requireBothAccounts(source: OpsContext, target: OpsContext): Promise<void> {
  await source.requireAccount();
  await target.requireAccount();
}

async function waitForSnapshot(
  ctx: OpsContext,
  rds: RDSClient,
  identifier: string,
  what: string,
): Promise<string> {
  for (;;) {
    const { DBSnapshots } = await ctx.call(() =>
      rds.send(new DescribeDBSnapshotsCommand({ DBSnapshotIdentifier: identifier })),
    );
    const snapshot = DBSnapshots?.[0];
    ctx.out.progress(`${what} ${identifier}: ${snapshot?.Status ?? "not there yet"}`);
    if (snapshot?.Status === "available") return snapshot.DBSnapshotArn ?? identifier;
    if (snapshot?.Status === "failed") throw new OpsError(`${what} ${identifier} failed`);
    await ctx.sleep();
  }
}

export interface MovedDatabase {
  readonly sourceSnapshotArn: string;
  /** What the target copied: the snapshot itself, or (another account) its copy under the move key. */
  readonly sharedSnapshotArn: string;
  readonly targetSnapshotArn: string;
}

/**
 * The move's own key in the source account and region (alias/<app>-<env>-move-to-<target account>), made once:
 * the source account keeps every right, the target account may use it to copy the snapshot. Schedule its
 * deletion once the target has its own copy (docs/moving.md).
 */
async function moveKey(source: OpsContext, target: OpsContext): Promise<string> {
  const kms = new KMSClient(source.config);
  const alias = `alias/${new Naming(APPLICATION, source.env.name).name(`move-to-${target.env.account}`)}`;
  try {
    const { KeyMetadata } = await source.call(() => kms.send(new DescribeKeyCommand({ KeyId: alias })));
    if (KeyMetadata?.Arn) return KeyMetadata.Arn;
  } catch (error) {
    if ((error as Error).name !== "NotFoundException") throw error;
  }
  const root = (account: string) => `arn:aws:iam::${account}:root`;
  const { KeyMetadata } = await source.call(() =>
    kms.send(
      new CreateKeyCommand({
        Description: `Moves ${source.env.name}'s database snapshot to account ${target.env.account}`,
        Policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "TheSourceAccountOwnsTheKey",
              Effect: "Allow",
              Principal: { AWS: root(source.env.account) },
              Action: "kms:*",
              Resource: "*",
            },
            {
              Sid: "TheTargetAccountCopiesTheSnapshot",
              Effect: "Allow",
              Principal: { AWS: root(target.env.account) },
              Action: ["kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:ReEncryptFrom"],
              Resource: "*",
            },
          ],
        }),
      }),
    ),
  );
  const arn = KeyMetadata?.Arn ?? "";
  await source.call(() => kms.send(new EnableKeyRotationCommand({ KeyId: arn })));
  await source.call(() => kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn })));
  source.out.progress(`made the move key ${alias} (${arn})`);
  return arn;
}

/** Snapshots the source database and copies the snapshot into the target's region (same account). */
export async function moveDatabase(
  source: OpsContext,
  target: OpsContext,
  stamp = timestamp(),
): Promise<MovedDatabase> {
  await requireBothAccounts(source, target);
  const database = operatorNames(new Naming(APPLICATION, source.env.name)).database;
  const snapshot = `${database}-move-${stamp}`;
  const rds = new RDSClient(source.config);
  await source.call(() =>
    rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: database, DBSnapshotIdentifier: snapshot })),
  );
  const sourceSnapshotArn = await waitForSnapshot(source, rds, snapshot, "snapshot");

  let shared = { identifier: snapshot, arn: sourceSnapshotArn };
  const crossAccount = source.env.account !== target.env.account;
  if (crossAccount) {
    // RDS refuses to share a snapshot encrypted with the account's default key (aws/rds), which the database's
    // storage uses: the snapshot is copied under a key of the move's own that the target account may use, and
    // that copy is shared. The target's copy is encrypted with its own key again (docs/moving.md).
    const key = await moveKey(source, target);
    const copyForTarget = `${snapshot}-for-${target.env.account}`;
    await source.call(() =>
      rds.send(
        new CopyDBSnapshotCommand({
          SourceDBSnapshotIdentifier: snapshot,
          TargetDBSnapshotIdentifier: copyForTarget,
          KmsKeyId: key,
          CopyTags: true,
        }),
      ),
    );
    shared = {
      identifier: copyForTarget,
      arn: await waitForSnapshot(source, rds, copyForTarget, "copy under the move key"),
    };
    await source.call(() =>
      rds.send(
        new ModifyDBSnapshotAttributeCommand({
          DBSnapshotIdentifier: copyForTarget,
          AttributeName: "restore",
          ValuesToAdd: [target.env.account],
        }),
      ),
    );
    source.out.progress(`shared ${copyForTarget} with account ${target.env.account}`);
  }
  const copy = `${operatorNames(new Naming(APPLICATION, target.env.name)).database}-from-${source.env.name}-${stamp}`;
  const targetRds = new RDSClient(target.config);
  await target.call(() =>
    targetRds.send(
      new CopyDBSnapshotCommand({
        SourceDBSnapshotIdentifier: shared.arn,
        TargetDBSnapshotIdentifier: copy,
        // The database's storage is on RDS's own key; the copy is encrypted with the target region's.
        KmsKeyId: "alias/aws/rds",
        CopyTags: true,
        ...(source.env.region !== target.env.region ? { SourceRegion: source.env.region } : {}),
      }),
    ),
  );
  const targetSnapshotArn = await waitForSnapshot(target, targetRds, copy, "copy");
  target.out.line(`copied to ${targetSnapshotArn}`);
  target.out.line(
    `set in environments/${target.env.name}.json: "database": { ..., "restoreFromSnapshot": "${targetSnapshotArn}" }`,
  );
  return { sourceSnapshotArn, sharedSnapshotArn: shared.arn, targetSnapshotArn };
}

export interface MovedImage {
  /** The source's released image, by digest. */
  readonly source: string;
  /** Where the target's first release takes it from once copied. */
  readonly target: string;
  readonly digest: string;
}

/** The source's released image by digest, and the commands that copy it for the target's first release. */
export async function moveImage(source: OpsContext, target: OpsContext): Promise<MovedImage> {
  await requireBothAccounts(source, target);
  const { Parameter } = await source.call(() =>
    source.ssm.send(new GetParameterCommand({ Name: source.names.imageParameter })),
  );
  const released = Parameter?.Value ?? "";
  if (!released || /:bootstrap$/.test(released))
    throw new OpsError(`${source.env.name} has released no image yet`);
  const repositoryUri = released.replace(/[@:][^/]*$/, "");
  const reference = released.slice(repositoryUri.length);
  const imageId = reference.startsWith("@")
    ? { imageDigest: reference.slice(1) }
    : { imageTag: reference.slice(1) };
  const { imageDetails } = await source.call(() =>
    new ECRClient(source.config).send(
      new DescribeImagesCommand({
        repositoryName: repositoryUri.split("/").slice(1).join("/"),
        imageIds: [imageId],
      }),
    ),
  );
  const digest = imageDetails?.[0]?.imageDigest;
  if (!digest) throw new OpsError(`${released} is not in its repository any more`);
  const targetRepository = `${target.env.account}.dkr.ecr.${target.env.region}.amazonaws.com/${target.names.repository}`;
  const moved = { source: `${repositoryUri}@${digest}`, target: `${targetRepository}@${digest}`, digest };
  for (const line of [
    "copy it (Docker, logged in to both registries with aws ecr get-login-password):",
    `  docker pull ${moved.source}`,
    `  docker tag ${moved.source} ${targetRepository}:moved-from-${source.env.name}`,
    `  docker push ${targetRepository}:moved-from-${source.env.name}`,
    `then release it in ${target.env.name}: npm run ops -- rollback ${target.env.name} --to ${moved.target}`,
  ]) {
    target.out.line(line);
  }
  return moved;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").toLowerCase();
}
