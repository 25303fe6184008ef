/**
 * An uploads bucket as the upload sweep's S3 calls see it (test/state-machine-runner.ts answers its tasks from
 * here): keys in order, pages of MaxKeys with continuation tokens, multipart uploads with key and upload-id
 * markers, Quiet DeleteObjects that answers only the keys it could not delete, and the metrics published.
 */
import type { Block } from "./helpers";
import type { ServiceCall } from "./state-machine-runner";

const DAY = 86_400_000;
/** An ISO date `days` before `started`. */
export const daysBefore = (started: string, days: number) =>
  new Date(Date.parse(started) - days * DAY).toISOString();

export interface Upload {
  Key: string;
  UploadId: string;
  Initiated: string;
}

export class FakeUploadsBucket {
  constructor(
    readonly name: string,
    readonly started: string,
  ) {}

  readonly objects = new Map<string, string>();
  uploads: Upload[] = [];
  versioning?: "Enabled" | "Suspended";
  /** Keys S3 refuses to delete (AccessDenied in DeleteObjects' Errors). */
  readonly undeletable = new Set<string>();
  readonly deleteBatches: string[][] = [];
  readonly metrics: Block[] = [];

  put(key: string, ageDays: number): void {
    this.objects.set(key, daysBefore(this.started, ageDays));
  }

  readonly call: ServiceCall = async (service, action, args) => {
    if (service === "s3" && args.Bucket !== this.name)
      throw new Error(`not the uploads bucket: ${args.Bucket}`);
    switch (`${service}:${action}`) {
      case "s3:getBucketVersioning":
        return this.versioning ? { Status: this.versioning } : {};
      case "s3:listObjectsV2": {
        const keys = [...this.objects.keys()].sort();
        const from = args.ContinuationToken ? keys.findIndex((k) => k > args.ContinuationToken) : 0;
        const page = keys.slice(
          from < 0 ? keys.length : from,
          (from < 0 ? keys.length : from) + args.MaxKeys,
        );
        const more = (from < 0 ? keys.length : from) + page.length < keys.length;
        return {
          KeyCount: page.length,
          IsTruncated: more,
          ...(page.length
            ? { Contents: page.map((Key) => ({ Key, LastModified: this.objects.get(Key) })) }
            : {}),
          ...(more ? { NextContinuationToken: page[page.length - 1] } : {}),
        };
      }
      case "s3:deleteObjects": {
        const keys = (args.Delete.Objects as Array<{ Key: string }>).map((o) => o.Key);
        expect(args.Delete.Quiet).toBe(true);
        this.deleteBatches.push(keys);
        const errors = keys.filter((k) => this.undeletable.has(k));
        for (const key of keys) if (!this.undeletable.has(key)) this.objects.delete(key);
        return errors.length ? { Errors: errors.map((Key) => ({ Key, Code: "AccessDenied" })) } : {};
      }
      case "s3:listMultipartUploads": {
        const sorted = [...this.uploads].sort(
          (a, b) => a.Key.localeCompare(b.Key) || a.UploadId.localeCompare(b.UploadId),
        );
        const after = args.KeyMarker
          ? sorted.findIndex((u) => u.Key === args.KeyMarker && u.UploadId === args.UploadIdMarker) + 1
          : 0;
        const page = sorted.slice(after, after + args.MaxUploads);
        const more = after + page.length < sorted.length;
        return {
          IsTruncated: more,
          ...(page.length ? { Uploads: page } : {}),
          ...(more
            ? { NextKeyMarker: page[page.length - 1].Key, NextUploadIdMarker: page[page.length - 1].UploadId }
            : {}),
        };
      }
      case "s3:abortMultipartUpload": {
        const before = this.uploads.length;
        this.uploads = this.uploads.filter((u) => !(u.Key === args.Key && u.UploadId === args.UploadId));
        if (this.uploads.length === before) throw Object.assign(new Error("gone"), { name: "NoSuchUpload" });
        return {};
      }
      case "cloudwatch:putMetricData":
        this.metrics.push(args);
        return {};
    }
    throw new Error(`the fake bucket does not answer ${service}:${action}`);
  };
}
