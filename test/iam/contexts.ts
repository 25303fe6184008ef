/**
 * The request contexts an attacker could send with one request of the battery: the target's own tags (not the
 * attacker's to choose), and every choice of the keys the attacker sets - request tags, the boundary of a role it
 * creates, the policy it attaches, the service it passes a role to, the record names it changes, and any other
 * key the action supports that a policy it meets tests (absent, or each value the policy names).
 */
import type { ContextValue } from "../../rules/iam/conditions";
import type { Statement } from "../../rules/iam/policy";
import type { ActionData, ResourceTypeData } from "./iam-data";
import { DANGEROUS_PASS_TARGETS } from "./selection";
import type { Actor, Target, World } from "./world";

export type Context = Record<string, ContextValue>;

/** Condition keys that come from the resource or from IAM itself, never from the attacker. */
const NOT_CHOSEN =
  /(resourcetag\/|^aws:(principal|resource|source|securetransport|calledvia|userid|username|currenttime|epochtime|multifactor|viaawsservice)|^kms:(calleraccount)|^iam:permissionsboundary$|^ec2:createaction$)/i;

/** The values each condition key takes in some statements (wildcards made concrete), keys lower-case. */
function conditionValues(statements: readonly Statement[]): Map<string, string[]> {
  const values = new Map<string, Set<string>>();
  for (const s of statements) {
    for (const keys of Object.values(s.conditions)) {
      for (const [key, list] of Object.entries(keys)) {
        const set = values.get(key) ?? new Set<string>();
        for (const v of list) set.add(v.replace(/[*?]/g, "x"));
        values.set(key, set);
      }
    }
  }
  return new Map([...values].map(([k, v]) => [k, [...v]]));
}

const valuesByPolicy = new WeakMap<readonly Statement[], Map<string, string[]>>();

const NO_POLICY: readonly Statement[] = [];
const mergedByPolicies = new WeakMap<object, WeakMap<object, WeakMap<object, Map<string, string[]>>>>();

/** What the policies a request meets say about each key (remembered per policy, and per three policies met). */
function mentioned(
  identity: readonly Statement[] | undefined,
  boundary: readonly Statement[] | undefined,
  resource: readonly Statement[] | undefined,
): Map<string, string[]> {
  const [a, b, c] = [identity ?? NO_POLICY, boundary ?? NO_POLICY, resource ?? NO_POLICY];
  let byB = mergedByPolicies.get(a);
  if (!byB) mergedByPolicies.set(a, (byB = new WeakMap()));
  let byC = byB.get(b);
  if (!byC) byB.set(b, (byC = new WeakMap()));
  let merged = byC.get(c);
  if (merged) return merged;
  merged = new Map<string, string[]>();
  for (const policy of [identity, boundary, resource]) {
    if (!policy) continue;
    let values = valuesByPolicy.get(policy);
    if (!values) valuesByPolicy.set(policy, (values = conditionValues(policy)));
    for (const [k, v] of values) merged.set(k, [...new Set([...(merged.get(k) ?? []), ...v])]);
  }
  byC.set(c, merged);
  return merged;
}

const supportedKeys = new WeakMap<object, string[]>();

function supportedBy(action: ActionData, type: ResourceTypeData | undefined): string[] {
  const holder = type ?? action;
  let keys = supportedKeys.get(holder);
  if (!keys) {
    keys = [
      ...new Set([...action.conditionKeys, ...(type?.conditionKeys ?? [])].map((k) => k.toLowerCase())),
    ];
    supportedKeys.set(holder, keys);
  }
  return keys;
}

const tagFormsOf = new WeakMap<readonly string[], Set<string>>();

/** Every context the attacker could send for this request: the cross product of each key's choices. */
export function contexts(
  world: World,
  actor: Actor,
  action: ActionData,
  type: ResourceTypeData | undefined,
  target: Target,
): Context[] {
  const supported = supportedBy(action, type);
  const supports = (key: string) => supported.includes(key.toLowerCase());
  const base: Context = {};
  // The target's own tags, under every form of ResourceTag the resource type supports.
  let tagForms = tagFormsOf.get(supported);
  if (!tagForms) {
    tagForms = new Set([
      "aws:resourcetag/",
      ...supported.filter((k) => k.includes("resourcetag/")).map((k) => k.replace(/\/.*$/, "/")),
    ]);
    tagFormsOf.set(supported, tagForms);
  }
  for (const [k, v] of Object.entries(target.tags ?? {})) {
    for (const form of tagForms) base[`${form}${k.toLowerCase()}`] = v;
  }
  const creates = /^iam:(CreateRole|CreateUser|PutRolePermissionsBoundary|PutUserPermissionsBoundary)$/i.test(
    action.name,
  );
  if (supports("iam:PermissionsBoundary")) {
    base["iam:permissionsboundary"] = creates ? world.boundaryArn : target.boundaryArn;
  }
  if (supports("kms:GrantIsForAWSResource")) base["kms:grantisforawsresource"] = "false";

  const choices: Context[][] = [];
  if (supports("aws:RequestTag/${TagKey}") || supports("aws:TagKeys")) {
    const tagSets: Array<Record<string, string>> = [
      {},
      { application: world.application, environment: world.environment },
      { application: world.application, environment: world.environment, owner: "attacker" },
    ];
    choices.push(
      tagSets.map((tags) => ({
        ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:requesttag/${k}`, v])),
        ...(Object.keys(tags).length ? { "aws:tagkeys": Object.keys(tags) } : {}),
      })),
    );
  }
  if (supports("iam:PolicyARN")) {
    const own = `arn:aws:iam::${world.account}:policy${world.iamPath}${world.prefix}-battery`;
    const policyArns = [
      "arn:aws:iam::aws:policy/AdministratorAccess",
      "arn:aws:iam::aws:policy/AmazonS3FullAccess",
      `arn:aws:iam::${world.account}:policy/otherapp/production/otherapp-production-deploy`,
      own,
      ...world.managedPolicies,
    ];
    choices.push(policyArns.map((arn) => ({ "iam:policyarn": arn })));
  }
  if (supports("route53:ChangeResourceRecordSetsNormalizedRecordNames") && world.domain) {
    const zone = world.zoneName ?? world.domain;
    const names = [
      [world.domain],
      [`_validation.${world.domain}`],
      [`otherapp.${zone}`],
      [zone],
      [`evil${world.domain}`],
      [world.domain, `otherapp.${zone}`],
    ];
    choices.push(names.map((n) => ({ "route53:changeresourcerecordsetsnormalizedrecordnames": n })));
  }
  if (supports("iam:PassedToService")) {
    choices.push(
      [...new Set([...world.trustedServices, ...DANGEROUS_PASS_TARGETS])].map((s) => ({
        "iam:passedtoservice": s,
      })),
    );
  }
  // Any other key the request carries and the attacker sets: absent, or each value a policy tests it against.
  // KMS's encryption context and ViaService are the caller's to choose whenever a policy tests them.
  const said = mentioned(actor.principal.identity, actor.principal.boundary, target.policy);
  for (const [key, values] of said) {
    if (HANDLED.has(key) || NOT_CHOSEN.test(key)) continue;
    const kms = action.service === "kms" && /^kms:(encryptioncontext:|viaservice)/.test(key);
    if (kms || supported.includes(key)) choices.push([{}, ...values.map((v) => ({ [key]: v }))]);
  }
  return choices.reduce<Context[]>(
    (all, options) => all.flatMap((c) => options.map((o) => ({ ...c, ...o }))),
    [base],
  );
}

const HANDLED = new Set([
  "aws:tagkeys",
  "iam:policyarn",
  "iam:passedtoservice",
  "kms:grantisforawsresource",
  "route53:changeresourcerecordsetsnormalizedrecordnames",
]);
