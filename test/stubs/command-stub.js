#!/usr/bin/env node
// Stands in for a command the delivery and CI scripts call (aws, docker, gh, terraform) in their tests: it records
// every call, with the contents of any file:// (or gh's name=@file) argument, and answers from the scenario the
// test wrote. A call the scenario does not expect fails loudly (exit 99), so a script cannot quietly call something
// new.
//
//   command-stub.js <command> <args...>     STUB_SCENARIO=<scenario.json>  STUB_LOG=<calls.jsonl>
//
// scenario.json: { "<command>": [ { "match": "<args prefix>", "stdout": <text or JSON>, "exit": <code>,
//                                    "delayMs": <time it takes> }
//                                  or { "match": ..., "responses": [<answer>, ...] } (one per call, the last repeats) ] }
//
// With STUB_SSM=<parameters.json> ({"<name>": "<value>"}), `aws ssm put-parameter|get-parameter|delete-parameter`
// behave as SSM does for String parameters, in that file: a put without --overwrite fails with
// ParameterAlreadyExists when the name exists, a get or delete of a missing name with ParameterNotFound. A lock
// that two runs take, or a value a script records and later reads, then works across calls.
"use strict";
const fs = require("node:fs");

const [command, ...args] = process.argv.slice(2);
const line = args.join(" ");
/** Where and in which region the call was made. */
const context = {
  cwd: process.cwd(),
  region: process.env.AWS_REGION,
  defaultRegion: process.env.AWS_DEFAULT_REGION,
};
const scenario = JSON.parse(fs.readFileSync(process.env.STUB_SCENARIO, "utf8"));
const log = process.env.STUB_LOG;
const calls = fs.existsSync(log)
  ? fs
      .readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];

const files = {};
for (const arg of args) {
  if (arg.startsWith("file://")) files[arg.slice(7)] = fs.readFileSync(arg.slice(7), "utf8");
  // gh api's -F name=@file: the field's value is the file's content.
  const field = /^[\w.[\]]+=@(.+)$/.exec(arg);
  if (field && fs.existsSync(field[1])) files[field[1]] = fs.readFileSync(field[1], "utf8");
}
const stdin = args.includes("--password-stdin") ? fs.readFileSync(0, "utf8") : undefined;

/** SSM's answer to a parameter call, from and to the STUB_SSM file; undefined for any other call. */
function ssmParameter() {
  const store = process.env.STUB_SSM;
  const [service, action] = args;
  if (!store || command !== "aws" || service !== "ssm") return undefined;
  if (!["put-parameter", "get-parameter", "delete-parameter"].includes(action)) return undefined;
  const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const name = option("--name");
  const parameters = JSON.parse(fs.readFileSync(store, "utf8"));
  const refused = (code) => ({
    exit: 254,
    stderr: `\nAn error occurred (${code}) when calling the ${action} operation: ${name}\n`,
  });
  if (action === "put-parameter") {
    if (name in parameters && !args.includes("--overwrite")) return refused("ParameterAlreadyExists");
    parameters[name] = option("--value");
    fs.writeFileSync(store, JSON.stringify(parameters));
    return { stdout: { Version: 1, Tier: "Standard" } };
  }
  if (!(name in parameters)) return refused("ParameterNotFound");
  if (action === "delete-parameter") {
    delete parameters[name];
    fs.writeFileSync(store, JSON.stringify(parameters));
    return { stdout: "" };
  }
  if (option("--query") === "Parameter.Value" && option("--output") === "text") {
    return { stdout: `${parameters[name]}\n` };
  }
  return { stdout: { Parameter: { Name: name, Type: "String", Value: parameters[name] } } };
}

const emulated = ssmParameter();
if (emulated) {
  fs.appendFileSync(log, `${JSON.stringify({ command, args, files, stdin, ...context, match: "ssm" })}\n`);
  if (emulated.stdout !== undefined) {
    process.stdout.write(
      typeof emulated.stdout === "string" ? emulated.stdout : JSON.stringify(emulated.stdout),
    );
  }
  if (emulated.stderr !== undefined) process.stderr.write(emulated.stderr);
  process.exit(emulated.exit ?? 0);
}

const rule = (scenario[command] ?? []).find((r) => line === r.match || line.startsWith(`${r.match} `));
fs.appendFileSync(
  log,
  `${JSON.stringify({ command, args, files, stdin, ...context, match: rule?.match ?? null })}\n`,
);
if (!rule) {
  process.stderr.write(`${command} stub: the scenario has no answer for: ${command} ${line}\n`);
  process.exit(99);
}
const earlier = calls.filter((c) => c.command === command && c.match === rule.match).length;
const answer = rule.responses ? rule.responses[Math.min(earlier, rule.responses.length - 1)] : rule;
if (answer.delayMs) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, answer.delayMs);
if (answer.stdout !== undefined) {
  process.stdout.write(typeof answer.stdout === "string" ? answer.stdout : JSON.stringify(answer.stdout));
}
if (answer.stderr !== undefined) process.stderr.write(answer.stderr);
process.exit(answer.exit ?? 0);
