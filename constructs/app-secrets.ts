import { Construct } from "constructs";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { policyDocument } from "./iam";
import type { Naming } from "./naming";

export interface AppSecretsProps {
  /** Resource names. */
  readonly naming: Naming;
  /** Secret names, which are also the container variable names, e.g. `SMTP_PASSWORD`. */
  readonly names: string[];
  /** Days a deleted secret can be restored (0 deletes at once; only for throw-away environments). @default 30 */
  readonly recoveryWindowInDays?: number;
}

/** One entry of a container definition's `secrets`. */
export interface ContainerSecret {
  readonly name: string;
  readonly valueFrom: string;
}

/**
 * Secrets Manager secrets for external-service passwords, created WITHOUT a value: an operator sets each
 * one (`aws secretsmanager put-secret-value`), so no password is ever in code, config or Terraform state.
 */
export class AppSecrets extends Construct {
  public readonly secrets: Record<string, SecretsmanagerSecret> = {};

  constructor(scope: Construct, id: string, props: AppSecretsProps) {
    super(scope, id);
    const bad = props.names.find((n) => !/^[A-Z][A-Z0-9_]{1,63}$/.test(n));
    if (bad !== undefined) {
      throw new Error(`AppSecrets: "${bad}" is not an upper-case variable name (A-Z, 0-9, _)`);
    }
    if (new Set(props.names).size !== props.names.length) {
      throw new Error(`AppSecrets: names must be unique, got ${props.names.join(", ")}`);
    }
    for (const name of props.names) {
      this.secrets[name] = new SecretsmanagerSecret(this, name, {
        name: `${props.naming.application}/${props.naming.environment}/${name}`,
        description: `${name} for MyAmazingApp (${props.naming.environment}); value set by an operator`,
        recoveryWindowInDays: props.recoveryWindowInDays ?? 30,
      });
    }
  }

  /** The container `secrets` entries: each variable read from its secret at task start. */
  public containerSecrets(): ContainerSecret[] {
    return Object.entries(this.secrets).map(([name, secret]) => ({ name, valueFrom: secret.arn }));
  }

  /**
   * Makes `role` (the task execution role) the only principal that may read the values: an IAM grant
   * for it, and a resource policy on each secret that denies every other principal.
   */
  public restrictReadTo(role: IamRole): void {
    const arns = Object.values(this.secrets).map((s) => s.arn);
    if (arns.length === 0) return;
    new IamRolePolicy(this, "read", {
      role: role.id,
      name: "read-app-secrets",
      policy: policyDocument({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns }),
    });
    for (const [name, secret] of Object.entries(this.secrets)) {
      new SecretsmanagerSecretPolicy(this, `${name}-policy`, {
        secretArn: secret.arn,
        policy: policyDocument({
          Sid: "OnlyTheTaskExecutionRoleReads",
          Effect: "Deny",
          Principal: "*",
          Action: "secretsmanager:GetSecretValue",
          Resource: "*",
          Condition: { ArnNotEquals: { "aws:PrincipalArn": role.arn } },
        }),
      });
    }
  }
}
