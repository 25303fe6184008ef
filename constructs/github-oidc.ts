import { Construct } from "constructs";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { deployStatements, planStatements } from "./access/derive";
import { GITHUB_OIDC_HOST, githubProvider } from "./access/identity";
import type { AccessScope } from "./access/types";
import { MANAGED_POLICY_MAX_CHARS, packStatements, policyDocument, type PolicyStatement } from "./iam";
import {
  ACCOUNT_ID,
  BUCKET_NAME,
  checkOneOf,
  checkPattern,
  GITHUB_REPOSITORY,
  refuse,
  STATE_KEY,
} from "./limits";
import type { Naming } from "./naming";

/** Where the account's GitHub OIDC provider comes from: this environment creates it, or another one did. */
export const OIDC_PROVIDER_SOURCES = ["create", "existing"] as const;
export type OidcProviderSource = (typeof OIDC_PROVIDER_SOURCES)[number];

export interface GithubOidcProps {
  /** Resource names; the role names derive from it, so the GitHub stack can build their ARNs. */
  readonly naming: Naming;
  /** AWS account id. */
  readonly account: string;
  /** The infrastructure repository, `owner/name`: the only one whose workflows may assume the roles. */
  readonly repository: string;
  /** Terraform state bucket (backend.tf.json). */
  readonly stateBucket: string;
  /** State object key of this environment's stack; its lock file is `<key>.tflock`. */
  readonly stateKey: string;
  /** The environment's resources as the access data scopes them (constructs/access/): what the roles may do. */
  readonly access: AccessScope;
  /**
   * `create`: this environment's stack creates the account's GitHub OIDC provider (one per account); `existing`:
   * it uses the one the account has (created by another stack or by hand). Either way the roles only read it.
   */
  readonly oidcProvider: OidcProviderSource;
}

export { GITHUB_OIDC_HOST };

/** The two roles each environment gives GitHub Actions. */
export type GithubRoleKind = "plan" | "deploy";

/** Name of an environment's GitHub role, e.g. `myamazingapp-staging-github-deploy`. */
export function githubRoleName(naming: Naming, kind: GithubRoleKind): string {
  return naming.name(`github-${kind}`, 64);
}

/** ARN of an environment's GitHub role (in the access layer's IAM path), built without a reference to the stack. */
export function githubRoleArn(naming: Naming, account: string, kind: GithubRoleKind): string {
  return naming.roleArn(account, githubRoleName(naming, kind), true);
}

/**
 * Lets GitHub Actions in the infrastructure repository reach this environment without stored keys: the
 * account's OIDC provider for GitHub (created here or looked up), a PLAN role that only pull-request workflows and
 * main's workflows can assume, and a DEPLOY role that only a job in this environment's GitHub environment can assume. What each may do
 * is made from the access data (constructs/access/): the deploy role manages the environment's resources, the
 * plan role reads the configuration `terraform plan` refreshes and no data. Both are bound by the environment's
 * permissions boundary, and belong to its access layer (no role of the environment may change them). The GitHub
 * stack gives the GitHub environment a deployment branch policy (protected branches only) and, for production,
 * reviewers: those, not this trust policy, are what hold deploys to main.
 */
export class GithubOidc extends Construct {
  public readonly providerArn: string;
  public readonly planRole: IamRole;
  public readonly deployRole: IamRole;
  /** The managed policies that hold the deploy role's permissions. */
  public readonly deployPolicies: IamPolicy[];
  /** The managed policies that hold the plan role's permissions. */
  public readonly planPolicies: IamPolicy[];
  private readonly naming: Naming;

  constructor(scope: Construct, id: string, props: GithubOidcProps) {
    super(scope, id);
    const { naming, account, access } = props;
    this.naming = naming;
    const stateObject = `arn:aws:s3:::${props.stateBucket}/${props.stateKey}`;
    refuse("GithubOidc", {
      account: checkPattern(ACCOUNT_ID, account),
      repository: checkPattern(GITHUB_REPOSITORY, props.repository),
      stateBucket: checkPattern(BUCKET_NAME, props.stateBucket),
      stateKey: checkPattern(STATE_KEY, props.stateKey),
      oidcProvider: checkOneOf(OIDC_PROVIDER_SOURCES, props.oidcProvider, "the GitHub OIDC provider"),
    });
    refuse("GithubOidc", {
      access:
        access.stateObjectArn === stateObject && access.account === account
          ? undefined
          : `must scope the same account and state (${account}, ${stateObject})`,
    });

    if (props.oidcProvider === "create") {
      // No thumbprint_list: since provider 5.x it is optional, and AWS trusts GitHub's issuer by its CA.
      this.providerArn = new IamOpenidConnectProvider(this, "provider", {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ["sts.amazonaws.com"],
      }).arn;
    } else {
      // Looked up by its ARN, so a plan in an account without one fails there, naming it.
      this.providerArn = new DataAwsIamOpenidConnectProvider(this, "provider", {
        arn: githubProvider(access),
      }).arn;
    }

    // Pull requests plan; so do main's scheduled drift check and a maintainer's plan of a fork's pull request
    // (.github/workflows/drift.yml, plan-fork.yml), which run as main: main is protected, so its workflows are
    // reviewed code.
    this.planRole = this.role(
      "plan",
      [`repo:${props.repository}:pull_request`, `repo:${props.repository}:ref:refs/heads/main`],
      props,
    );
    this.planPolicies = this.attach(this.planRole, "plan", planStatements(access));

    this.deployRole = this.role(
      "deploy",
      [`repo:${props.repository}:environment:${naming.environment}`],
      props,
    );
    this.deployPolicies = this.attach(this.deployRole, "deploy", deployStatements(access));
    // The state: read and written by the deploy role only (the plan role reads it through its policies).
    const stateStatements: PolicyStatement[] = [
      {
        Sid: "ListStateBucket",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: `arn:aws:s3:::${props.stateBucket}`,
      },
      {
        Sid: "ReadWriteState",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: stateObject,
      },
      {
        Sid: "HoldTheStateLock",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: `${stateObject}.tflock`,
      },
    ];
    new IamRolePolicy(this, "deploy-policy", {
      role: this.deployRole.id,
      name: "deploy-state",
      policy: policyDocument(...stateStatements),
    });
  }

  /**
   * A role's statements in managed policies, each under IAM's 6144 characters (they exceed what IAM allows a
   * role's inline policies together, 10240), attached to it.
   */
  private attach(role: IamRole, kind: GithubRoleKind, statements: PolicyStatement[]): IamPolicy[] {
    const { naming } = this;
    return packStatements(statements, MANAGED_POLICY_MAX_CHARS - 500).map((policy, i) => {
      const managed = new IamPolicy(this, `${kind}-permissions-${i + 1}`, {
        name: naming.name(`github-${kind}-${i + 1}`, 128),
        description: `GitHub Actions: ${kind} ${naming.environment} (part ${i + 1})`,
        policy,
      });
      new IamRolePolicyAttachment(this, `${kind}-permissions-${i + 1}-attachment`, {
        role: role.name,
        policyArn: managed.arn,
      });
      return managed;
    });
  }

  /** ARN of the plan role. */
  public get planRoleArn(): string {
    return this.planRole.arn;
  }

  /** ARN of the deploy role. */
  public get deployRoleArn(): string {
    return this.deployRole.arn;
  }

  /** A role that GitHub's OIDC tokens for exactly these `sub`s (and the STS audience) can assume. */
  private role(kind: GithubRoleKind, subjects: string[], props: GithubOidcProps): IamRole {
    return new IamRole(this, `${kind}-role`, {
      name: githubRoleName(props.naming, kind),
      description: `GitHub Actions (${props.repository}): ${kind} ${props.naming.environment}`,
      assumeRolePolicy: policyDocument({
        Sid: "GithubActions",
        Effect: "Allow",
        Principal: { Federated: this.providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        // StringEquals, never StringLike: a wildcard in `sub` would admit other branches, events or repositories.
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
            [`${GITHUB_OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
          },
        },
      }),
    });
  }
}
