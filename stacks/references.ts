/**
 * Every element a synthesized stack refers to is declared in that stack: a resource, data source, variable, local
 * or module named in a `${...}` expression. A value taken from another stack's element would otherwise reach
 * Terraform as a reference to something the stack does not have (the stacks skip cdktf's cross-stack pass:
 * stacks/self-contained-stack.ts); a hand-written expression with a typo fails here too, before anything is
 * written, instead of at plan.
 */
import type { Block } from "../rules/stack-view";

/** The roots of an expression that name a declared block, other than resources: `var.x`, `local.x`, `module.x`. */
const NAMED_ROOTS: Readonly<Record<string, string>> = { var: "variable", local: "locals", module: "module" };

// A resource's type always holds an underscore (provider_thing); Terraform's other roots (each, count, self, path,
// terraform) and the function names never do, or are not followed by a dot.
const ADDRESS =
  /(?<![\w.])(?:(data)\.)?([a-z][a-z0-9]*_[a-z0-9_]*|var|local|module)\.([A-Za-z_][A-Za-z0-9_-]*)/g;

/** How many references a stack's expressions make, and the address of each element they name that it does not declare. */
export function undeclaredReferences(config: Block): { checked: number; undeclared: string[] } {
  const undeclared = new Set<string>();
  let checked = 0;
  const text = JSON.stringify(config);
  for (const [, expression] of text.matchAll(/\$\{([^}]*)\}/g)) {
    for (const [address, data, root, name] of expression.matchAll(ADDRESS)) {
      checked += 1;
      const declared =
        root in NAMED_ROOTS && !data
          ? config[NAMED_ROOTS[root]]?.[name] !== undefined
          : config[data ? "data" : "resource"]?.[root]?.[name] !== undefined;
      if (!declared) undeclared.add(address);
    }
  }
  return { checked, undeclared: [...undeclared].sort() };
}

/** Throws one Error naming, per stack, each element it refers to without declaring it. */
export function checkReferences(stacks: Readonly<Record<string, Block>>): void {
  const problems = Object.entries(stacks).flatMap(([stack, config]) =>
    undeclaredReferences(config).undeclared.map(
      (address) => `${stack} refers to ${address}, which it does not declare`,
    ),
  );
  if (problems.length > 0) {
    throw new Error(
      `a stack refers to an element it does not have (a value of another stack's element? The stacks take ` +
        `nothing from each other: stacks/self-contained-stack.ts):\n  ${problems.join("\n  ")}`,
    );
  }
}
