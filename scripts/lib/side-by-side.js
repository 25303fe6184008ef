/**
 * Commands run side by side (scripts/test.js): one shows its output as it comes, the others' is printed whole, with
 * a header naming the command, when each ends. Resolves once all have ended, with the names of those that failed.
 */
"use strict";
const { spawn } = require("node:child_process");

/**
 * @param {Array<{ name: string, command: string, args: string[], live?: boolean }>} commands
 * @param {NodeJS.WritableStream} out where the kept output goes
 * @returns {Promise<string[]>} the names of the commands that failed, in the order given
 */
function sideBySide(commands, out = process.stdout) {
  return Promise.all(
    commands.map(({ name, command, args, live }) => {
      const started = Date.now();
      return new Promise((resolve) => {
        const child = spawn(command, args, { stdio: live ? "inherit" : ["ignore", "pipe", "pipe"] });
        const output = [];
        if (!live)
          for (const stream of [child.stdout, child.stderr]) stream.on("data", (c) => output.push(c));
        let ended = false;
        const end = (ok, why) => {
          if (ended) return;
          ended = true;
          const seconds = ((Date.now() - started) / 1000).toFixed(0);
          if (!live) out.write(`\n== ${name}: ${why} after ${seconds} s\n${Buffer.concat(output)}`);
          resolve(ok ? undefined : name);
        };
        child.on("error", (error) => end(false, `could not start (${error.message})`));
        child.on("close", (code, signal) =>
          end(code === 0, signal ? `stopped by ${signal}` : code === 0 ? "passed" : `failed (exit ${code})`),
        );
      });
    }),
  ).then((names) => names.filter((n) => n !== undefined));
}

module.exports = { sideBySide };
