#!/usr/bin/env node
// Stands in for a command the delivery and CI scripts call (aws, docker, gh, terraform) in their tests: it records
// every call, with the contents of any file:// (or gh's name=@file) argument, and answers from the scenario the
// test wrote. A call the scenario does not expect fails loudly (exit 99), so a script cannot quietly call something
// new.
//
//   command-stub.js <command> <args...>     STUB_SCENARIO=<scenario.json>  STUB_LOG=<calls.jsonl>
//
// scenario.json: { "<command>": [ { "match": "<args prefix>", "stdout": <text or JSON>, "exit": <code> }
//                                  or { "match": ..., "responses": [<answer>, ...] } (one per call, the last repeats) ] }
"use strict";
const fs = require("node:fs");

const [command, ...args] = process.argv.slice(2);
const line = args.join(" ");
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

const rule = (scenario[command] ?? []).find((r) => line === r.match || line.startsWith(`${r.match} `));
fs.appendFileSync(log, `${JSON.stringify({ command, args, files, stdin, match: rule?.match ?? null })}\n`);
if (!rule) {
  process.stderr.write(`${command} stub: the scenario has no answer for: ${command} ${line}\n`);
  process.exit(99);
}
const earlier = calls.filter((c) => c.command === command && c.match === rule.match).length;
const answer = rule.responses ? rule.responses[Math.min(earlier, rule.responses.length - 1)] : rule;
if (answer.stdout !== undefined) {
  process.stdout.write(typeof answer.stdout === "string" ? answer.stdout : JSON.stringify(answer.stdout));
}
if (answer.stderr !== undefined) process.stderr.write(answer.stderr);
process.exit(answer.exit ?? 0);
