import { Construct } from "constructs";
import { Lazy } from "cdktf";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import type { EncryptionKey } from "./encryption-key";
import { policyDocument } from "./iam";
import { checkOneOf, checkPattern, refuse, SECRET_RECOVERY_DAYS, VARIABLE_NAME } from "./limits";
import type { Naming } from "./naming";

export interface AppSecretsProps {
  /** Resource names. */
  readonly naming: Naming;
  /** Secret names, which are also the container variable names, e.g. `ORCID_CLIENT_SECRET`. */
  readonly names: string[];
  /** Days a deleted secret can be restored: 7 to 30, or 0 to delete at once (throw-away environments). */
  readonly recoveryWindowInDays: number;
  /** The customer-managed key that encrypts the values. */
  readonly encryptionKey: EncryptionKey;
}

/** One entry of a container definition's `secrets`. */
export interface ContainerSecret {
  readonly name: string;
  readonly valueFrom: string;
}

/**
 * Secrets Manager secrets for external-service passwords, created WITHOUT a value: an operator sets each
 * one (`aws secretsmanager put-secret-value`), so no password is ever in code, config or Terraform state.
 * Only the roles granted with `grantRead` may read the values: each secret's resource policy denies every
 * other principal, so a broad IAM policy elsewhere in the account cannot reach them either.
 */
export class AppSecrets extends Construct {
  public readonly secrets: Record<string, SecretsmanagerSecret> = {};
  private readonly readers: IamRole[] = [];
  private readonly encryptionKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: AppSecretsProps) {
    super(scope, id);
    AppSecrets.validate(props);
    this.encryptionKey = props.encryptionKey;
    for (const name of props.names) {
      const secret = new SecretsmanagerSecret(this, name, {
        name: `${props.naming.application}/${props.naming.environment}/${name}`,
        description: `${name} for MyAmazingApp (${props.naming.environment}); value set by an operator`,
        recoveryWindowInDays: props.recoveryWindowInDays,
        kmsKeyId: props.encryptionKey.key.arn,
      });
      this.secrets[name] = secret;
      new SecretsmanagerSecretPolicy(this, `${name}-policy`, {
        secretArn: secret.arn,
        policy: Lazy.stringValue({ produce: () => this.onlyReadersPolicy() }),
      });
    }
  }

  /** Refuses names that cannot be container variables, duplicates, and recovery windows AWS refuses. */
  public static validate(props: AppSecretsProps): void {
    const bad = props.names.map((n) => checkPattern(VARIABLE_NAME, n)).find((p) => p !== undefined);
    refuse("AppSecrets", {
      names:
        bad ??
        (new Set(props.names).size !== props.names.length
          ? `must be unique, got ${props.names.join(", ")}`
          : undefined),
      recoveryWindowInDays: checkOneOf(
        SECRET_RECOVERY_DAYS.allowed,
        props.recoveryWindowInDays,
        SECRET_RECOVERY_DAYS.unit,
      ),
    });
  }

  /** The container `secrets` entries: each variable read from its secret at task start. */
  public containerSecrets(): ContainerSecret[] {
    return Object.entries(this.secrets).map(([name, secret]) => ({ name, valueFrom: secret.arn }));
  }

  /**
   * Lets `role` (the task execution role) read the values: an IAM grant for it, and its place among the
   * only principals each secret's resource policy lets read. Returns the grant (none without secrets).
   */
  public grantRead(role: IamRole): IamRolePolicy | undefined {
    const arns = Object.values(this.secrets).map((s) => s.arn);
    if (arns.length === 0) return undefined;
    this.readers.push(role);
    this.encryptionKey.grantUse(role);
    return new IamRolePolicy(this, `read-${role.node.id}`, {
      role: role.id,
      name: "read-app-secrets",
      policy: policyDocument({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns }),
    });
  }

  /** Denies GetSecretValue to every principal but the granted readers (to all, before any grant). */
  private onlyReadersPolicy(): string {
    const readers = this.readers.map((r) => r.arn);
    return policyDocument({
      Sid: "OnlyTheTaskExecutionRoleReads",
      Effect: "Deny",
      Principal: "*",
      Action: "secretsmanager:GetSecretValue",
      Resource: "*",
      ...(readers.length > 0
        ? { Condition: { ArnNotEquals: { "aws:PrincipalArn": readers.length === 1 ? readers[0] : readers } } }
        : {}),
    });
  }
}
