/**
 * The emulator's call recorder (scripts/emulator/moto_server.py, 14), from the tests' side: what one recorded
 * call holds, switching the recording to a file, reading a file back, and telling whose call it was. moto enforces
 * no policy: the recorded calls are what the tests judge against the real policies (test/e2e/policy-check.ts).
 */
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { emulatorCertificate } from "../../scripts/lib/emulator";

/** Who made a call: an account's administrator (its MOTOACCT key), an assumed role's session, or a key moto does not know. */
export type RecordedPrincipal =
  | { readonly type: "account"; readonly account: string }
  | {
      readonly type: "assumed-role";
      readonly account: string;
      /** The session: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
      readonly arn: string;
      readonly roleArn: string;
      readonly session: string;
    }
  | { readonly type: "unknown"; readonly account: string; readonly accessKey: string };

export interface RecordedCall {
  readonly time: string;
  readonly principal: RecordedPrincipal;
  readonly region: string;
  readonly userAgent: string;
  /** The IAM service prefix (`cloudwatch`, not the signing name `monitoring`). */
  readonly service: string;
  /** The API operation (`ListObjectsV2`). */
  readonly operation: string | null;
  /** The IAM action (`s3:ListBucket`). */
  readonly action: string | null;
  readonly method: string;
  readonly path: string;
  /** The request's parameters (the JSON body, the query's and form's fields, a REST API's path parameters). */
  readonly params: Record<string, unknown>;
  /** The HTTP status of the answer. */
  readonly status: number | null;
  /** The ARNs a JSON or XML answer names (what a create made); absent for other answers. */
  readonly arns?: string[];
  /** The error code of a failed call's answer (`NotFoundException`), when it names one. */
  readonly error?: string | null;
}

/** The emulator was emptied here (/moto-api/reset): what the calls before it made is gone. */
export interface RecordedReset {
  readonly time: string;
  readonly reset: true;
}

export type Recorded = RecordedCall | RecordedReset;

export const isReset = (r: Recorded): r is RecordedReset => "reset" in r;

/**
 * Records every request the emulator on `port` serves into `file` (appended), or stops recording (`null`).
 * Returns the file recorded into before.
 */
export function recordCalls(port: number, file: string | null, projectRoot?: string): Promise<string | null> {
  const body = JSON.stringify({ file });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/moto-api/recorder",
        ca: readFileSync(emulatorCertificate(projectRoot).cert),
        headers: { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) reject(new Error(`the recorder refused (${res.statusCode}): ${text}`));
          else resolve((JSON.parse(text) as { previous: string | null }).previous);
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** What was recorded in a file, in order: the calls and the emulator's resets (nothing when nothing was). */
export function readRecord(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Recorded);
}

/** The calls recorded in a file, in order. */
export function readCalls(file: string): RecordedCall[] {
  return readRecord(file).filter((r): r is RecordedCall => !isReset(r));
}

/** What several files recorded, in the order it happened. */
export function inOrder(...records: Recorded[][]): Recorded[] {
  return records.flat().sort((a, b) => a.time.localeCompare(b.time));
}

/** The tool a call came from, by the `app/<id>` our tools put in their User-Agent, or Terraform's own. */
export function callerTool(call: RecordedCall): string | undefined {
  const app = /(?:^| )app\/([A-Za-z0-9._-]+)/.exec(call.userAgent)?.[1];
  if (app) return app;
  if (/terraform-provider-aws|HashiCorp|Terraform\//.test(call.userAgent)) return "terraform";
  return undefined;
}
