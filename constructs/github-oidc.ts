import { Construct } from "constructs";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { deployStatements } from "./deploy-permissions";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { MANAGED_POLICY_MAX_CHARS, packStatements, policyDocument, type PolicyStatement } from "./iam";
import { ACCOUNT_ID, BUCKET_NAME, checkPattern, GITHUB_REPOSITORY, refuse, STATE_KEY } from "./limits";
import type { Naming } from "./naming";

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
  /** AWS region (the ARNs the deploy role is scoped to). */
  readonly region: string;
  /** The environment's permissions boundary: the deploy role creates and changes roles only with it. */
  readonly boundaryArn: string;
  /** Services the deploy role may pass the environment's roles to, e.g. `ecs-tasks.amazonaws.com`. */
  readonly passedToServices: readonly string[];
  /** The domain the environment sends mail from (its SES identity); absent: no mail. @default none */
  readonly mailDomain?: string;
  /** Create the account's GitHub OIDC provider; false where another stack in the account owns it. @default true */
  readonly createProvider?: boolean;
}

/** GitHub Actions' OIDC issuer (host, as IAM condition keys name it). */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

/** The two roles each environment gives GitHub Actions. */
export type GithubRoleKind = "plan" | "deploy";

/** Name of an environment's GitHub role, e.g. `myamazingapp-staging-github-deploy`. */
export function githubRoleName(naming: Naming, kind: GithubRoleKind): string {
  return naming.name(`github-${kind}`, 64);
}

/** ARN of an environment's GitHub role, built without a reference to the AWS stack. */
export function githubRoleArn(naming: Naming, account: string, kind: GithubRoleKind): string {
  return `arn:aws:iam::${account}:role/${githubRoleName(naming, kind)}`;
}

/**
 * Lets GitHub Actions in the infrastructure repository reach this environment without stored keys: the
 * account's OIDC provider for GitHub, a read-only PLAN role that only pull-request workflows can assume, and
 * a DEPLOY role that only a job in this environment's GitHub environment can assume, scoped to this
 * environment's resources and bound by its permissions boundary (constructs/deploy-permissions.ts). The GitHub stack gives
 * that environment a deployment branch policy (protected branches only) and, for production, reviewers:
 * those, not this trust policy, are what hold deploys to main.
 */
export class GithubOidc extends Construct {
  public readonly providerArn: string;
  public readonly planRole: IamRole;
  public readonly deployRole: IamRole;
  /** The managed policies that hold the deploy role's permissions (constructs/deploy-permissions.ts). */
  public readonly deployPolicies: IamPolicy[];

  constructor(scope: Construct, id: string, props: GithubOidcProps) {
    super(scope, id);
    const { naming, account } = props;
    refuse("GithubOidc", {
      account: checkPattern(ACCOUNT_ID, account),
      repository: checkPattern(GITHUB_REPOSITORY, props.repository),
      stateBucket: checkPattern(BUCKET_NAME, props.stateBucket),
      stateKey: checkPattern(STATE_KEY, props.stateKey),
    });

    if (props.createProvider ?? true) {
      // No thumbprint_list: since provider 5.x it is optional, and AWS trusts GitHub's issuer by its CA.
      this.providerArn = new IamOpenidConnectProvider(this, "provider", {
        url: `https://${GITHUB_OIDC_HOST}`,
        clientIdList: ["sts.amazonaws.com"],
      }).arn;
    } else {
      this.providerArn = `arn:aws:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}`;
    }

    const stateObject = `arn:aws:s3:::${props.stateBucket}/${props.stateKey}`;
    const listState: PolicyStatement = {
      Sid: "ListStateBucket",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: `arn:aws:s3:::${props.stateBucket}`,
    };

    // Pull-request code runs with the plan role, and a plan reads configuration, never data: no object but
    // the state, no log events (which may hold personal data).
    const noDataReads: PolicyStatement = {
      Sid: "NoDataReads",
      Effect: "Deny",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      NotResource: stateObject,
    };
    this.planRole = this.role("plan", `repo:${props.repository}:pull_request`, props);
    new IamRolePolicyAttachment(this, "plan-read-only", {
      role: this.planRole.name,
      policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
    });
    new IamRolePolicy(this, "plan-policy", {
      role: this.planRole.id,
      name: "plan",
      policy: policyDocument(
        listState,
        { Sid: "ReadState", Effect: "Allow", Action: "s3:GetObject", Resource: stateObject },
        noDataReads,
        {
          Sid: "NoLogReads",
          Effect: "Deny",
          Action: ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:StartLiveTail"],
          Resource: "*",
        },
      ),
    });

    this.deployRole = this.role(
      "deploy",
      `repo:${props.repository}:environment:${naming.environment}`,
      props,
    );
    // The deploy statements are longer than IAM allows a role's inline policies together (10240 characters):
    // they go into managed policies, each under IAM's 6144, attached to the role.
    this.deployPolicies = packStatements(
      deployStatements({
        naming,
        account,
        region: props.region,
        boundaryArn: props.boundaryArn,
        passedToServices: props.passedToServices,
        mailDomain: props.mailDomain,
      }),
      MANAGED_POLICY_MAX_CHARS - 500,
    ).map((policy, i) => {
      const managed = new IamPolicy(this, `deploy-permissions-${i + 1}`, {
        name: naming.name(`github-deploy-${i + 1}`, 128),
        description: `GitHub Actions: deploy ${naming.environment} (part ${i + 1})`,
        policy,
      });
      new IamRolePolicyAttachment(this, `deploy-permissions-${i + 1}-attachment`, {
        role: this.deployRole.name,
        policyArn: managed.arn,
      });
      return managed;
    });
    new IamRolePolicy(this, "deploy-policy", {
      role: this.deployRole.id,
      name: "deploy-state",
      policy: policyDocument(
        listState,
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
      ),
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

  /** A role that GitHub's OIDC tokens for exactly one `sub` (and the STS audience) can assume. */
  private role(kind: GithubRoleKind, subject: string, props: GithubOidcProps): IamRole {
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
            [`${GITHUB_OIDC_HOST}:sub`]: subject,
          },
        },
      }),
    });
  }
}
