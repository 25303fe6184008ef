/**
 * EventBridge's pattern matching, as far as the project's rules use it (exact values, anything-but, $or, fields
 * under arrays of objects), so tests can say which events a rule's pattern takes and which it leaves.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

function valuesAt(node: Json | undefined, path: string[]): Json[] {
  if (node === undefined) return [];
  if (Array.isArray(node)) return node.flatMap((element) => valuesAt(element, path));
  if (path.length === 0) return [node];
  if (node === null || typeof node !== "object") return [];
  return valuesAt(node[path[0]], path.slice(1));
}

function matchesValue(matcher: Json, value: Json): boolean {
  if (matcher === null || typeof matcher !== "object") return matcher === value;
  if (Array.isArray(matcher)) throw new Error("a matcher cannot be an array");
  const operators = Object.keys(matcher);
  if (operators.length === 1 && operators[0] === "anything-but") {
    return ![matcher["anything-but"]].flat().includes(value);
  }
  throw new Error(`this matcher does not implement ${JSON.stringify(matcher)}`);
}

export function matchesPattern(pattern: Json, event: Json, path: string[] = []): boolean {
  if (pattern === null || typeof pattern !== "object" || Array.isArray(pattern)) {
    throw new Error(`pattern at ${path.join(".")} must be an object`);
  }
  return Object.entries(pattern).every(([key, spec]) => {
    if (key === "$or") {
      if (!Array.isArray(spec) || spec.length < 2) throw new Error("$or takes two or more patterns");
      return spec.some((branch) => matchesPattern(branch, event, path));
    }
    if (Array.isArray(spec)) {
      const values = valuesAt(event, [...path, key]);
      return spec.some((matcher) => values.some((value) => matchesValue(matcher, value)));
    }
    if (spec === null || typeof spec !== "object") {
      throw new Error(`pattern leaf ${[...path, key].join(".")} must be an array`);
    }
    return matchesPattern(spec, event, [...path, key]);
  });
}
