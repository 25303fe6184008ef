/**
 * Runs a Step Functions state machine definition of this project (QueryLanguage "JSONata") the way Step Functions
 * does, for tests: every `{% ... %}` expression is evaluated by the JSONata library with `$states` bound as Step
 * Functions binds it, and every aws-sdk task is a call the test answers, either from a fake or from the emulator
 * (moto runs no JSONata state machine: its interpreter needs a JVM and jars from Maven).
 *
 * It knows the part of the language the definitions use: Pass, Task (arn:aws:states:::aws-sdk:<service>:<action>),
 * Choice, inline Map, Succeed and Fail; Arguments, Output, Retry and Catch. Any other state type or field throws,
 * so a definition that outgrows it cannot be run wrongly without a word.
 */
import jsonata from "jsonata";

/** Answers one aws-sdk task: the service (`s3`), the action (`listObjectsV2`) and its evaluated Arguments. */
export type ServiceCall = (service: string, action: string, args: Record<string, any>) => Promise<unknown>;

export interface Call {
  readonly service: string;
  readonly action: string;
  readonly args: Record<string, any>;
}

export interface Execution {
  readonly status: "SUCCEEDED" | "FAILED";
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** Every aws-sdk call, in order, with its arguments. */
  readonly calls: Call[];
  /** Every state entered, in order. */
  readonly visited: string[];
}

/** An error a task raised, named as Step Functions names it (`S3.NoSuchUploadException`). */
export class TaskError extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
  }
}

const KNOWN_FIELDS: Record<string, string[]> = {
  Pass: ["Type", "Comment", "Output", "Next", "End"],
  Task: [
    "Type",
    "Comment",
    "Resource",
    "Arguments",
    "Output",
    "Retry",
    "Catch",
    "Next",
    "End",
    "TimeoutSeconds",
  ],
  Choice: ["Type", "Comment", "Choices", "Default", "Output"],
  Map: [
    "Type",
    "Comment",
    "Items",
    "ItemProcessor",
    "MaxConcurrency",
    "Output",
    "Retry",
    "Catch",
    "Next",
    "End",
  ],
  Succeed: ["Type", "Comment", "Output"],
  Fail: ["Type", "Comment", "Error", "Cause"],
};
const TOP_FIELDS = ["Comment", "QueryLanguage", "StartAt", "States", "TimeoutSeconds"];
/** A definition that loops without end stops here. */
const MAX_TRANSITIONS = 100_000;

const SERVICE_ERROR_NAMES: Record<string, string> = { s3: "S3", cloudwatch: "CloudWatch" };

/** The error name Step Functions gives an exception of an aws-sdk integration. */
export function taskErrorName(service: string, exception: string): string {
  const name = exception.endsWith("Exception") ? exception : `${exception}Exception`;
  return `${SERVICE_ERROR_NAMES[service] ?? service}.${name}`;
}

interface Scope {
  readonly startTime: string;
  readonly call: ServiceCall;
  readonly calls: Call[];
  readonly visited: string[];
  transitions: number;
}

/** Each expression parsed once: an expression is evaluated afresh with each call's bindings. */
const parsed = new Map<string, ReturnType<typeof jsonata>>();
function compiled(text: string): ReturnType<typeof jsonata> {
  let expression = parsed.get(text);
  if (!expression) parsed.set(text, (expression = jsonata(text)));
  return expression;
}

async function evaluate(value: unknown, states: Record<string, unknown>): Promise<any> {
  if (typeof value === "string") {
    const expression = /^\{%([\s\S]*)%\}$/.exec(value);
    return expression ? compiled(expression[1]).evaluate({}, { states }) : value;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => evaluate(v, states)));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const evaluated = await evaluate(v, states);
      if (evaluated !== undefined) out[k] = evaluated;
    }
    return out;
  }
  return value;
}

function matches(errorEquals: string[], error: string): boolean {
  return (
    errorEquals.includes(error) || (errorEquals.includes("States.ALL") && !error.startsWith("States.Runtime"))
  );
}

/** Runs states from `startAt` until one ends; returns the last output, or throws a TaskError. */
async function runStates(
  machine: { StartAt: string; States: Record<string, any> },
  input: unknown,
  scope: Scope,
): Promise<unknown> {
  let name: string | undefined = machine.StartAt;
  let current = input;
  while (name !== undefined) {
    if (++scope.transitions > MAX_TRANSITIONS) throw new Error(`more than ${MAX_TRANSITIONS} transitions`);
    const state: any = machine.States[name];
    if (!state) throw new Error(`no state ${name}`);
    const unknown = Object.keys(state).filter((f) => !(KNOWN_FIELDS[state.Type] ?? []).includes(f));
    if (!KNOWN_FIELDS[state.Type] || unknown.length > 0) {
      throw new Error(`state ${name}: the runner does not know ${state.Type} ${unknown.join(", ")}`);
    }
    scope.visited.push(name);
    const context = { Execution: { StartTime: scope.startTime }, State: { Name: name } };
    const states = { input: current, context };
    const next: string | undefined = state.End ? undefined : state.Next;
    switch (state.Type) {
      case "Pass":
        current = "Output" in state ? await evaluate(state.Output, states) : current;
        name = next;
        break;
      case "Choice": {
        let chosen: string | undefined;
        for (const choice of state.Choices) {
          if ((await evaluate(choice.Condition, states)) === true) {
            chosen = choice.Next;
            break;
          }
        }
        chosen ??= state.Default;
        if (!chosen) throw new TaskError("States.NoChoiceMatched", `no choice of ${name} matched`);
        if ("Output" in state) current = await evaluate(state.Output, states);
        name = chosen;
        break;
      }
      case "Succeed":
        return "Output" in state ? evaluate(state.Output, states) : current;
      case "Fail":
        throw new TaskError(await evaluate(state.Error, states), await evaluate(state.Cause ?? "", states));
      case "Task":
      case "Map": {
        let result: unknown;
        try {
          result = await withRetries(state, () =>
            state.Type === "Task" ? runTask(state, states, scope) : runMap(state, states, scope),
          );
        } catch (error) {
          if (!(error instanceof TaskError)) throw error;
          const handler = (state.Catch ?? []).find((c: any) => matches(c.ErrorEquals, error.error));
          if (!handler) throw error;
          const errorOutput = { Error: error.error, Cause: error.cause };
          current =
            "Output" in handler ? await evaluate(handler.Output, { ...states, errorOutput }) : errorOutput;
          name = handler.Next;
          break;
        }
        current = "Output" in state ? await evaluate(state.Output, { ...states, result }) : result;
        name = next;
        break;
      }
    }
  }
  return current;
}

async function withRetries(state: any, run: () => Promise<unknown>): Promise<unknown> {
  const attempts = new Map<object, number>();
  for (;;) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof TaskError)) throw error;
      const retrier = (state.Retry ?? []).find((r: any) => matches(r.ErrorEquals, error.error));
      const used = attempts.get(retrier) ?? 0;
      if (!retrier || used >= (retrier.MaxAttempts ?? 3)) throw error;
      attempts.set(retrier, used + 1); // the intervals are not waited for: the outcome is the same
    }
  }
}

async function runTask(state: any, states: Record<string, unknown>, scope: Scope): Promise<unknown> {
  const resource = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(state.Resource);
  if (!resource) throw new Error(`the runner knows only aws-sdk tasks, not ${state.Resource}`);
  const [, service, action] = resource;
  const args = (await evaluate(state.Arguments ?? {}, states)) as Record<string, any>;
  scope.calls.push({ service, action, args });
  try {
    return await scope.call(service, action, args);
  } catch (error) {
    if (error instanceof TaskError) throw error;
    const e = error as Error;
    throw new TaskError(taskErrorName(service, e.name), e.message);
  }
}

async function runMap(state: any, states: Record<string, unknown>, scope: Scope): Promise<unknown[]> {
  const items = await evaluate(state.Items, states);
  if (!Array.isArray(items)) throw new TaskError("States.QueryEvaluationError", "Items is not an array");
  const processor = state.ItemProcessor;
  if (processor.ProcessorConfig?.Mode !== "INLINE")
    throw new Error("the runner knows only inline Map states");
  const results: unknown[] = [];
  for (const item of items) results.push(await runStates(processor, item, scope));
  return results;
}

/** Runs `definition` on `input` as an execution started at `startTime` (ISO 8601). */
export async function runStateMachine(
  definition: Record<string, any>,
  input: unknown,
  opts: { startTime: string; call: ServiceCall },
): Promise<Execution> {
  if (definition.QueryLanguage !== "JSONata") throw new Error("the runner knows only JSONata definitions");
  const unknown = Object.keys(definition).filter((f) => !TOP_FIELDS.includes(f));
  if (unknown.length > 0) throw new Error(`the runner does not know ${unknown.join(", ")}`);
  const scope: Scope = { startTime: opts.startTime, call: opts.call, calls: [], visited: [], transitions: 0 };
  try {
    const output = await runStates(definition as any, input, scope);
    return { status: "SUCCEEDED", output, calls: scope.calls, visited: scope.visited };
  } catch (error) {
    if (!(error instanceof TaskError)) throw error;
    return {
      status: "FAILED",
      error: error.error,
      cause: error.cause,
      calls: scope.calls,
      visited: scope.visited,
    };
  }
}
