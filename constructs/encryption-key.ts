import { Construct } from "constructs";
import { Lazy } from "cdktf";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { policyDocument, type PolicyStatement } from "./iam";
import type { Naming } from "./naming";

export interface EncryptionKeyProps {
  /** Resource names. */
  readonly naming: Naming;
  /** What the key protects, in names (`alias/<prefix>-<purpose>`), e.g. `logs`. */
  readonly purpose: string;
  /** AWS account id: the key's administrator, and the only account whose principals may use it. */
  readonly account: string;
  /** AWS region (the services' regional endpoints). */
  readonly region: string;
  /** Services through which principals of the account may use the key, e.g. `s3`, `ecr` (kms:ViaService). */
  readonly viaServices: string[];
  /** Days before a key scheduled for deletion is gone (7 to 30). @default 30 */
  readonly deletionWindowInDays?: number;
}

/** What a role may do with a key it is granted, through the services the key allows. */
const USE = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"];

/** What the account's administrators may do with a key: manage it, never use it to read data. */
const ADMINISTER = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
];

/**
 * A customer-managed KMS key for one purpose, rotated yearly. Its policy lets the account administer it, lets
 * principals of the account use it only through the services named (kms:ViaService), and lets a service
 * principal use it directly where one is added (`allowService`, e.g. CloudWatch Logs for its log groups). Roles
 * still need an IAM grant: `grantUse(role)`.
 */
export class EncryptionKey extends Construct {
  public readonly key: KmsKey;
  private readonly statements: PolicyStatement[] = [];

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const { naming, account, region } = props;
    if (props.viaServices.length === 0)
      throw new Error("EncryptionKey: viaServices must name the services that use it");
    const root = { AWS: `arn:aws:iam::${account}:root` };
    this.statements.push(
      { Sid: "AccountAdministers", Effect: "Allow", Principal: root, Action: ADMINISTER, Resource: "*" },
      {
        Sid: "AccountUsesThroughItsServices",
        Effect: "Allow",
        Principal: root,
        Action: [...USE, "kms:CreateGrant"],
        Resource: "*",
        Condition: {
          StringEquals: {
            "kms:CallerAccount": account,
            "kms:ViaService": props.viaServices.map((s) => `${s}.${region}.amazonaws.com`),
          },
        },
      },
    );
    this.key = new KmsKey(this, "key", {
      description: `${naming.prefix} ${props.purpose}`,
      enableKeyRotation: true,
      deletionWindowInDays: props.deletionWindowInDays ?? 30,
      policy: Lazy.stringValue({ produce: () => policyDocument(...this.statements) }),
    });
    new KmsAlias(this, "alias", { name: `alias/${naming.name(props.purpose)}`, targetKeyId: this.key.keyId });
  }

  /** Lets an AWS service principal use the key directly, under the given conditions. */
  public allowService(
    sid: string,
    service: string,
    actions: string[],
    condition: PolicyStatement["Condition"],
  ): void {
    this.statements.push({
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: service },
      Action: actions,
      Resource: "*",
      Condition: condition,
    });
  }

  /** Lets one role use the key directly, without a service in between (e.g. the ECS Exec agent's decrypt). */
  public allowRole(sid: string, role: IamRole, actions: string[]): void {
    this.statements.push({
      Sid: sid,
      Effect: "Allow",
      Principal: { AWS: role.arn },
      Action: actions,
      Resource: "*",
    });
  }

  /** Lets a role encrypt and decrypt with the key (through the services the key allows). */
  public grantUse(role: IamRole): IamRolePolicy {
    const id = `use-${role.friendlyUniqueId}`;
    const existing = this.node.tryFindChild(id);
    if (existing) return existing as IamRolePolicy;
    return new IamRolePolicy(this, id, {
      role: role.id,
      name: `use-${this.node.id}`,
      policy: policyDocument({ Effect: "Allow", Action: USE, Resource: this.key.arn }),
    });
  }
}
