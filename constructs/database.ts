import { Construct } from "constructs";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { Naming } from "./naming";

export interface DatabaseProps {
  /** Resource names. */
  readonly naming: Naming;
  /** VPC the database lives in. */
  readonly vpcId: string;
  /** Isolated subnets (no route out), one per AZ, at least two for Multi-AZ. */
  readonly subnetIds: string[];
  /** PostgreSQL version, e.g. `16.4`. @default "16.4" */
  readonly engineVersion?: string;
  /** Instance class. @default "db.t4g.medium" */
  readonly instanceClass?: string;
  /** Initial storage, GiB. @default 20 */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling, GiB. @default 100 */
  readonly maxAllocatedStorageGiB?: number;
  /** Automated backups kept, days (at least 7). @default 7 */
  readonly backupRetentionDays?: number;
  /** Deletion protection plus a final snapshot on delete. @default true */
  readonly deletionProtection?: boolean;
  /** Performance Insights. @default true */
  readonly performanceInsights?: boolean;
  /** Own parameter group forcing TLS and logging slow queries (else the engine default). @default true */
  readonly parameterGroup?: boolean;
  /** Database and user name the app uses. @default "myamazingapp" */
  readonly databaseName?: string;
}

/**
 * RDS PostgreSQL, Multi-AZ, encrypted, private, in isolated subnets. RDS generates the master password
 * and keeps it in Secrets Manager, so it never appears in code or Terraform state; `allowFrom` opens
 * PostgreSQL to one security group.
 */
export class Database extends Construct {
  public readonly instance: DbInstance;
  public readonly securityGroup: SecurityGroup;
  /** Secrets Manager secret (JSON with `username` and `password`) that RDS manages. */
  public readonly masterUserSecretArn: string;
  public readonly databaseName: string;
  public readonly port = 5432;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { naming } = props;
    if (props.subnetIds.length < 2) {
      throw new Error(`Database: Multi-AZ needs subnets in at least two AZs, got ${props.subnetIds.length}`);
    }
    const backupRetentionDays = props.backupRetentionDays ?? 7;
    if (backupRetentionDays < 7 || backupRetentionDays > 35) {
      throw new Error(`Database: backupRetentionDays must be 7 to 35, got ${backupRetentionDays}`);
    }
    const engineVersion = props.engineVersion ?? "16.4";
    const major = /^(\d+)/.exec(engineVersion)?.[1];
    if (!major) throw new Error(`Database: engineVersion "${engineVersion}" is not a PostgreSQL version`);
    const deletionProtection = props.deletionProtection ?? true;
    this.databaseName = props.databaseName ?? "myamazingapp";

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
    const parameters =
      (props.parameterGroup ?? true)
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

    this.instance = new DbInstance(this, "postgres", {
      identifier: naming.name("db"),
      engine: "postgres",
      engineVersion,
      instanceClass: props.instanceClass ?? "db.t4g.medium",
      dbName: this.databaseName,
      username: this.databaseName,
      // RDS creates and rotates the password in Secrets Manager; Terraform never sees it.
      manageMasterUserPassword: true,
      port: this.port,
      multiAz: true,
      storageType: "gp3",
      allocatedStorage: props.allocatedStorageGiB ?? 20,
      maxAllocatedStorage: props.maxAllocatedStorageGiB ?? 100,
      storageEncrypted: true,
      publiclyAccessible: false,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: parameters?.name,
      backupRetentionPeriod: backupRetentionDays,
      backupWindow: "09:00-10:00",
      maintenanceWindow: "sun:10:30-sun:11:30",
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      performanceInsightsEnabled: props.performanceInsights ?? true,
      performanceInsightsRetentionPeriod: props.performanceInsights === false ? undefined : 7,
      deletionProtection,
      skipFinalSnapshot: !deletionProtection,
      finalSnapshotIdentifier: deletionProtection ? naming.name("db-final") : undefined,
    });
    this.masterUserSecretArn = this.instance.masterUserSecret.get(0).secretArn;
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
