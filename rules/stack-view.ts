/**
 * A synthesized stack read the way Terraform reads it: elements by type and address, references
 * (`${aws_x.name.attr}`) followed to the element they name, and the other way round, what refers to an element.
 * The policy rules and the stack tests both look at a stack through it.
 */

// Synthesized Terraform JSON has no static type; rules and tests index into it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Block = Record<string, any>;

/** A resource or data source of a synthesized stack. */
export interface Element {
  readonly kind: "resource" | "data";
  readonly type: string;
  readonly name: string;
  readonly block: Block;
}

/** An element found through a reference, with the attribute the reference reads. */
export type Referenced = Element & { readonly attribute: string };

/** The address Terraform gives an element, e.g. `aws_subnet.network_private-0_A0649C48`. */
export const addressOf = (e: Element) => `${e.kind === "data" ? "data." : ""}${e.type}.${e.name}`;

/** The construct path cdktf records for an element, without the stack's name: `uploads/files/bucket`. */
export function pathOf(e: Element): string {
  const path: string | undefined = e.block["//"]?.metadata?.path;
  return path ? path.split("/").slice(1).join("/") : addressOf(e);
}

const REFERENCE = /\$\{(data\.)?([a-z0-9_]+)\.([^.}\s]+)\.([a-z0-9_.[\]]+)\}/g;
const REFERENCE_IN_EXPRESSION = /(?:^|[^\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)/g;

/** A view of one synthesized stack; the rules never change it (answers about references are remembered). */
export class StackView {
  constructor(readonly config: Block) {}

  /** Every resource of a type. */
  resources(type: string): Element[] {
    return this.elements("resource", type);
  }

  /** Every data source of a type. */
  dataSources(type: string): Element[] {
    return this.elements("data", type);
  }

  /** Every resource of the stack, of every type. */
  allResources(): Element[] {
    return Object.keys(this.config.resource ?? {}).flatMap((type) => this.resources(type));
  }

  private elements(kind: Element["kind"], type: string): Element[] {
    return Object.entries<Block>(this.config[kind]?.[type] ?? {}).map(([name, block]) => ({
      kind,
      type,
      name,
      block,
    }));
  }

  /** The one resource of a type; fails when there are none or several. */
  only(type: string): Element {
    const all = this.resources(type);
    if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
    return all[0];
  }

  /** The one resource of a type whose block satisfies `test`. */
  find(type: string, test: (block: Block) => boolean): Element {
    const found = this.resources(type).filter((e) => test(e.block));
    if (found.length !== 1) throw new Error(`expected one matching ${type}, found ${found.length}`);
    return found[0];
  }

  /** The element a `${type.name.attribute}` reference names, and the attribute. */
  deref(reference: string): Referenced {
    const found = this.tryDeref(reference);
    if (!found) throw new Error(`${JSON.stringify(reference)} is not a reference to an element of the stack`);
    return found;
  }

  /** Like deref, or undefined when the value is not a single reference to an element of the stack. */
  tryDeref(reference: unknown): Referenced | undefined {
    if (typeof reference !== "string") return undefined;
    const match = /^\$\{(data\.)?([a-z0-9_]+)\.([^.}]+)\.([a-z0-9_.[\]]+)\}$/.exec(reference);
    if (!match) return undefined;
    const [, data, type, name, attribute] = match;
    const kind = data ? "data" : "resource";
    const block = this.config[kind]?.[type]?.[name];
    return block === undefined ? undefined : { kind, type, name, block, attribute };
  }

  /** Every element referenced anywhere in a value (a string, or the strings inside a list or block). */
  referencedBy(value: unknown): Referenced[] {
    const text = typeof value === "string" ? value : JSON.stringify(value ?? null);
    // Rules ask about the same attributes again and again (every bucket part, for every bucket rule).
    const cached = this.referenceCache.get(text);
    if (cached) return cached;
    const result = this.findReferences(text);
    this.referenceCache.set(text, result);
    return result;
  }

  private readonly referenceCache = new Map<string, Referenced[]>();

  private findReferences(text: string): Referenced[] {
    const found = new Map<string, Referenced>();
    const add = (data: string | undefined, type: string, name: string, attribute: string) => {
      const kind = data ? "data" : "resource";
      const block = this.config[kind]?.[type]?.[name];
      if (block !== undefined) {
        found.set(`${kind}.${type}.${name}.${attribute}`, { kind, type, name, block, attribute });
      }
    };
    for (const [, data, type, name, attribute] of text.matchAll(REFERENCE)) add(data, type, name, attribute);
    // Inside a function call (join, element, ...) references appear without their own ${ }.
    for (const expression of text.matchAll(/\$\{([^}]*)\}/g)) {
      for (const [, data, type, name, attribute] of expression[1].matchAll(REFERENCE_IN_EXPRESSION)) {
        add(data, type, name, attribute);
      }
    }
    return [...found.values()];
  }

  /** Resources of a type whose attribute refers to `target` (e.g. the public access block of a bucket). */
  referring(type: string, attribute: string, target: Element): Element[] {
    return this.resources(type).filter((e) =>
      this.referencedBy(e.block[attribute]).some((r) => r.type === target.type && r.name === target.name),
    );
  }

  /** The `${...}` expression that refers to an attribute of an element. */
  ref(element: Element, attribute: string): string {
    return `\${${addressOf(element)}.${attribute}}`;
  }
}
