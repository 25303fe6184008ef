/**
 * A small HTTPS server that plays the Rails app for the browser test (test/e2e/browser-upload.ts): the page, the
 * JavaScript of @rails/activestorage, Active Storage's direct-upload endpoint presigning exactly as its S3
 * service does, and the multipart endpoints of examples/rails/app/controllers/multipart_uploads_controller.rb
 * (create, sign parts, complete, abort) and a presigned download, against the real uploads bucket.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { join } from "node:path";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ROOT } from "./local-run";

/** Seconds a presigned URL lives: ActiveStorage.service_urls_expire_in's default, 5 minutes. */
const URL_EXPIRES_IN = 300;
/** The multipart upload's part size: S3's smallest, so the test's 11 MiB file has three parts. */
const PART_SIZE = 5 * 1024 * 1024;

/** A blob as Active Storage's direct-upload endpoint records it before the file arrives. */
export interface DirectUploadBlob {
  readonly key: string;
  readonly filename: string;
  readonly content_type: string;
  readonly byte_size: number;
  readonly checksum: string;
  readonly signed_id: string;
}

export interface RailsSide {
  readonly port: number;
  /** What the endpoints handed out, for the test to compare with what reached the bucket. */
  readonly blobs: DirectUploadBlob[];
  readonly directUploadUrls: string[];
  close(): Promise<void>;
}

/**
 * `Content-Disposition` as ActionDispatch::Http::ContentDisposition.format writes it for Active Storage: the
 * ASCII filename with other characters replaced by "?" and then percent-escaped, and the UTF-8 one (RFC 5987).
 */
export function contentDisposition(disposition: "inline" | "attachment", filename: string): string {
  const ascii = filename
    .replace(/[^\x20-\x7e]/g, "?")
    .replace(/[^ A-Za-z0-9!#$+.^_`|~-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const utf8 = encodeURIComponent(filename).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

/** ActiveStorage::Blob.generate_unique_secure_token: 28 characters of base 36. */
function blobKey(): string {
  const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  return [...randomBytes(28)].map((b) => alphabet[b % 36]).join("");
}

async function jsonBody(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function send(res: ServerResponse, status: number, body: string | Buffer, type: string): void {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, JSON.stringify(value), "application/json");

/** Starts the server on 127.0.0.1 with the given certificate; `s3` reaches the bucket with the app's rights. */
export async function startRailsSide(opts: {
  s3: S3Client;
  bucket: string;
  tls: { cert: string; key: string };
}): Promise<RailsSide> {
  const { s3, bucket } = opts;
  const csrfToken = randomBytes(32).toString("base64");
  const blobs: DirectUploadBlob[] = [];
  const directUploadUrls: string[] = [];
  const activeStorage = readFileSync(
    join(
      ROOT,
      "node_modules",
      "@rails",
      "activestorage",
      "app",
      "assets",
      "javascripts",
      "activestorage.esm.js",
    ),
  );
  const pageScript = readFileSync(join(__dirname, "browser", "uploads.mjs"));
  const page = [
    "<!doctype html><html><head><meta charset='utf-8'>",
    `<meta name="csrf-token" content="${csrfToken}">`,
    "<script type='module' src='/assets/uploads.mjs'></script>",
    "</head><body><h1>Uploads</h1></body></html>",
  ].join("");

  // ActiveStorage::DirectUploadsController#create: the blob, and where and how the browser PUTs the file.
  async function createDirectUpload(req: IncomingMessage, res: ServerResponse) {
    const { blob } = await jsonBody(req);
    const key = blobKey();
    // ActiveStorage::Service::S3Service#url_for_direct_upload: presigned PUT with content_type,
    // content_length and content_md5, content-length signed too (whitelist_headers: ["content-length"]).
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: blob.content_type,
        ContentLength: blob.byte_size,
        ContentMD5: blob.checksum,
      }),
      // The JavaScript presigner leaves Content-Type unsigned unless told; Ruby's signs all three.
      {
        expiresIn: URL_EXPIRES_IN,
        signableHeaders: new Set(["content-type", "content-md5", "content-length"]),
      },
    );
    directUploadUrls.push(url);
    const record: DirectUploadBlob = {
      key,
      filename: blob.filename,
      content_type: blob.content_type,
      byte_size: blob.byte_size,
      checksum: blob.checksum,
      signed_id: `signed-${key}`,
    };
    blobs.push(record);
    json(res, 200, {
      ...record,
      direct_upload: {
        url,
        // ActiveStorage::Service::S3Service#headers_for_direct_upload
        headers: {
          "Content-Type": blob.content_type,
          "Content-MD5": blob.checksum,
          "Content-Disposition": contentDisposition("inline", blob.filename),
        },
      },
    });
  }

  // MultipartUploadsController of examples/rails: the app starts, signs, completes and aborts; the browser holds
  // only a token naming the upload (there a signed message, here a random name for what the server remembers).
  const uploads = new Map<string, { key: string; uploadId: string; byteSize: number }>();
  async function multipart(action: string, req: IncomingMessage, res: ServerResponse) {
    const body = await jsonBody(req);
    if (action === "create") {
      const key = blobKey();
      const { UploadId } = await s3.send(
        new CreateMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          ContentType: body.content_type,
          ContentDisposition: contentDisposition("attachment", body.filename),
        }),
      );
      const token = randomBytes(16).toString("hex");
      uploads.set(token, { key, uploadId: UploadId!, byteSize: body.byte_size });
      return json(res, 200, { token, part_size: PART_SIZE });
    }
    const upload = uploads.get(body.token);
    if (!upload) return json(res, 400, { error: "not an upload of this app" });
    if (action === "parts") {
      const last = Math.ceil(upload.byteSize / PART_SIZE);
      const urls: Record<number, string> = {};
      for (const n of body.part_numbers as number[]) {
        if (!(n >= 1 && n <= last)) return json(res, 422, { error: `no part ${n}` });
        // Each part signed for its exact length, so the upload cannot grow past what create accepted.
        const length = n === last ? upload.byteSize - PART_SIZE * (last - 1) : PART_SIZE;
        urls[n] = await getSignedUrl(
          s3,
          new UploadPartCommand({
            Bucket: bucket,
            Key: upload.key,
            UploadId: upload.uploadId,
            PartNumber: n,
            ContentLength: length,
          }),
          { expiresIn: URL_EXPIRES_IN, signableHeaders: new Set(["content-length"]) },
        );
      }
      return json(res, 200, { urls });
    }
    if (action === "complete") {
      const parts = (body.parts as Array<{ part_number: number; etag: string }>)
        .map((p) => ({ PartNumber: p.part_number, ETag: p.etag }))
        .sort((a, b) => a.PartNumber - b.PartNumber);
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: upload.key,
          UploadId: upload.uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
      return json(res, 200, { key: upload.key });
    }
    if (action === "abort") {
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }),
      );
      return json(res, 200, {});
    }
    return json(res, 404, { error: action });
  }

  // ActiveStorage::Service::S3Service#private_url: a presigned GET naming how the browser saves the file.
  async function download(url: URL, res: ServerResponse) {
    const key = url.searchParams.get("key") ?? "";
    const signed = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ResponseContentDisposition: contentDisposition("attachment", url.searchParams.get("filename") ?? key),
      }),
      { expiresIn: URL_EXPIRES_IN },
    );
    json(res, 200, { url: signed });
  }

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "https://app.invalid");
    if (req.method === "GET" && url.pathname === "/") return send(res, 200, page, "text/html; charset=utf-8");
    if (req.method === "GET" && url.pathname === "/assets/activestorage.esm.js") {
      return send(res, 200, activeStorage, "text/javascript");
    }
    if (req.method === "GET" && url.pathname === "/assets/uploads.mjs") {
      return send(res, 200, pageScript, "text/javascript");
    }
    if (req.method === "GET" && url.pathname === "/favicon.ico") return send(res, 204, "", "image/x-icon");
    if (req.method === "GET" && url.pathname === "/uploads/download") return download(url, res);
    // Rails' forgery protection: every POST carries the page's token.
    if (req.method === "POST" && req.headers["x-csrf-token"] !== csrfToken) {
      return json(res, 422, { error: "InvalidAuthenticityToken" });
    }
    if (req.method === "POST" && url.pathname === "/rails/active_storage/direct_uploads") {
      return createDirectUpload(req, res);
    }
    const multipartAction = /^\/uploads\/multipart\/(create|parts|complete|abort)$/.exec(url.pathname);
    if (req.method === "POST" && multipartAction) return multipart(multipartAction[1], req, res);
    return json(res, 404, { error: url.pathname });
  }

  const server: Server = createServer({ cert: opts.tls.cert, key: opts.tls.key }, (req, res) => {
    route(req, res).catch((error: Error) => json(res, 500, { error: error.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    blobs,
    directUploadUrls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Base64 MD5 of some bytes: the checksum Active Storage computes and S3 checks as Content-MD5. */
export const md5Base64 = (bytes: Buffer) => createHash("md5").update(bytes).digest("base64");
