import type { Case, FamilyRuleId } from "./harness";

const UPLOADS = "uploads/files/bucket";

export const s3Cases: Record<FamilyRuleId<"s3">, Case> = {
  "s3-public-access-blocked": {
    breaks: [
      {
        what: "the uploads bucket no longer restricts public buckets",
        at: UPLOADS,
        apply: (s) => (s.block("uploads/files/public-access-block").restrict_public_buckets = false),
      },
      {
        what: "the artifact bucket loses its public access block",
        at: "delivery/artifacts/bucket",
        apply: (s) => s.remove("delivery/artifacts/public-access-block"),
      },
    ],
  },
  "s3-acls-disabled": {
    breaks: [
      {
        what: "the uploads bucket lets object writers own objects (ACLs on)",
        at: UPLOADS,
        apply: (s) => (s.block("uploads/files/ownership").rule = { object_ownership: "ObjectWriter" }),
      },
    ],
  },
  "s3-encrypted-with-kms": {
    breaks: [
      {
        what: "the uploads bucket falls back to SSE-S3",
        at: UPLOADS,
        apply: (s) =>
          (s.block("uploads/files/encryption").rule = [
            { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
          ]),
      },
    ],
  },
  "s3-tls-only": {
    breaks: [
      {
        what: "the uploads bucket policy stops denying plain HTTP",
        at: UPLOADS,
        apply: (s) =>
          s.editPolicy("uploads/files/policy", (st) => st.filter((x) => x.Sid !== "DenyInsecureTransport")),
      },
    ],
  },
  "s3-versioning": {
    breaks: [
      {
        what: "the artifact bucket suspends versioning",
        at: "delivery/artifacts/bucket",
        apply: (s) =>
          (s.block("delivery/artifacts/versioning").versioning_configuration = { status: "Suspended" }),
      },
    ],
  },
  "s3-access-logging": {
    breaks: [
      {
        what: "the uploads bucket stops logging access",
        at: UPLOADS,
        apply: (s) => s.remove("uploads/files/access-logs"),
      },
    ],
  },
  "s3-lifecycle": {
    breaks: [
      {
        what: "the uploads bucket stops aborting unfinished multipart uploads",
        at: UPLOADS,
        apply: (s) => {
          const lifecycle = s.block("uploads/lifecycle");
          lifecycle.rule = lifecycle.rule.filter(
            (r: { abort_incomplete_multipart_upload?: unknown }) => !r.abort_incomplete_multipart_upload,
          );
        },
      },
      {
        what: "the uploads expiry rule is disabled",
        at: UPLOADS,
        apply: (s) => {
          const lifecycle = s.block("uploads/lifecycle");
          for (const r of lifecycle.rule) if (r.expiration) r.status = "Disabled";
        },
      },
    ],
  },
  "s3-policy-not-public": {
    breaks: [
      {
        what: "the uploads bucket policy lets anyone read",
        at: UPLOADS,
        apply: (s) =>
          s.editPolicy("uploads/files/policy", (st) => [
            ...st,
            { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" },
          ]),
      },
    ],
  },
};
