/**
 * `rollback production` as a process of its own, for test/rollback.test.ts to interrupt as a terminal does: AWS
 * answers from the recording in the JSON file argv[2] (the SDK's side), the stubbed CLI on PATH (the script's).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadEnvironment } from "../config/load";
import { consoleOutput, OpsError } from "../scripts/ops/context";
import { rollback } from "../scripts/ops/rollback";
import { recorder } from "./ops-recording";

const production = loadEnvironment(join(__dirname, "..", "environments", "production.json"));
const { ctx } = recorder(production, consoleOutput)(JSON.parse(readFileSync(process.argv[2], "utf8")));
rollback(ctx, process.argv[3]).then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`ops: ${error.message}`);
    process.exit(error instanceof OpsError ? error.exitCode : 1);
  },
);
