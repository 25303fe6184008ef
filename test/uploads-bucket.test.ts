import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Naming } from "../constructs/naming";
import { PrivateBucket } from "../constructs/private-bucket";
import { UploadsBucket, type UploadsBucketProps } from "../constructs/uploads-bucket";
import { type Block, newStack, ref, synthConstruct, type Synthesized, testKey } from "./helpers";
import type { Construct } from "constructs";

const ORIGIN = "https://myamazingapp.cdlib.org";
/** Props for an uploads bucket in `scope`, with its own key and access-log bucket there. */
const propsIn = (scope: Construct): UploadsBucketProps => ({
  bucketName: "myamazingapp-test-uploads",
  allowedOrigins: [ORIGIN],
  expireAfterDays: 9,
  abortIncompleteUploadsAfterDays: 2,
  forceDestroy: false,
  encryptionKey: testKey(scope, "data", new Naming("myamazingapp", "test")),
  accessLogBucket: new PrivateBucket(scope, "access-logs", {
    bucketName: "myamazingapp-test-access-logs",
    forceDestroy: false,
  }),
});

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** The mission's promise: no upload is kept 14 days. */
const PROMISED_DAYS = 14;

/**
 * When S3 expires an object: creation time plus N days, rounded up to the next midnight UTC
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html).
 */
function s3ExpiresAt(createdAt: number, days: number): number {
  return Math.ceil((createdAt + days * DAY) / DAY) * DAY;
}

/** The oldest an object gets under an N-day rule, over creation times spread across a whole UTC day. */
function worstCaseAge(days: number): number {
  const midnight = Date.UTC(2025, 0, 6);
  const createdAt = [midnight, midnight + 1, midnight + DAY - 1];
  for (let t = midnight; t < midnight + DAY; t += 60_000) createdAt.push(t);
  return Math.max(...createdAt.map((t) => s3ExpiresAt(t, days) - t));
}

// Constructors that must throw (or not) share one stack that is never synthesized.
const scratch = newStack();
const props = propsIn(scratch);
let built = 0;
const build = (overrides: Partial<UploadsBucketProps>) =>
  new UploadsBucket(scratch, `uploads-${built++}`, { ...props, ...overrides });

describe("UploadsBucket", () => {
  let synth: Synthesized;
  let uploads: UploadsBucket;
  let role: IamRole;
  let rules: Block[];
  let key: string;
  let logBucket: PrivateBucket;
  beforeAll(() => {
    synth = synthConstruct((scope) => {
      const inScope = propsIn(scope);
      key = ref(inScope.encryptionKey.key, "arn");
      logBucket = inScope.accessLogBucket;
      uploads = new UploadsBucket(scope, "uploads", inScope);
      role = new IamRole(scope, "task-role", { name: "task", assumeRolePolicy: "{}" });
      uploads.grantReadWrite(role);
    });
    rules = synth.resources("aws_s3_bucket_lifecycle_configuration")[0].rule;
  });
  const rule = (id: string) => {
    const found = rules.filter((r) => r.id === id);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ status: "Enabled", filter: [{ prefix: "" }] });
    return found[0];
  };

  describe("lifecycle", () => {
    it("expires every upload after expireAfterDays", () => {
      expect(synth.resources("aws_s3_bucket_lifecycle_configuration")).toHaveLength(1);
      expect(rule("expire-uploads").expiration).toEqual([{ days: 9 }]);
    });

    it("applies expireAfterDays to the whole bucket (empty prefix filter, enabled)", () => {
      expect(synth.resources("aws_s3_bucket_lifecycle_configuration")[0].bucket).toBe(
        ref(uploads.bucket.bucket, "id"),
      );
      // Another value than the shared props' 9, so a rule that ignored the setting would show.
      const other = synthConstruct((scope) => {
        new UploadsBucket(scope, "uploads", { ...propsIn(scope), expireAfterDays: 11 });
      });
      const [lifecycle] = other.resources("aws_s3_bucket_lifecycle_configuration");
      expect(lifecycle.rule.find((r: Block) => r.id === "expire-uploads")).toMatchObject({
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ days: 11 }],
      });
    });

    it("models S3's rounding: an N-day rule can keep an object N days plus almost a day", () => {
      // Documented example: created 2014-01-15 10:30 UTC with a 3-day rule expires 2014-01-19 00:00 UTC.
      expect(s3ExpiresAt(Date.UTC(2014, 0, 15, 10, 30), 3)).toBe(Date.UTC(2014, 0, 19));
      expect(worstCaseAge(12)).toBeGreaterThan(12 * DAY + 23 * HOUR);
      expect(worstCaseAge(12)).toBeLessThan(13 * DAY);
    });

    it("expires every upload before it is 14 days old, for every expireAfterDays it accepts", () => {
      const accepted = [...Array(21).keys()].filter((days) => {
        try {
          build({ expireAfterDays: days, abortIncompleteUploadsAfterDays: 1 });
          return true;
        } catch {
          return false;
        }
      });
      expect(accepted).toContain(12);
      expect(accepted).not.toContain(13);
      for (const days of accepted) expect(worstCaseAge(days)).toBeLessThan(PROMISED_DAYS * DAY);
      // The refusal is not over-cautious: the first refused value really could reach 14 days.
      const firstRefused = Math.max(...accepted) + 1;
      expect(worstCaseAge(firstRefused)).toBeGreaterThanOrEqual(PROMISED_DAYS * DAY - HOUR);
    });

    it("accepts 12 days (the daily sweep deletes by 13 days and an hour)", () => {
      expect(() => build({ expireAfterDays: 12 })).not.toThrow();
    });

    it.each([13, 14, 15, 0, -1, 11.5])("refuses expireAfterDays %p", (expireAfterDays) => {
      expect(() => build({ expireAfterDays, abortIncompleteUploadsAfterDays: 1 })).toThrow(
        /UploadsBucket:[^]*expireAfterDays: .* is out of range; allowed: 1 to 12 days; the daily sweep deletes/,
      );
    });

    it("accepts expireAfterDays 1, the documented lower bound", () => {
      expect(() => build({ expireAfterDays: 1, abortIncompleteUploadsAfterDays: 1 })).not.toThrow();
    });

    it("aborts incomplete multipart uploads after abortIncompleteUploadsAfterDays, freeing their parts", () => {
      expect(rule("abort-incomplete-multipart-uploads").abort_incomplete_multipart_upload).toEqual([
        { days_after_initiation: 2 },
      ]);
    });

    it.each([0, 4])("refuses abortIncompleteUploadsAfterDays %p (1 to 3)", (days) => {
      expect(() => build({ abortIncompleteUploadsAfterDays: days })).toThrow(
        /UploadsBucket: abortIncompleteUploadsAfterDays: \d+ is out of range; allowed: 1 to 3/,
      );
    });

    it("refuses to keep unfinished uploads longer than finished ones", () => {
      expect(() => build({ expireAfterDays: 2, abortIncompleteUploadsAfterDays: 3 })).toThrow(
        /UploadsBucket: abortIncompleteUploadsAfterDays: 3 is above the expiry of 2 days; allowed: 1 to 2/,
      );
    });

    it("never versions the bucket: no aws_s3_bucket_versioning resource at all", () => {
      expect(synth.resources("aws_s3_bucket_versioning")).toEqual([]);
      expect(synth.of(uploads.bucket.bucket).versioning).toBeUndefined();
    });

    it("expires noncurrent versions after 1 day and cleans up delete markers, should versioning be enabled", () => {
      expect(rule("remove-noncurrent-versions")).toMatchObject({
        noncurrent_version_expiration: [{ noncurrent_days: 1 }],
        expiration: [{ expired_object_delete_marker: true }],
      });
    });

    it("is a PrivateBucket (public access blocked, TLS only)", () => {
      const mine = (type: string) =>
        synth.resources(type).filter((r) => r.bucket === ref(uploads.bucket.bucket, "id"));
      expect(mine("aws_s3_bucket_public_access_block")).toHaveLength(1);
      expect(mine("aws_s3_bucket_policy")[0].policy).toContain("aws:SecureTransport");
    });
  });

  describe("CORS", () => {
    let cors: Block[];
    beforeAll(() => {
      cors = synth.resources("aws_s3_bucket_cors_configuration")[0].cors_rule;
    });

    it("allows only the given https origin, never '*'", () => {
      expect(cors).toHaveLength(1);
      expect(cors[0].allowed_origins).toEqual([ORIGIN]);
      expect(JSON.stringify(cors)).not.toContain('"*"');
    });

    it("allows PUT (direct uploads and multipart parts) and exposes ETag (to complete the upload)", () => {
      expect(cors[0].allowed_methods).toContain("PUT");
      expect(cors[0].expose_headers).toEqual(["ETag"]);
    });

    it("lets the browser only PUT, GET and HEAD: the app creates, completes and aborts uploads", () => {
      expect([...cors[0].allowed_methods].sort()).toEqual(["GET", "HEAD", "PUT"]);
    });

    /** Whether S3 lets a preflight ask for `header`: some allowed header matches it, `*` matching any run. */
    const allowed = (header: string) =>
      (cors[0].allowed_headers as string[]).some((pattern) =>
        new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`, "i").test(header),
      );

    it.each([
      // ActiveStorage::Service::S3Service#headers_for_direct_upload (Rails 7.1 to 8.1)
      "Content-Type",
      "Content-MD5",
      "Content-Disposition",
      "x-amz-meta-purpose", // custom metadata
      "x-amz-checksum-sha256", // the checksum of Rails' main branch
    ])("allows the header %s that Active Storage's direct upload sends", (header) => {
      expect(allowed(header)).toBe(true);
    });

    it.each(["Authorization", "X-Forwarded-For", "Cache-Control"])(
      "allows no other header (%s)",
      (header) => {
        expect(allowed(header)).toBe(false);
      },
    );

    it.each([
      ["plain http", ["http://myamazingapp.cdlib.org"]],
      ["a wildcard", ["*"]],
      ["a wildcard subdomain", ["https://*.cdlib.org"]],
      ["a path", ["https://myamazingapp.cdlib.org/upload"]],
      ["no origin", []],
      ["one bad origin among good ones", [ORIGIN, "*"]],
    ])("refuses allowedOrigins with %s", (_why, allowedOrigins) => {
      expect(() => build({ allowedOrigins })).toThrow(/UploadsBucket: allowedOrigins: must be https origins/);
    });
  });

  describe("protection", () => {
    it("encrypts every file with the customer-managed key, with an S3 Bucket Key", () => {
      const [sse] = synth
        .resources("aws_s3_bucket_server_side_encryption_configuration")
        .filter((r) => r.bucket === ref(uploads.bucket.bucket, "id"));
      expect(sse.rule).toEqual([
        {
          apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: key },
          bucket_key_enabled: true,
        },
      ]);
    });

    it("is never versioned, so no old copy outlives the expiry", () => {
      expect(
        synth
          .resources("aws_s3_bucket_versioning")
          .filter((r) => r.bucket === ref(uploads.bucket.bucket, "id")),
      ).toEqual([]);
    });

    it("sends its access logs to the log bucket, which lets only S3 logging for this bucket write there", () => {
      const [logging] = synth.resources("aws_s3_bucket_logging");
      expect(logging).toMatchObject({
        bucket: ref(uploads.bucket.bucket, "id"),
        target_bucket: ref(logBucket.bucket, "id"),
        target_prefix: `s3/${ref(uploads.bucket.bucket, "bucket")}/`,
      });
      const [policy] = synth
        .resources("aws_s3_bucket_policy")
        .filter((r) => r.bucket === ref(logBucket.bucket, "id"));
      expect(JSON.parse(policy.policy).Statement).toContainEqual(
        expect.objectContaining({
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${ref(logBucket.bucket, "arn")}/s3/${ref(uploads.bucket.bucket, "bucket")}/*`,
          Condition: { ArnLike: { "aws:SourceArn": ref(uploads.bucket.bucket, "arn") } },
        }),
      );
    });
  });

  describe("grantReadWrite", () => {
    let statements: Block[];
    beforeAll(() => {
      const policies = synth.resources("aws_iam_role_policy").filter((p) => p.name === "uploads-read-write");
      expect(policies).toHaveLength(1);
      expect(policies[0].role).toBe(ref(role, "id"));
      statements = JSON.parse(policies[0].policy).Statement;
    });

    it("lets the role use the bucket's key, and only that key", () => {
      const grants = synth.resources("aws_iam_role_policy").filter((p) => p.name !== "uploads-read-write");
      expect(grants).toEqual([expect.objectContaining({ role: ref(role, "id") })]);
      expect(JSON.parse(grants[0].policy).Statement).toEqual([
        expect.objectContaining({ Effect: "Allow", Resource: key }),
      ]);
    });

    it("grants only S3 object and bucket actions on this bucket's ARN", () => {
      const arn = ref(uploads.bucket.bucket, "arn");
      for (const statement of statements) {
        expect(statement.Effect).toBe("Allow");
        expect([statement.Resource].flat().every((r: string) => r === arn || r === `${arn}/*`)).toBe(true);
      }
      const objects = statements.find((s) => s.Resource === `${arn}/*`);
      expect(objects?.Action).toEqual(
        expect.arrayContaining(["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]),
      );
      expect(objects?.Action).toContain("s3:AbortMultipartUpload");
    });

    it("grants no '*' resource and no s3:* (or other wildcard) action", () => {
      const actions = statements.flatMap((s) => [s.Action].flat());
      const resources = statements.flatMap((s) => [s.Resource].flat());
      expect(resources).not.toContain("*");
      for (const action of actions) expect(action).toMatch(/^s3:[A-Za-z]+$/);
      expect(actions.some((a) => /^s3:(Put|Delete)Bucket/.test(a))).toBe(false);
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
