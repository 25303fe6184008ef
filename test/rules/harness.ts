/**
 * How the policy rules are tested: each rule against the real stacks of the checked-in environments, which must
 * comply, and against copies of them broken in one precise way, which must make the rule fire at the resource
 * that was broken. A case names what it breaks and where the finding must be; a rule that no resource of the
 * stack satisfies gets a `comply` edit too, so that every rule is shown passing something as well as failing.
 */
import { type Report, checkStack } from "../../rules/check";
import type { RULE_FAMILIES, RuleFamily } from "../../rules/index";
import type { Rule } from "../../rules/rule";
import { type Block, type Element, pathOf, StackView } from "../../rules/stack-view";
import { SUPPRESSIONS } from "../../rules/suppressions";
import { appStackName } from "../../stacks/names";
import { synthCheckedIn } from "../environment-stacks";

/** The checked-in environments whose stacks the cases start from. */
export type Environment = "production" | "staging" | "local";

/** The synthesized AWS stack of a checked-in environment file, as JSON text. */
export function stackText(environment: Environment): string {
  return synthCheckedIn(environment).text;
}

/** A private copy of a stack that a case may change, with the edits the cases need. */
export class EditableStack extends StackView {
  /** The one resource at a construct path (without the stack name), e.g. `uploads/files/bucket`. */
  at(path: string): Element {
    const found = this.allResources().filter((e) => pathOf(e) === path);
    if (found.length !== 1) throw new Error(`expected one resource at ${path}, found ${found.length}`);
    return found[0];
  }

  /** The block of the resource at a path, to change in place. */
  block(path: string): Block {
    return this.at(path).block;
  }

  /** Removes the resource at a path. */
  remove(path: string): void {
    const { type, name } = this.at(path);
    delete this.config.resource[type][name];
  }

  /** Adds a resource at a construct path; returns its `${type.name.attribute}` reference maker. */
  add(type: string, path: string, block: Block): Element {
    const name = path.replace(/[^A-Za-z0-9]+/g, "_");
    const full = { ...block, "//": { metadata: { path: `stack/${path}`, uniqueId: name } } };
    this.config.resource[type] = { ...(this.config.resource[type] ?? {}), [name]: full };
    return { kind: "resource", type, name, block: full };
  }

  /** Changes the policy document held in an attribute (a JSON string) of the resource at a path. */
  editPolicy(path: string, edit: (statements: Block[]) => Block[], attribute = "policy"): void {
    const block = this.block(path);
    const document = JSON.parse(block[attribute]);
    document.Statement = edit([document.Statement].flat());
    block[attribute] = JSON.stringify(document);
  }

  /** Changes the one statement with this Sid, in whichever identity policy of the stack holds it. */
  editStatement(sid: string, edit: (statement: Block) => Block): void {
    const holders = [...this.resources("aws_iam_role_policy"), ...this.resources("aws_iam_policy")].filter(
      (e) => [JSON.parse(e.block.policy).Statement].flat().some((st: Block) => st.Sid === sid),
    );
    if (holders.length !== 1)
      throw new Error(`expected one policy with statement ${sid}, found ${holders.length}`);
    this.editPolicy(pathOf(holders[0]), (statements) =>
      statements.map((st) => (st.Sid === sid ? edit(st) : st)),
    );
  }

  /** Changes the container definitions of the task definition at a path. */
  editContainers(path: string, edit: (containers: Block[]) => void): void {
    const block = this.block(path);
    const containers = JSON.parse(block.container_definitions);
    edit(containers);
    block.container_definitions = JSON.stringify(containers);
  }
}

/** A fresh editable copy of an environment's stack. */
export function editable(environment: Environment): EditableStack {
  return new EditableStack(JSON.parse(stackText(environment)));
}

/** One precise way to break what a rule checks. */
export interface Break {
  /** What is broken, in words: the test's name. */
  readonly what: string;
  /** The construct path of the resource the finding must name. */
  readonly at: string;
  readonly apply: (stack: EditableStack) => void;
}

export interface Case {
  /** The stack the case starts from. @default "production" */
  readonly environment?: Environment;
  /** Makes one resource satisfy the rule, where none of the stack does (e.g. every one is suppressed). */
  readonly comply?: (stack: EditableStack) => void;
  /** At least one way to break it. */
  readonly breaks: readonly [Break, ...Break[]];
}

/** The ids of a family's rules: a family's table of cases must have exactly these keys. */
export type FamilyRuleId<F extends RuleFamily> = (typeof RULE_FAMILIES)[F][number]["id"];

/** The report of one rule over a stack, with the project's suppressions applied. */
export function reportOf(rule: Rule, stack: StackView, environment: Environment): Report {
  return checkStack(appStackName(environment), stack.config, [rule], SUPPRESSIONS);
}
