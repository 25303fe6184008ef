import { Construct } from "constructs";
import { Lazy, Token } from "cdktf";
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

/**
 * A role's ARN as IAM compares it (`arn:aws:iam::<account>:role<path><name>`), from its name and path as written,
 * which the permissions boundary's aspect has set by the time the policy is written.
 */
function roleArnOf(role: IamRole, account: string): string {
  const name = role.nameInput;
  const path = role.pathInput ?? "/";
  if (name === undefined || Token.isUnresolved(name) || Token.isUnresolved(path)) {
    throw new Error(
      `EncryptionKey.allowRole: role ${role.node.path} needs a literal name and path, so that the key policy can ` +
        "name its ARN without waiting for the role",
    );
  }
  return `arn:aws:iam::${account}:role${path}${name}`;
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
  /** `alias/<prefix>-<purpose>`. */
  public readonly alias: KmsAlias;
  /** The policy's statements; a function is one made when the policy is written (after the aspects ran). */
  private readonly statements: Array<PolicyStatement | (() => PolicyStatement)> = [];
  private readonly account: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const { naming, account, region } = props;
    this.account = account;
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
      policy: Lazy.stringValue({
        produce: () => policyDocument(...this.statements.map((s) => (typeof s === "function" ? s() : s))),
      }),
    });
    this.alias = new KmsAlias(this, "alias", {
      name: `alias/${naming.name(props.purpose)}`,
      targetKeyId: this.key.keyId,
    });
  }

  /** Lets AWS service principals use the key directly, under the given conditions (none: any use). */
  public allowService(
    sid: string,
    service: string | readonly string[],
    actions: string[],
    condition?: PolicyStatement["Condition"],
  ): void {
    this.statements.push({
      Sid: sid,
      Effect: "Allow",
      Principal: { Service: typeof service === "string" ? service : [...service] },
      Action: actions,
      Resource: "*",
      ...(condition ? { Condition: condition } : {}),
    });
  }

  /**
   * Lets one role use the key directly, without a service in between (e.g. the ECS Exec agent's decrypt). The
   * statement names the account, narrowed to the role's ARN by `aws:PrincipalArn`, rather than the role itself:
   * the ARN is built from the role's name and path, so the key does not wait for the role to exist (and the log
   * groups and the database that use the key do not wait either), and a role made again under the same name
   * keeps the grant. As with every grant to the account, the role needs its IAM grant as well.
   */
  public allowRole(sid: string, role: IamRole, actions: string[]): void {
    const account = this.account;
    roleArnOf(role, account); // refuses a role without a literal name now; its path is read again when written
    this.statements.push(() => ({
      Sid: sid,
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: actions,
      Resource: "*",
      Condition: { ArnEquals: { "aws:PrincipalArn": roleArnOf(role, account) } },
    }));
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
