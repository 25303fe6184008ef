/**
 * The emulator's sixteenth patch (scripts/emulator/moto_server.py): unfinished multipart uploads are listed with
 * the time each started and in pages, as S3 lists them, so the upload sweep aborts the stale ones and only those;
 * and the test header x-moto-age-days dates an object or an upload back, so the sweep meets uploads of given
 * ages (test/e2e/upload-removal.ts). moto alone listed every upload as started on 2010-11-10, in one page.
 */
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { type OwnEmulator, startOwnEmulator } from "./own-emulator";

const BUCKET = "dated-uploads";
const DAY = 86_400_000;
let emulator: OwnEmulator;
let s3: S3Client;

/** A command sent with the emulator's age header. */
function aged<C extends { middlewareStack: any }>(command: C, days: number): C {
  command.middlewareStack.add(
    (next: any) => (args: any) => {
      args.request.headers["x-moto-age-days"] = String(days);
      return next(args);
    },
    { step: "build" },
  );
  return command;
}

beforeAll(async () => {
  emulator = await startOwnEmulator("s3-dates");
  s3 = new S3Client(emulator.config("us-east-1"));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);
afterAll(() => emulator.stop());

describe("unfinished multipart uploads", () => {
  it("are listed with the time each started", async () => {
    const before = Date.now() - 5_000;
    await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "now" }));
    const { Uploads } = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "now" }));
    expect(Uploads).toHaveLength(1);
    expect(Uploads![0].Initiated!.getTime()).toBeGreaterThan(before);
  });

  it("are listed in pages of MaxUploads, by key and upload-id markers, each once", async () => {
    const started: string[] = [];
    for (const key of ["page/a", "page/b", "page/b", "page/c", "page/d"]) {
      started.push((await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }))).UploadId!);
    }
    const seen: string[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (let pages = 1; ; pages++) {
      const page = await s3.send(
        new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "page/", MaxUploads: 2, ...markers }),
      );
      expect(page.Uploads!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Uploads!.map((u) => u.UploadId!));
      if (!page.IsTruncated) {
        expect(pages).toBe(3);
        break;
      }
      markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
    expect(seen.sort()).toEqual([...started].sort());
  });
});

describe("the test header x-moto-age-days", () => {
  it("dates an object back", async () => {
    await s3.send(aged(new PutObjectCommand({ Bucket: BUCKET, Key: "old", Body: "x" }), 12.5));
    const { LastModified } = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "old" }));
    expect((Date.now() - LastModified!.getTime()) / DAY).toBeCloseTo(12.5, 1);
  });

  it("dates a multipart upload back", async () => {
    await s3.send(aged(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: "stale" }), 2));
    const { Uploads } = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: "stale" }));
    expect((Date.now() - Uploads![0].Initiated!.getTime()) / DAY).toBeCloseTo(2, 1);
  });
});
