import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { localPaths, PROJECT_ROOT } from "./terraform";

/**
 * The emulator speaks HTTPS with a certificate made for this checkout (`.local/emulator/`), so bucket
 * policies that refuse plain HTTP (aws:SecureTransport) hold locally too, and clients verify the
 * emulator instead of turning verification off. Terraform gets it as AWS_CA_BUNDLE.
 */
export function emulatorCertificate(projectRoot: string = PROJECT_ROOT): { cert: string; key: string } {
  const dir = path.join(localPaths(projectRoot).dir, "emulator");
  return { cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") };
}

/** Creates the emulator's self-signed certificate (127.0.0.1 and localhost) unless it exists. */
export function ensureEmulatorCertificate(projectRoot: string = PROJECT_ROOT): { cert: string; key: string } {
  const files = emulatorCertificate(projectRoot);
  if (fs.existsSync(files.cert) && fs.existsSync(files.key)) return files;
  fs.mkdirSync(path.dirname(files.cert), { recursive: true });
  const made = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "825"]
      .concat(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
      .concat(["-keyout", files.key, "-out", files.cert]),
    { encoding: "utf8" },
  );
  if (made.status !== 0) {
    throw new Error(
      `Cannot create the emulator's TLS certificate with openssl (install OpenSSL): ${made.error?.message ?? made.stderr}`,
    );
  }
  return files;
}

/** The certificate, for clients that must trust the emulator; undefined before it exists. */
export function emulatorCa(): Buffer | undefined {
  const { cert } = emulatorCertificate();
  return fs.existsSync(cert) ? fs.readFileSync(cert) : undefined;
}
