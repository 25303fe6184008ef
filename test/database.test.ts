import { TerraformOutput } from "cdktf";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Database, type DatabaseProps } from "../constructs/database";
import type { EncryptionKey } from "../constructs/encryption-key";
import { Naming } from "../constructs/naming";
import type { Construct } from "constructs";
import { type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";

const naming = new Naming("myamazingapp", "test");
const props: Omit<DatabaseProps, "secretEncryptionKey"> = {
  naming,
  vpcId: "vpc-0123",
  subnetIds: ["subnet-iso-a", "subnet-iso-b"],
  engineVersion: "16.4",
  instanceClass: "db.m7g.large",
  allocatedStorageGiB: 50,
  maxAllocatedStorageGiB: 200,
  backupRetentionDays: 7,
  deletionProtection: true,
  performanceInsights: true,
  parameterGroup: true,
  databaseName: "myamazingapp",
  enhancedMonitoring: true,
  encryptionKeyArn: "arn:aws:kms:us-west-2:111111111111:key/data",
  logsKeyArn: "arn:aws:kms:us-west-2:111111111111:key/logs",
  logRetentionDays: 400,
};

/** A database in `scope`, with the secrets key it needs built there too. */
function database(scope: Construct, id: string, overrides: Partial<DatabaseProps> = {}): Database {
  return new Database(scope, id, {
    ...props,
    secretEncryptionKey: testKey(scope, `${id}-secrets`, naming),
    ...overrides,
  });
}

describe("Database", () => {
  let synth: Synthesized;
  let protectedDb: Database;
  let disposableDb: Database;
  let instance: Block;
  let executionRole: IamRole;
  let secretsKey: EncryptionKey;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      secretsKey = testKey(scope, "secrets", naming);
      protectedDb = database(scope, "db", { backupRetentionDays: 14, secretEncryptionKey: secretsKey });
      protectedDb.allowFrom("sg-app", "From the app tasks");
      new TerraformOutput(scope, "secret", { value: protectedDb.masterUserSecretArn });
      executionRole = new IamRole(scope, "execution-role", { name: "execution", assumeRolePolicy: "{}" });
      protectedDb.grantReadCredentials(executionRole);
      disposableDb = database(scope, "scratch", {
        naming: new Naming("myamazingapp", "scratch"),
        deletionProtection: false,
        performanceInsights: false,
        parameterGroup: false,
        enhancedMonitoring: false,
      });
    });
    instance = synth.of(protectedDb.instance);
  });

  it("runs PostgreSQL, Multi-AZ, encrypted and not publicly accessible", () => {
    expect(synth.json).toHaveResourceWithProperties(DbInstance, {
      engine: "postgres",
      engine_version: "16.4",
      multi_az: true,
      storage_encrypted: true,
      publicly_accessible: false,
    });
    expect(synth.of(disposableDb.instance)).toMatchObject({ multi_az: true, storage_encrypted: true });
  });

  it("lets RDS manage the master password, so no password attribute appears anywhere", () => {
    for (const db of synth.resources("aws_db_instance")) {
      expect(db.manage_master_user_password).toBe(true);
      expect(db).not.toHaveProperty("password");
      expect(db).not.toHaveProperty("password_wo");
    }
    expect(synth.json).not.toMatch(/"password(_wo)?"\s*:/);
  });

  it("keeps the managed password in a secret encrypted with the secrets key", () => {
    expect(instance.master_user_secret_kms_key_id).toBe(ref(secretsKey.key, "arn"));
  });

  it("accepts IAM authentication tokens besides the managed password", () => {
    expect(instance.iam_database_authentication_enabled).toBe(true);
  });

  it("with enhancedMonitoring: publishes OS metrics every minute through a role only RDS monitoring assumes", () => {
    expect(instance.monitoring_interval).toBe(60);
    const [role] = synth
      .resources("aws_iam_role")
      .filter((r) => r.name === "myamazingapp-test-db-monitoring");
    expect(instance.monitoring_role_arn).toMatch(/^\$\{aws_iam_role\.db_monitoring-role_[^.]+\.arn\}$/);
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: "monitoring.rds.amazonaws.com" },
        Action: "sts:AssumeRole",
      }),
    ]);
    const db = synth.of(disposableDb.instance);
    expect(db.monitoring_interval).toBe(0);
    expect(db.monitoring_role_arn).toBeUndefined();
  });

  it("exposes the ARN of the secret RDS keeps the credentials in", () => {
    const id = ref(protectedDb.instance, "id").split(".")[1];
    expect(synth.config.output.secret.value).toBe(
      `\${aws_db_instance.${id}.master_user_secret[0].secret_arn}`,
    );
  });

  it("makes the groups RDS exports its logs to before the instance, kept as asked under the logs key", () => {
    const groups = synth
      .resources("aws_cloudwatch_log_group")
      .filter((g) => g.name.includes("myamazingapp-test-db"));
    expect(groups.map((g) => [g.name, g.retention_in_days, g.kms_key_id])).toEqual([
      [
        "/aws/rds/instance/myamazingapp-test-db/postgresql",
        400,
        "arn:aws:kms:us-west-2:111111111111:key/logs",
      ],
      ["/aws/rds/instance/myamazingapp-test-db/upgrade", 400, "arn:aws:kms:us-west-2:111111111111:key/logs"],
    ]);
    // Every log exported has its group, and the instance waits for them.
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    expect(instance.depends_on).toEqual([
      `aws_cloudwatch_log_group.${ref(protectedDb.logGroups.postgresql, "id").split(".")[1]}`,
      `aws_cloudwatch_log_group.${ref(protectedDb.logGroups.upgrade, "id").split(".")[1]}`,
    ]);
  });

  it.each([0, 10, 366])(
    "refuses logRetentionDays %p (a value CloudWatch Logs accepts)",
    (logRetentionDays) => {
      expect(() => database(newStack(), "db", { logRetentionDays })).toThrow(/Database: logRetentionDays/);
    },
  );

  it("sizes the instance and its storage as asked", () => {
    expect(instance).toMatchObject({
      instance_class: "db.m7g.large",
      allocated_storage: 50,
      max_allocated_storage: 200,
      storage_type: "gp3",
      db_name: "myamazingapp",
      username: "myamazingapp",
    });
  });

  it("grantReadCredentials lets a role read the RDS-managed secret, and no other, and decrypt it", () => {
    const grants = synth.resources("aws_iam_role_policy");
    expect(grants.map((g) => [g.role, g.name]).sort()).toEqual([
      [ref(executionRole, "id"), "read-database-credentials"],
      [ref(executionRole, "id"), "use-secrets-key"],
    ]);
    const named = (name: string) => JSON.parse(grants.find((g) => g.name === name)!.policy).Statement;
    expect(named("use-secrets-key")).toEqual([
      expect.objectContaining({
        Action: expect.arrayContaining(["kms:Decrypt"]),
        Resource: ref(secretsKey.key, "arn"),
      }),
    ]);
    expect(named("read-database-credentials")).toEqual([
      {
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: `\${aws_db_instance.${ref(protectedDb.instance, "id").split(".")[1]}.master_user_secret[0].secret_arn}`,
      },
    ]);
  });

  it("keeps automated backups for at least 7 days", () => {
    expect(instance.backup_retention_period).toBe(14);
    expect(synth.of(disposableDb.instance).backup_retention_period).toBe(7);
  });

  it("with deletionProtection: refuses deletion and takes a final snapshot", () => {
    expect(instance).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "myamazingapp-test-db-final",
    });
  });

  it("without deletionProtection: can be deleted and skips the final snapshot", () => {
    const db = synth.of(disposableDb.instance);
    expect(db).toMatchObject({ deletion_protection: false, skip_final_snapshot: true });
    expect(db.final_snapshot_identifier).toBeUndefined();
  });

  it("enables Performance Insights as asked", () => {
    expect(instance).toMatchObject({
      performance_insights_enabled: true,
      performance_insights_retention_period: 7,
      performance_insights_kms_key_id: "arn:aws:kms:us-west-2:111111111111:key/data",
    });
    expect(synth.of(disposableDb.instance).performance_insights_enabled).toBe(false);
    expect(synth.of(disposableDb.instance).performance_insights_retention_period).toBeUndefined();
  });

  it("places the instance in a subnet group of exactly the given (isolated) subnets", () => {
    expect(synth.json).toHaveResourceWithProperties(DbSubnetGroup, {
      name: "myamazingapp-test-db",
      subnet_ids: ["subnet-iso-a", "subnet-iso-b"],
    });
    expect(instance.db_subnet_group_name).toMatch(/^\$\{aws_db_subnet_group\.db_subnets_[^.]+\.name\}$/);
  });

  it("uses a parameter group of the engine's family that forces SSL", () => {
    expect(synth.json).toHaveResourceWithProperties(DbParameterGroup, {
      family: "postgres16",
      parameter: expect.arrayContaining([{ name: "rds.force_ssl", value: "1" }]),
    });
    expect(instance.parameter_group_name).toMatch(
      /^\$\{aws_db_parameter_group\.db_parameters_[^.]+\.name\}$/,
    );
  });

  it("without parameterGroup: uses the engine's default parameter group", () => {
    expect(synth.of(disposableDb.instance).parameter_group_name).toBeUndefined();
    expect(synth.resources("aws_db_parameter_group")).toHaveLength(1);
  });

  it("uses only its own security group", () => {
    expect(instance.vpc_security_group_ids).toEqual([ref(protectedDb.securityGroup, "id")]);
    expect(synth.of(protectedDb.securityGroup).ingress).toBeUndefined();
  });

  it("allowFrom opens 5432 to the given security group only, never to a CIDR", () => {
    const ingress = synth.resources("aws_vpc_security_group_ingress_rule");
    expect(ingress).toEqual([
      {
        security_group_id: ref(protectedDb.securityGroup, "id"),
        referenced_security_group_id: "sg-app",
        ip_protocol: "tcp",
        from_port: 5432,
        to_port: 5432,
        description: "From the app tasks",
      },
    ]);
  });

  it("opens no port until allowFrom is called", () => {
    const scratchSg = ref(disposableDb.securityGroup, "id");
    expect(
      synth.resources("aws_vpc_security_group_ingress_rule").filter((r) => r.security_group_id === scratchSg),
    ).toEqual([]);
  });

  it.each([[[]], [["subnet-iso-a"]]])("refuses subnets %j (Multi-AZ needs two AZs)", (subnetIds) => {
    expect(() => database(newStack(), "db", { subnetIds })).toThrow(
      /Database: subnetIds: needs subnets in at least two AZs/,
    );
  });

  it.each([3, 6, 36])("refuses backupRetentionDays %p (7 to 35)", (backupRetentionDays) => {
    expect(() => database(newStack(), "db", { backupRetentionDays })).toThrow(
      /Database: backupRetentionDays: \d+ is out of range; allowed: 7 to 35/,
    );
  });

  it("refuses an engine version that is not a PostgreSQL version", () => {
    expect(() => database(newStack(), "db", { engineVersion: "latest" })).toThrow(
      /Database: engineVersion: "latest" is malformed; expected PostgreSQL 14 to 17/,
    );
  });

  it("refuses a storage ceiling below the initial storage", () => {
    expect(() =>
      database(newStack(), "db", { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 }),
    ).toThrow(/Database: maxAllocatedStorageGiB: 50 GiB is below the initial storage of 100 GiB/);
  });
});

describe("Database restored from a snapshot (moving the app)", () => {
  const SNAPSHOT = "arn:aws:rds:us-west-2:111111111111:snapshot:myamazingapp-production-db-from-staging-1";

  it("creates the instance from the snapshot, with the snapshot's database and user, and reads it only once", () => {
    let db!: Database;
    const synth = synthConstruct((scope) => {
      db = database(scope, "db", { restoreFromSnapshot: SNAPSHOT });
    });
    const instance = synth.of(db.instance);
    expect(instance.snapshot_identifier).toBe(SNAPSHOT);
    expect(instance).not.toHaveProperty("db_name");
    expect(instance).not.toHaveProperty("username");
    expect(instance.manage_master_user_password).toBe(true);
    expect(instance.lifecycle.ignore_changes).toContain("snapshot_identifier");
  });

  it("creates a new, empty database without one", () => {
    let db!: Database;
    const synth = synthConstruct((scope) => {
      db = database(scope, "db");
    });
    expect(synth.of(db.instance)).not.toHaveProperty("snapshot_identifier");
    expect(synth.of(db.instance).db_name).toBe(props.databaseName);
  });

  it("refuses something that is not a snapshot", () => {
    expect(() => database(newStack(), "db", { restoreFromSnapshot: "s3://backups/db.dump" })).toThrow(
      'Database: restoreFromSnapshot: "s3://backups/db.dump" is malformed; expected a DB snapshot ARN',
    );
  });
});
