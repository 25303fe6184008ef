#!/usr/bin/env node
// Stands in for terraform in the local deploy's interrupt tests (test/local-interrupt.test.ts): answers
// `version -json`, blocks in `init` as a long command does, and records in TERRAFORM_STUB_LOG each command it
// starts and each signal it receives. Like Terraform, one SIGINT stops it gracefully (a second at once).
"use strict";
const fs = require("node:fs");

const [command] = process.argv.slice(2);
const note = (line) => fs.appendFileSync(process.env.TERRAFORM_STUB_LOG, `${line}\n`);

if (command === "version") {
  process.stdout.write(JSON.stringify({ terraform_version: "1.11.0" }));
  process.exit(0);
}
note(`start ${command} ${process.pid}`);
if (command !== "init") process.exit(0);

let interrupts = 0;
process.on("SIGINT", () => {
  interrupts += 1;
  note(`SIGINT ${interrupts}`);
  if (interrupts === 1) {
    process.stderr.write("Interrupt received. Gracefully shutting down...\n");
    setTimeout(() => {
      note("stopped gracefully");
      process.exit(1);
    }, 1_000);
  } else {
    process.stderr.write("Two interrupts received. Exiting immediately.\n");
    note("exited at once");
    process.exit(1);
  }
});
process.on("SIGTERM", () => note("SIGTERM"));
setInterval(() => undefined, 1_000); // runs until a signal ends it
