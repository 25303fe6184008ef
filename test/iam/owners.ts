/**
 * The resources of every owner the battery knows, built from iam-data's ARN templates: each owner's names (its
 * prefix, its IAM path, its secret and parameter paths) and tags, and the policies the worst case gives them (a
 * role of another owner trusts the account; a key has the default key policy, which lets IAM policies decide).
 */
import { createHash } from "node:crypto";
import { statementsOf } from "../../rules/iam/policy";
import type { ResourceTypeData } from "./iam-data";
import type { Owner, Target, World } from "./world";

const hash = (text: string, length: number) =>
  createHash("sha256").update(text).digest("hex").slice(0, length);
const uuid = (text: string): string => {
  const h = hash(text, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** Resource types no environment owns: an account has them, or nobody should. */
const ACCOUNT_ONLY_TYPES = new Set([
  "user",
  "group",
  "oidc-provider",
  "saml-provider",
  "mfa",
  "sms-mfa",
  "root-user",
  "federated-user",
  "server-certificate",
  "instance-profile",
]);

/** Every target of one resource type: generated for each owner, plus the account's and the protected ones. */
export function targetsOf(world: World, service: string, type: ResourceTypeData): Target[] {
  const matcher = templateMatcher(type.arn);
  const tagged = type.conditionKeys.some((k) => /resourcetag\//i.test(k));
  const generated = ACCOUNT_ONLY_TYPES.has(type.name.toLowerCase())
    ? world.owners.filter((o) => o.outside)
    : world.owners;
  const fromOwners = generated.flatMap((o) => {
    const paths = o.key === "env" ? [world.iamPath] : [`/${o.application}/${o.environment}/`, "/"];
    const arns = [
      ...new Set(paths.map((path) => fill(type.arn, values(world, o, path, service, type.name)))),
    ];
    return arns.flatMap((arn): Target[] => {
      const base = {
        arn,
        owner: o,
        label: arn.split(":").slice(5).join(":"),
        ...ownedExtras(world, o, service, type.name),
      };
      const ownTags = { application: o.application!, environment: o.environment! };
      // The environment's resources always carry the provider's default tags; another owner's may have none.
      return tagged && o.outside
        ? [
            { ...base, tags: ownTags },
            { ...base, label: `${base.label} (untagged)` },
          ]
        : [{ ...base, tags: ownTags }];
    });
  });
  const fixed = [...world.accountTargets, ...world.protectedTargets].filter((t) => matcher.test(t.arn));
  return [...fromOwners, ...fixed];
}

/** The policies and boundary an owner's generated resource has: the worst case for the attacker's side. */
function ownedExtras(world: World, o: Owner, service: string, type: string): Partial<Target> {
  const t = type.toLowerCase();
  const boundaryArn =
    o.key === "env"
      ? world.boundaryArn
      : `arn:aws:iam::${world.account}:policy/${o.application}/${o.environment}/${o.application}-${o.environment}-permissions-boundary`;
  if (t === "role") {
    // Any role of another owner might trust the account; the environment's new roles trust what they trust.
    const trust = statementsOf(
      {
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: `arn:aws:iam::${world.account}:root` },
            Action: "sts:AssumeRole",
          },
        ],
      },
      "trusts the account",
    );
    return o.key === "env" ? { boundaryArn } : { boundaryArn, policy: trust, policyKind: "trust" };
  }
  if (t === "user") return { boundaryArn: o.key === "env" ? world.boundaryArn : undefined };
  if (service === "kms" && t === "key") {
    // The default key policy: the account's IAM policies decide (KMS Developer Guide, "Default key policy").
    return {
      policyKind: "key",
      policy: statementsOf(
        {
          Statement: [
            {
              Sid: "EnableIamPolicies",
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${world.account}:root` },
              Action: "kms:*",
              Resource: "*",
            },
          ],
        },
        "default key policy",
      ),
    };
  }
  return {};
}

/** Values of an ARN template's variables for a resource of an owner. */
function values(
  world: World,
  o: Owner,
  path: string,
  service: string,
  type: string,
): (name: string) => string {
  const prefix = `${o.application}-${o.environment}`;
  const seed = `${o.key}/${service}/${type}`;
  return (name) => {
    if (name === "Partition") return "aws";
    if (name === "Region") return world.region;
    if (name === "Account") return world.account;
    if (name.endsWith("NameWithPath")) return `${path.slice(1)}${prefix}-battery`;
    if (name === "SecretId") return `${o.application}/${o.environment}/BATTERY-${hash(seed, 6)}`;
    if (name === "ParameterNameWithoutLeadingSlash") return `${o.application}/${o.environment}/battery`;
    if (name === "KeyId" || name === "UUID" || name === "Id") return uuid(seed);
    if (/^(Version|VersionId|LayerVersion|TaskDefinitionRevisionNumber)$/.test(name)) return "1";
    if (/Id$/.test(name))
      return `${name
        .replace(/Id$/, "")
        .replace(/[A-Z]/g, (c) => c.toLowerCase())
        .slice(0, 4)}-0${hash(seed, 16)}`;
    return `${prefix}-battery`;
  };
}

/** An ARN template made concrete. */
export function fill(template: string, value: (name: string) => string): string {
  return template.replace(/\$\{([A-Za-z0-9]+)\}/g, (_, name: string) => value(name));
}

/** A test for ARNs of a template's shape (each variable: any text). */
export function templateMatcher(template: string): RegExp {
  let matcher = matchers.get(template);
  if (!matcher) matchers.set(template, (matcher = compileTemplate(template)));
  return matcher;
}

const matchers = new Map<string, RegExp>();

function compileTemplate(template: string): RegExp {
  const source = template
    .split(/(\$\{[A-Za-z0-9]+\})/)
    .map((part) => (part.startsWith("${") ? ".+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}
