/**
 * An emulator of a test's own: its own port and project folder (pid file, log), with the project's certificate,
 * so it never meets the end-to-end test's emulator. Without moto it fails, saying what to install.
 */
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AwsClientConfig, emulatorClientConfig } from "../scripts/lib/aws";
import { emulatorCertificate, emulatorLog, startEmulator, stopEmulator } from "../scripts/lib/emulator";
import { ensureEmulatorCertificate } from "../scripts/lib/emulator-certificate";

export interface OwnEmulator {
  readonly port: number;
  /** SDK client settings for a region of it, in the emulator's default account or the one given. */
  config(region: string, account?: string): AwsClientConfig;
  /** Its log file (moto's request lines and the launcher's notes). */
  readonly log: string;
  stop(): Promise<boolean>;
}

export async function startOwnEmulator(name: string): Promise<OwnEmulator> {
  const root = mkdtempSync(join(tmpdir(), `${name}-`));
  // The project's certificate (the readiness probe trusts it), copied into this emulator's folder.
  const project = ensureEmulatorCertificate();
  const own = emulatorCertificate(root);
  mkdirSync(join(own.cert, ".."), { recursive: true });
  copyFileSync(project.cert, own.cert);
  copyFileSync(project.key, own.key);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  await startEmulator(port, { projectRoot: root });
  return {
    port,
    config: (region, account) => emulatorClientConfig(port, region, root, account),
    log: emulatorLog(root),
    stop: () => stopEmulator({ projectRoot: root }),
  };
}
