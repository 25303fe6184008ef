import type { Block } from "./helpers";

/** A resource or data source of a synthesized stack, with its address. */
export interface Element {
  readonly kind: "resource" | "data";
  readonly type: string;
  readonly name: string;
  readonly block: Block;
}

/** The address Terraform gives an element, e.g. `aws_subnet.network_private-0_A0649C48`. */
export const addressOf = (e: Element) => `${e.kind === "data" ? "data." : ""}${e.type}.${e.name}`;

const REFERENCE = /\$\{(data\.)?([a-z0-9_]+)\.([^.}\s]+)\.([a-z0-9_.[\]]+)\}/g;
const REFERENCE_IN_EXPRESSION = /(?:^|[^\w.])(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)/g;

/**
 * A synthesized stack read the way Terraform reads it: elements by address, and references (`${aws_x.name.attr}`)
 * followed to the element they name. Stack tests use it to check what is wired to what, instead of counting.
 */
export class StackJson {
  constructor(readonly config: Block) {}

  /** Every resource of a type. */
  resources(type: string): Element[] {
    return this.elements("resource", type);
  }

  /** Every data source of a type. */
  dataSources(type: string): Element[] {
    return this.elements("data", type);
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
  deref(reference: string): Element & { readonly attribute: string } {
    const match = /^\$\{(data\.)?([a-z0-9_]+)\.([^.}]+)\.([a-z0-9_.[\]]+)\}$/.exec(reference);
    if (!match) throw new Error(`not a single reference: ${JSON.stringify(reference)}`);
    const [, data, type, name, attribute] = match;
    const kind = data ? "data" : "resource";
    const block = this.config[kind]?.[type]?.[name];
    if (block === undefined) throw new Error(`${reference} names nothing in the stack`);
    return { kind, type, name, block, attribute };
  }

  /** Every element referenced anywhere in a value (a string, or the strings inside a list or block). */
  referencedBy(value: unknown): Array<Element & { readonly attribute: string }> {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const found = new Map<string, Element & { readonly attribute: string }>();
    const add = (data: string | undefined, type: string, name: string, attribute: string) => {
      const kind = data ? "data" : "resource";
      const block = this.config[kind]?.[type]?.[name];
      if (block !== undefined)
        found.set(`${kind}.${type}.${name}.${attribute}`, { kind, type, name, block, attribute });
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

  /** The `${...}` expression that refers to an attribute of an element. */
  ref(element: Element, attribute: string): string {
    return `\${${addressOf(element)}.${attribute}}`;
  }
}
