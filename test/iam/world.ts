/**
 * The account the generated battery attacks from: one environment's synthesized stack (its roles and policies),
 * and around it what an account holds besides - another application, the same application's other environment,
 * an environment whose names start with this one's, and the account's own administrator roles, users, groups,
 * identity providers and settings. Resources of the others are built from iam-data's ARN templates with their
 * owners' names and tags; the environment's protected parts (deploy and plan roles, their policies, the boundary,
 * the task execution role, the secrets, their key) are read from the stack.
 */
import { type AccountPolicies, stackPolicies, type RolePolicies } from "../../rules/helpers/iam";
import type { Principal } from "../../rules/iam/authorize";
import { type Statement, statementsOf } from "../../rules/iam/policy";
import { synthesizedElements } from "../../rules/iam/terraform";
import type { StackView } from "../../rules/stack-view";
import type { ResourceTypeData } from "./iam-data";
import { targetsOf } from "./owners";

export type OwnerKey = "env" | "protected" | "other-app" | "other-env" | "extended-env" | "account";

export interface Owner {
  readonly key: OwnerKey;
  /** Who owns it, for test names and messages. */
  readonly label: string;
  /** Outside the environment: nothing there may be reached. */
  readonly outside: boolean;
  readonly application?: string;
  readonly environment?: string;
}

/** One resource a request may be on. */
export interface Target {
  readonly arn: string;
  readonly owner: Owner;
  /** What it is, for messages: `role OrganizationAccountAccessRole`. */
  readonly label: string;
  /** Its tags (application, environment); undefined for an untagged resource. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The permissions boundary an IAM role or user target has now (iam:PermissionsBoundary of most actions). */
  readonly boundaryArn?: string;
  /** Its own policy; undefined: what the stack holds for it, or none. */
  readonly policy?: Statement[];
  /** What `policy` is: a role's trust policy (sts:AssumeRole*), a key policy (kms:*), a resource policy. */
  readonly policyKind?: "trust" | "key" | "resource";
}

/** The principals the battery acts as, in the order World.actors() gives them. */
export const ACTOR_LABELS = [
  "the deploy role",
  "a role the deploy role creates (boundary, Allow * on *)",
  "the plan role",
] as const;

/** A principal the battery acts as. */
export interface Actor {
  readonly label: string;
  readonly principal: Principal;
}

/** The most common value of a list. */
function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

export class World {
  readonly account: string;
  readonly region: string;
  readonly prefix: string;
  readonly policies: AccountPolicies;
  /** The IAM path of the environment's roles (`/` when they have none). */
  readonly iamPath: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly deployRole: RolePolicies;
  readonly planRole: RolePolicies;
  readonly boundaryArn: string;
  readonly boundary: Statement[];
  readonly owners: Owner[];
  /** Services the stack's roles trust: the ones the environment may pass its roles to. */
  readonly trustedServices: string[];
  /** The AWS managed policies the stack attaches: the only policies outside the path a role may get. */
  readonly managedPolicies: string[];
  readonly protectedTargets: Target[];
  readonly accountTargets: Target[];
  /** The environment's domain (its certificate's), whose records it may change in the shared zone. */
  readonly domain?: string;
  /** The hosted zone the stack looks up (shared with the account's other applications). */
  readonly zoneName?: string;
  private readonly principals: Actor[];

  constructor(
    readonly stack: StackView,
    readonly application: string,
    readonly environment: string,
  ) {
    this.policies = stackPolicies(stack);
    ({ account: this.account, region: this.region } = this.policies.where);
    this.prefix = `${application}-${environment}`;
    const role = (kind: string) => {
      const found = this.policies.role(`${this.prefix}-github-${kind}`);
      if (!found) throw new Error(`the ${environment} stack has no role ${this.prefix}-github-${kind}`);
      return found;
    };
    this.deployRole = role("deploy");
    this.planRole = role("plan");
    if (!this.deployRole.boundaryArn || !this.deployRole.boundary) {
      throw new Error(`the deploy role of ${environment} has no permissions boundary the stack defines`);
    }
    this.boundaryArn = this.deployRole.boundaryArn;
    this.boundary = this.deployRole.boundary;
    // The path of the environment's ordinary roles (the GitHub roles may live apart, in the access layer's).
    const ordinary = this.policies.roles.filter((r) => r !== this.deployRole && r !== this.planRole);
    const paths = ordinary.map((r) => r.arn.replace(/^arn:aws:iam::\d+:role/, "").replace(/[^/]*$/, ""));
    this.iamPath = mostCommon(paths) ?? "/";
    const provider = stack.config.provider?.aws?.[0]?.default_tags?.[0]?.tags ?? {};
    this.tags = { application, environment, ...provider };
    const otherEnvironment = environment === "staging" ? "production" : "staging";
    // Environment names carry no dash (constructs/limits.ts), so the nearest name that starts with this one's is `<environment>2`.
    const extended = `${environment}2`.slice(0, 12);
    this.owners = [
      { key: "env", label: `this environment (${this.prefix})`, outside: false, application, environment },
      {
        key: "other-app",
        label: "another application (otherapp-production)",
        outside: true,
        application: "otherapp",
        environment: "production",
      },
      {
        key: "other-env",
        label: `this application's other environment (${application}-${otherEnvironment})`,
        outside: true,
        application,
        environment: otherEnvironment,
      },
      {
        key: "extended-env",
        label: `an environment whose names start with this one's (${application}-${extended})`,
        outside: true,
        application,
        environment: extended,
      },
    ];
    this.trustedServices = [
      ...new Set(this.policies.roles.flatMap((r) => r.trust.flatMap((s) => s.principals.Service ?? []))),
    ].sort();
    this.managedPolicies = [
      ...new Set(
        stack
          .resources("aws_iam_role_policy_attachment")
          .map((a) => String(a.block.policy_arn))
          .filter((arn) => arn.startsWith("arn:aws:iam::aws:policy/")),
      ),
    ].sort();
    this.protectedTargets = this.findProtected();
    const certificate = stack.resources("aws_acm_certificate")[0]?.block.domain_name;
    this.domain = typeof certificate === "string" ? certificate.toLowerCase() : undefined;
    const zone = stack.dataSources("aws_route53_zone")[0]?.block.name;
    this.zoneName = typeof zone === "string" ? zone.toLowerCase() : undefined;
    this.accountTargets = this.accountLevel();
    this.principals = this.makeActors();
  }

  /** The owner of a key, e.g. the `account` owner for account-level targets. */
  owner(key: OwnerKey): Owner {
    if (key === "protected")
      return { key, label: "this environment's protected access layer", outside: false };
    if (key === "account") return { key, label: "the account", outside: true };
    return this.owners.find((o) => o.key === key)!;
  }

  /** The principals: the deploy role, a role it could create with any policy, and the plan role. */
  actors(): Actor[] {
    return this.principals;
  }

  /** The plan role as the battery acts with it. */
  get planPrincipal(): Principal {
    return this.principals[2].principal;
  }

  private makeActors(): Actor[] {
    return [
      { label: ACTOR_LABELS[0], principal: this.principalOf(this.deployRole) },
      {
        label: ACTOR_LABELS[1],
        principal: {
          arn: `arn:aws:iam::${this.account}:role${this.iamPath}${this.prefix}-battery-created`,
          identity: statementsOf(
            { Statement: [{ Sid: "AnyPolicyItCouldWrite", Effect: "Allow", Action: "*", Resource: "*" }] },
            "created role's own policy",
          ),
          boundary: this.boundary,
        },
      },
      { label: ACTOR_LABELS[2], principal: this.principalOf(this.planRole) },
    ];
  }

  private principalOf(role: RolePolicies): Principal {
    return { arn: role.arn, identity: role.identity, boundary: role.boundary };
  }

  /** Roles that read the app's secrets: the task execution role (it passes them into the containers). */
  private secretReaders(): RolePolicies[] {
    const secrets = this.appSecrets();
    return this.policies.roles.filter((r) =>
      secrets.some(
        (arn) =>
          this.policies.authorize(r.arn, { action: "secretsmanager:GetSecretValue", resource: arn })
            .decision === "allowed",
      ),
    );
  }

  private appSecrets(): string[] {
    return this.policies.resourcePolicies.filter((p) => p.arn.includes(":secret:")).map((p) => p.arn);
  }

  private findProtected(): Target[] {
    const owner = this.owner("protected");
    const target = (arn: string, label: string): Target => ({
      arn,
      owner,
      label,
      tags: this.tags,
      boundaryArn: arn.includes(":role/") ? this.boundaryArn : undefined,
    });
    const elements = synthesizedElements(this.stack, this.policies.where);
    const values = (type: string) =>
      elements.filter((e) => e.mode === "managed" && e.type === type).map((e) => e.values);
    const roles = [this.deployRole, this.planRole, ...this.secretReaders()];
    const customer = (r: RolePolicies) =>
      [...this.policies.managed.keys()].filter((arn) =>
        r.identity.some((s) => this.policies.managed.get(arn)?.includes(s)),
      );
    const policies = [...new Set([...customer(this.deployRole), ...customer(this.planRole)])];
    const secretsKeys = new Set(values("aws_secretsmanager_secret").map((v) => String(v.kms_key_id)));
    const masterSecrets = values("aws_db_instance").map((v) => String(v.master_user_secret?.[0]?.secret_arn));
    const providers = values("aws_iam_openid_connect_provider").map((v) => String(v.arn));
    return [
      ...roles.map((r) => target(r.arn, `role ${r.name}`)),
      target(this.boundaryArn, "the permissions boundary"),
      ...policies.map((arn) => target(arn, `policy ${arn.split("/").pop()}`)),
      ...this.appSecrets().map((arn) => target(arn, `secret ${arn.split(":").pop()}`)),
      ...masterSecrets
        .filter((arn) => arn.startsWith("arn:"))
        .map((arn) => target(arn, "the database's master secret")),
      ...[...secretsKeys]
        .filter((arn) => arn.startsWith("arn:"))
        .map((arn) => target(arn, "the secrets' KMS key")),
      ...providers.map((arn) => target(arn, "the GitHub OIDC provider")),
    ];
  }

  private accountLevel(): Target[] {
    const owner = this.owner("account");
    const root = statementsOf(
      {
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${this.account}:root` },
            Action: "sts:AssumeRole",
          },
        ],
      },
      "trusts the account",
    );
    const iam = (path: string, label: string, extra: Partial<Target> = {}): Target => ({
      arn: `arn:aws:iam::${this.account}:${path}`,
      owner,
      label,
      ...extra,
    });
    const github = `oidc-provider/token.actions.githubusercontent.com`;
    const hasProvider = this.protectedTargets.some((t) => t.arn.endsWith(github));
    return [
      iam("role/OrganizationAccountAccessRole", "role OrganizationAccountAccessRole", {
        policy: root,
        policyKind: "trust",
      }),
      iam(
        "role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_0123456789abcdef",
        "an SSO administrator role",
        { policy: root, policyKind: "trust" },
      ),
      iam("role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", "a service-linked role", {
        policy: root,
      }),
      iam("user/admin", "user admin"),
      iam("user/ci/deployer", "user ci/deployer"),
      iam("group/Admins", "group Admins"),
      iam("policy/AccountAdministrator", "customer policy AccountAdministrator"),
      ...(hasProvider ? [] : [iam(github, "the account's GitHub OIDC provider")]),
      iam(`oidc-provider/oidc.eks.${this.region}.amazonaws.com/id/0123456789ABCDEF`, "an EKS OIDC provider"),
      iam("saml-provider/AzureAD", "SAML provider AzureAD"),
      iam("instance-profile/admin-profile", "instance profile admin-profile"),
      iam("root", "the account's root user"),
      ...synthesizedElements(this.stack, this.policies.where)
        .filter((e) => e.mode === "data" && e.type === "aws_route53_zone")
        .map((e): Target => ({
          arn: String(e.values.arn),
          owner,
          label: `the shared hosted zone ${e.values.name}`,
        })),
      { arn: `arn:aws:sts::${this.account}:federated-user/admin`, owner, label: "federated user admin" },
    ];
  }

  /**
   * Every target of one resource type: generated for each owner, plus the account's and the protected ones. The
   * same for every actor and action of the type, so made once per type (read only: nothing changes a target).
   */
  targetsOf(service: string, type: ResourceTypeData): readonly Target[] {
    const key = `${service} ${type.name} ${type.arn}`;
    let targets = this.targets.get(key);
    if (!targets) this.targets.set(key, (targets = targetsOf(this, service, type)));
    return targets;
  }

  private readonly targets = new Map<string, readonly Target[]>();
}
