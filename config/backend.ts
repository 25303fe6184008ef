import { readFileSync } from "node:fs";

/** The S3 backend settings of backend.tf.json: one file serves cdktf (here) and plain `terraform`. */
export interface BackendSettings {
  readonly bucket: string;
  readonly region: string;
  readonly encrypt: boolean;
  readonly useLockfile: boolean;
  /** Prefix of every stack's state key; the stack name and `.tfstate` follow. */
  readonly keyPrefix: string;
}

/** Reads backend.tf.json (`{"terraform": {"backend": {"s3": {...}}}}`) and checks what cdktf relies on. */
export function loadBackend(file: string): BackendSettings {
  let s3: Record<string, unknown> | undefined;
  try {
    s3 = JSON.parse(readFileSync(file, "utf8"))?.terraform?.backend?.s3;
  } catch (err) {
    throw new Error(`${file}: cannot be read as JSON: ${(err as Error).message}`);
  }
  if (!s3) throw new Error(`${file}: expected {"terraform": {"backend": {"s3": {...}}}}`);
  const problems: string[] = [];
  if (typeof s3.bucket !== "string" || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s3.bucket)) {
    problems.push(`terraform.backend.s3.bucket: must be an S3 bucket name, got ${JSON.stringify(s3.bucket)}`);
  }
  if (typeof s3.region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(s3.region)) {
    problems.push(`terraform.backend.s3.region: must be an AWS region, got ${JSON.stringify(s3.region)}`);
  }
  if (s3.encrypt !== true)
    problems.push("terraform.backend.s3.encrypt: must be true (state holds resource details)");
  if (s3.use_lockfile !== true) {
    problems.push("terraform.backend.s3.use_lockfile: must be true (two applies must never run at once)");
  }
  if (typeof s3.key !== "string" || !/^[a-z0-9/_-]+\/$/.test(s3.key)) {
    problems.push(
      `terraform.backend.s3.key: must be a key prefix ending in "/" (each stack appends "<stack>.tfstate"), got ${JSON.stringify(s3.key)}`,
    );
  }
  if (problems.length > 0)
    throw new Error(`${file} is not a valid backend file:\n  - ${problems.join("\n  - ")}`);
  return {
    bucket: s3.bucket as string,
    region: s3.region as string,
    encrypt: true,
    useLockfile: true,
    keyPrefix: s3.key as string,
  };
}
