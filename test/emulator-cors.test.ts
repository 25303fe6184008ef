/**
 * The emulator's fifteenth patch (scripts/emulator/moto_server.py): it answers CORS as S3 does, so a browser
 * test against it fails where a browser against S3 would. S3 applies the first rule whose origins match the
 * request's Origin, whose methods hold the method (or a preflight's Access-Control-Request-Method) and whose
 * headers match every header a preflight asks for; with none, the preflight is refused with 403. moto alone
 * answered every preflight with 200 and the whole rule, and put no CORS headers on POSTs, HEADs or errors.
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { emulatorCertificate } from "../scripts/lib/emulator";
import { type OwnEmulator, startOwnEmulator } from "./own-emulator";

const REGION = "us-west-2";
const ORIGIN = "https://app.example.org";
const BUCKET = "cors-rules";
const BARE = "no-cors-rules";
let emulator: OwnEmulator;
let s3: S3Client;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTPS request as a browser sends it, to a path of the emulator or a full (presigned) URL. */
function send(
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  const url = target.startsWith("https://") ? target : `https://127.0.0.1:${emulator.port}${target}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: readFileSync(emulatorCertificate().cert) }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const preflight = (method: string, requestHeaders: string, origin = ORIGIN, bucket = BUCKET) =>
  send("OPTIONS", `/${bucket}/some/key.bin`, {
    Origin: origin,
    "Access-Control-Request-Method": method,
    ...(requestHeaders ? { "Access-Control-Request-Headers": requestHeaders } : {}),
  });

beforeAll(async () => {
  emulator = await startOwnEmulator("cors");
  s3 = new S3Client(emulator.config(REGION));
  for (const bucket of [BUCKET, BARE]) {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
  }
  await s3.send(
    new PutBucketCorsCommand({
      Bucket: BUCKET,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: [ORIGIN],
            AllowedMethods: ["PUT", "GET"],
            AllowedHeaders: ["content-type", "x-amz-*"],
            ExposeHeaders: ["ETag"],
            MaxAgeSeconds: 600,
          },
        ],
      },
    }),
  );
}, 60_000);
afterAll(() => emulator.stop());

describe("the emulator answers a preflight as S3 does", () => {
  it("allows a request the rule allows, echoing the headers asked for", async () => {
    const reply = await preflight("PUT", "Content-Type, x-amz-meta-purpose");
    expect(reply.status).toBe(200);
    expect(reply.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(reply.headers["access-control-allow-methods"]).toBe("PUT, GET");
    // Each header asked for, not the rule's pattern: a browser reads "x-amz-*" as a header of that name.
    expect(reply.headers["access-control-allow-headers"]).toBe("content-type, x-amz-meta-purpose");
    expect(reply.headers["access-control-expose-headers"]).toBe("ETag");
    expect(reply.headers["access-control-max-age"]).toBe("600");
  });

  it("refuses a header the rule does not allow (Content-Disposition)", async () => {
    const reply = await preflight("PUT", "content-type,content-disposition");
    expect(reply.status).toBe(403);
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("refuses a method the rule does not allow", async () => {
    expect((await preflight("DELETE", "")).status).toBe(403);
  });

  it("refuses another origin", async () => {
    expect((await preflight("PUT", "content-type", "https://evil.example.org")).status).toBe(403);
  });

  it("refuses every preflight to a bucket without CORS rules", async () => {
    expect((await preflight("PUT", "content-type", ORIGIN, BARE)).status).toBe(403);
  });
});

describe("the emulator's answer to the actual request carries CORS headers as S3's does", () => {
  it("a presigned PUT from the allowed origin: the origin, and ETag exposed to the page", async () => {
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: "put.txt" }), {
      expiresIn: 300,
    });
    const reply = await send("PUT", url, { Origin: ORIGIN }, "hello");
    expect(reply.status).toBe(200);
    expect(reply.headers.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(reply.headers["access-control-allow-origin"]).toBe(ORIGIN);
    expect(reply.headers["access-control-expose-headers"]).toBe("ETag");
  });

  it("an error answer too, so the page can read why (a GET of a missing key)", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: "missing.txt" }), {
      expiresIn: 300,
    });
    const reply = await send("GET", url, { Origin: ORIGIN });
    expect(reply.status).toBe(404);
    expect(reply.headers["access-control-allow-origin"]).toBe(ORIGIN);
  });

  it("none for a method the rule does not allow, nor for another origin", async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: "put.txt" }), {
      expiresIn: 300,
    });
    const other = await send("GET", url, { Origin: "https://evil.example.org" });
    expect(other.status).toBe(200);
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    const create = await getSignedUrl(
      s3,
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "multipart.bin" }),
      { expiresIn: 300 },
    );
    const post = await send("POST", create, { Origin: ORIGIN });
    expect(post.status).toBe(200);
    expect(post.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
