import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { assumedBy, policyDocument } from "./iam";
import {
  checkLogRetention,
  checkTwoAzs,
  BACKUP_RETENTION_DAYS,
  checkOptionalPattern,
  checkPattern,
  checkRange,
  DB_INSTANCE_CLASS,
  DB_SNAPSHOT,
  DB_STORAGE_GIB,
  POSTGRES_VERSION,
  refuse,
} from "./limits";
import type { EncryptionKey } from "./encryption-key";
import type { Naming } from "./naming";

export interface DatabaseProps {
  /** Resource names. */
  readonly naming: Naming;
  /** VPC the database lives in. */
  readonly vpcId: string;
  /** Isolated subnets (no route out), one per AZ, at least two for Multi-AZ. */
  readonly subnetIds: string[];
  /** PostgreSQL version, e.g. `16.4`. */
  readonly engineVersion: string;
  /** Instance class, e.g. `db.t4g.medium`. */
  readonly instanceClass: string;
  /** Initial storage, GiB. */
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling, GiB (at least `allocatedStorageGiB`). */
  readonly maxAllocatedStorageGiB: number;
  /** Automated backups kept, days (7 to 35). */
  readonly backupRetentionDays: number;
  /** Deletion protection plus a final snapshot on delete. */
  readonly deletionProtection: boolean;
  /** Performance Insights (7 days, the free tier). */
  readonly performanceInsights: boolean;
  /** Own parameter group forcing TLS and logging slow queries (else the engine default). */
  readonly parameterGroup: boolean;
  /** Database and master user name the app uses. */
  readonly databaseName: string;
  /** Enhanced Monitoring every 60 s (operating-system metrics; off only where the emulator lacks it). */
  readonly enhancedMonitoring: boolean;
  /** Customer-managed key of the Performance Insights data (which holds query text). */
  readonly encryptionKeyArn: string;
  /** Customer-managed key of the RDS-managed master password's secret; readers are granted its use too. */
  readonly secretEncryptionKey: EncryptionKey;
  /** Customer-managed key of the log groups RDS exports the PostgreSQL and upgrade logs to. */
  readonly logsKeyArn: string;
  /** Days CloudWatch Logs keeps those exported logs (a value CloudWatch Logs accepts). */
  readonly logRetentionDays: number;
  /**
   * Create the instance from this DB snapshot (moving the app: docs/moving.md); only the first deploy reads it.
   * @default a new, empty database
   */
  readonly restoreFromSnapshot?: string;
}

/** The logs RDS exports to CloudWatch Logs, each to the group `/aws/rds/instance/<identifier>/<log>`. */
export const EXPORTED_LOGS = ["postgresql", "upgrade"] as const;

/**
 * RDS PostgreSQL, Multi-AZ, encrypted, private, in isolated subnets. RDS generates the master password
 * and keeps it in Secrets Manager, so it never appears in code or Terraform state; `allowFrom` opens
 * PostgreSQL to one security group. The log groups RDS exports to are made here, before the instance, with
 * their retention and key: RDS would otherwise create them itself, kept forever and under no key of ours.
 */
export class Database extends Construct {
  public readonly instance: DbInstance;
  /** The log groups of the exported logs, by log (`postgresql`, `upgrade`). */
  public readonly logGroups: Record<(typeof EXPORTED_LOGS)[number], CloudwatchLogGroup>;
  public readonly securityGroup: SecurityGroup;
  /** Secrets Manager secret (JSON with `username` and `password`) that RDS manages. */
  public readonly masterUserSecretArn: string;
  public readonly databaseName: string;
  public readonly port = 5432;
  private readonly secretEncryptionKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { naming } = props;
    Database.validate(props);
    const { engineVersion, deletionProtection } = props;
    const major = engineVersion.split(".")[0];
    this.databaseName = props.databaseName;

    this.securityGroup = new SecurityGroup(this, "sg", {
      name: naming.name("db"),
      description: "PostgreSQL, reachable only from the app's tasks",
      vpcId: props.vpcId,
    });
    const subnetGroup = new DbSubnetGroup(this, "subnets", {
      name: naming.name("db"),
      subnetIds: props.subnetIds,
      description: "Isolated subnets for the database",
    });
    const parameters = props.parameterGroup
      ? new DbParameterGroup(this, "parameters", {
          name: naming.name(`postgres${major}`),
          family: `postgres${major}`,
          description: "TLS-only connections, slow query logging",
          parameter: [
            { name: "rds.force_ssl", value: "1" },
            { name: "log_min_duration_statement", value: "1000" },
          ],
        })
      : undefined;

    const identifier = naming.name("db");
    const logGroup = (log: (typeof EXPORTED_LOGS)[number]) =>
      new CloudwatchLogGroup(this, log, {
        name: `/aws/rds/instance/${identifier}/${log}`,
        retentionInDays: props.logRetentionDays,
        kmsKeyId: props.logsKeyArn,
      });
    this.logGroups = { postgresql: logGroup("postgresql"), upgrade: logGroup("upgrade") };

    this.instance = new DbInstance(this, "postgres", {
      identifier,
      engine: "postgres",
      engineVersion,
      instanceClass: props.instanceClass,
      // A restored instance keeps the snapshot's database and master user (every environment's are the same).
      ...(props.restoreFromSnapshot
        ? { snapshotIdentifier: props.restoreFromSnapshot }
        : { dbName: this.databaseName, username: this.databaseName }),
      // RDS creates and rotates the password in Secrets Manager; Terraform never sees it.
      manageMasterUserPassword: true,
      port: this.port,
      multiAz: true,
      storageType: "gp3",
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      // Storage stays on RDS's own key: changing an instance's storage key means replacing the instance.
      storageEncrypted: true,
      masterUserSecretKmsKeyId: props.secretEncryptionKey.key.arn,
      // Roles may connect with short-lived IAM tokens (rds-db:connect) as well as with the managed password.
      iamDatabaseAuthenticationEnabled: true,
      publiclyAccessible: false,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: parameters?.name,
      backupRetentionPeriod: props.backupRetentionDays,
      backupWindow: "09:00-10:00",
      maintenanceWindow: "sun:10:30-sun:11:30",
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      enabledCloudwatchLogsExports: [...EXPORTED_LOGS],
      performanceInsightsEnabled: props.performanceInsights,
      performanceInsightsRetentionPeriod: props.performanceInsights ? 7 : undefined,
      performanceInsightsKmsKeyId: props.performanceInsights ? props.encryptionKeyArn : undefined,
      monitoringInterval: props.enhancedMonitoring ? 60 : 0,
      monitoringRoleArn: props.enhancedMonitoring ? this.monitoringRole(naming).arn : undefined,
      deletionProtection,
      skipFinalSnapshot: !deletionProtection,
      finalSnapshotIdentifier: deletionProtection ? naming.name("db-final") : undefined,
      // Only creation reads the snapshot: the setting can go once restored, without replacing the database.
      lifecycle: { ignoreChanges: ["snapshot_identifier"] },
      // The groups first, or the first export creates them without retention or key.
      dependsOn: Object.values(this.logGroups),
    });
    this.masterUserSecretArn = this.instance.masterUserSecret.get(0).secretArn;
    this.secretEncryptionKey = props.secretEncryptionKey;
  }

  /** The role RDS Enhanced Monitoring publishes operating-system metrics with. */
  private monitoringRole(naming: Naming): IamRole {
    const role = new IamRole(this, "monitoring-role", {
      name: naming.name("db-monitoring", 64),
      description: "RDS Enhanced Monitoring: publish the database host's metrics to CloudWatch Logs",
      assumeRolePolicy: assumedBy("monitoring.rds.amazonaws.com"),
    });
    new IamRolePolicyAttachment(this, "monitoring-managed", {
      role: role.name,
      policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    });
    return role;
  }

  /** Refuses props that would leave the database single-homed, unrecoverable or unbuildable. */
  public static validate(props: DatabaseProps): void {
    refuse("Database", {
      subnetIds: checkTwoAzs(props.subnetIds),
      engineVersion: checkPattern(POSTGRES_VERSION, props.engineVersion),
      instanceClass: checkPattern(DB_INSTANCE_CLASS, props.instanceClass),
      allocatedStorageGiB: checkRange(DB_STORAGE_GIB, props.allocatedStorageGiB),
      maxAllocatedStorageGiB:
        checkRange(DB_STORAGE_GIB, props.maxAllocatedStorageGiB) ??
        Database.checkStorageCeiling(props.allocatedStorageGiB, props.maxAllocatedStorageGiB),
      backupRetentionDays: checkRange(BACKUP_RETENTION_DAYS, props.backupRetentionDays),
      restoreFromSnapshot: checkOptionalPattern(DB_SNAPSHOT, props.restoreFromSnapshot),
      logRetentionDays: checkLogRetention(props.logRetentionDays),
    });
  }

  /** Why a storage ceiling below the initial size is refused, or undefined when it is not below. */
  public static checkStorageCeiling(allocatedGiB: number, maxGiB: number): string | undefined {
    return maxGiB < allocatedGiB
      ? `${maxGiB} GiB is below the initial storage of ${allocatedGiB} GiB; allowed: ${allocatedGiB} or more`
      : undefined;
  }

  /** Lets a role (the task execution role) read the RDS-managed credentials, and no other secret, and decrypt them. */
  public grantReadCredentials(role: IamRole): IamRolePolicy {
    this.secretEncryptionKey.grantUse(role);
    return new IamRolePolicy(this, `read-credentials-${role.node.id}`, {
      role: role.id,
      name: "read-database-credentials",
      policy: policyDocument({
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: this.masterUserSecretArn,
      }),
    });
  }

  /** Opens PostgreSQL to one security group (the app's tasks), and to nothing else. */
  public allowFrom(sourceSecurityGroupId: string, description: string): void {
    new VpcSecurityGroupIngressRule(
      this,
      `ingress-${description.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`,
      {
        securityGroupId: this.securityGroup.id,
        referencedSecurityGroupId: sourceSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: this.port,
        toPort: this.port,
        description,
      },
    );
  }
}
