/**
 * A real browser against the deployed uploads bucket: headless Chromium (the Debian package, driven by
 * playwright-core; nothing downloads a browser) opens the app at https://<domain>, which is the Rails side of
 * test/e2e/rails-side.ts, and uploads through the bucket's synthesized CORS rule over the emulator's HTTPS:
 * Active Storage's own DirectUpload, a multipart upload reading each part's ETag, presigned downloads.
 *
 * The page's origin must be exactly the origin the CORS rule allows, https://<domain> on port 443: Chromium maps
 * that name and port to the test server (--host-resolver-rules), so the page's URL and Origin are the app's.
 * TLS stays on: Chromium accepts only the two keys of this test, the app's and the emulator's
 * (--ignore-certificate-errors-spki-list), and no other certificate error.
 */
import { createHash, X509Certificate } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { chromium } from "playwright-core";
import { loadEnvironment } from "../../config/load";
import { Naming } from "../../constructs/naming";
import { emulatorClientConfig } from "../../scripts/lib/aws";
import { emulatorCertificate } from "../../scripts/lib/emulator";
import { LOCAL_ENVIRONMENT_FILE } from "../../scripts/local/session";
import { APPLICATION } from "../../stacks/names";
import { ROOT } from "./local-run";
import { contentDisposition, md5Base64, startRailsSide } from "./rails-side";

/** The system's Chromium (Debian's `chromium` package); CHROMIUM names another. */
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const MiB = 1024 * 1024;

/** What the page's window.uploadAll() returns (test/e2e/browser/uploads.mjs). */
interface PageResult {
  direct: Failed | { blob: any; sha256: string; download: { status: number; sha256: string } };
  multipart:
    | Failed
    | {
        key: string;
        parts: Array<{ part_number: number; etag: string }>;
        sha256: string;
        download: { status: number; sha256: string };
      };
  refused: Failed | { status: number };
}
interface Failed {
  error: string;
}
const failed = (step: object): step is Failed => "error" in step;

/** A self-signed certificate for the app's domain, made for this run. */
function appCertificate(domain: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), "app-tls-"));
  const files = { cert: join(dir, "cert.pem"), key: join(dir, "key.pem") };
  const made = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"]
      .concat(["-subj", `/CN=${domain}`, "-addext", `subjectAltName=DNS:${domain}`])
      .concat(["-keyout", files.key, "-out", files.cert]),
    { encoding: "utf8" },
  );
  if (made.status !== 0) throw new Error(`openssl could not make the app's certificate: ${made.stderr}`);
  const pem = { cert: readFileSync(files.cert, "utf8"), key: readFileSync(files.key, "utf8") };
  rmSync(dir, { recursive: true, force: true });
  return pem;
}

/** Base64 SHA-256 of a certificate's public key (SPKI), the form Chromium's pin list takes. */
function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

export async function browserUploads(port: number, file = LOCAL_ENVIRONMENT_FILE): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium)`);
  }
  const env = loadEnvironment(file);
  const domain = env.domain.name;
  const bucket = `${new Naming(APPLICATION, env.name).prefix}-uploads-${env.account}`;
  // The app's rights (the emulator checks none); presigning as the Ruby SDK does, with no flexible checksum.
  const s3 = new S3Client({
    ...emulatorClientConfig(port, env.region, ROOT, env.account),
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  const tls = appCertificate(domain);
  const rails = await startRailsSide({ s3, bucket, tls });
  const emulatorCert = readFileSync(emulatorCertificate(ROOT).cert, "utf8");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    // playwright-core starts it with a fresh profile (--user-data-dir) of its own, and --headless.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--host-resolver-rules=MAP ${domain}:443 127.0.0.1:${rails.port}`,
      `--ignore-certificate-errors-spki-list=${spkiHash(tls.cert)},${spkiHash(emulatorCert)}`,
    ],
  });
  const messages: string[] = [];
  let result: PageResult;
  try {
    const page = await browser.newPage();
    page.on("console", (message) => messages.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => messages.push(`page error: ${error.message}`));
    await page.goto(`https://${domain}/`);
    expect(page.url()).toBe(`https://${domain}/`);
    // The functions run in the page, where `globalThis` is its window.
    await page.waitForFunction(() => typeof (globalThis as any).uploadAll === "function");
    result = await page.evaluate(() => (globalThis as any).uploadAll());
  } finally {
    await browser.close();
    await rails.close();
  }
  const said = `\nThe browser said:\n${messages.join("\n")}`;

  // Active Storage's direct upload: one PUT, with the headers its S3 service signs and has the browser send.
  if (failed(result.direct)) throw new Error(`Direct upload failed: ${result.direct.error}${said}`);
  const [blob] = rails.blobs;
  expect(result.direct.blob).toMatchObject({ key: blob.key, signed_id: blob.signed_id });
  expect(new URL(rails.directUploadUrls[0]).searchParams.get("X-Amz-SignedHeaders")).toBe(
    "content-length;content-md5;content-type;host",
  );
  const stored = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: blob.key }));
  expect(stored).toMatchObject({
    ContentType: "application/pdf",
    ContentLength: 1.5 * MiB,
    ContentDisposition: contentDisposition("inline", "résumé 2026.pdf"),
  });
  // The checksum the browser computed is the one S3 checks the body against (Content-MD5).
  const body = Buffer.from(
    await (
      await s3.send(new GetObjectCommand({ Bucket: bucket, Key: blob.key }))
    ).Body!.transformToByteArray(),
  );
  expect(blob.checksum).toBe(md5Base64(body));
  expect(result.direct.download).toEqual({ status: 200, sha256: result.direct.sha256 });

  // The multipart upload: three parts whose ETags the page read from S3's answers, completed by the app.
  if (failed(result.multipart)) throw new Error(`Multipart upload failed: ${result.multipart.error}${said}`);
  expect(result.multipart.parts.map((p) => p.part_number)).toEqual([1, 2, 3]);
  for (const part of result.multipart.parts) expect(part.etag).toMatch(/^"[0-9a-f]{32}"$/);
  const large = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: result.multipart.key }));
  expect(large).toMatchObject({ ContentType: "image/tiff", ContentLength: 11 * MiB });
  expect(large.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
  expect(result.multipart.download).toEqual({ status: 200, sha256: result.multipart.sha256 });

  // What the rule does not allow, the browser does not send.
  expect(result.refused).toEqual({ error: "Failed to fetch" });
}
