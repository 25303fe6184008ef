/**
 * The one file of accepted exceptions. Each names the rule, the resource (its construct path; `*` matches within
 * one path segment, `**` across segments), the stacks when not all, and the reason a security reviewer accepts. A test lists them, so a new one
 * shows in review.
 */
export interface Suppression {
  readonly rule: string;
  /** Construct path without the stack name, e.g. `uploads/files/bucket`; `*` matches in one segment, `**` across. */
  readonly resource: string;
  /** Stacks the exception holds for; every stack when absent. */
  readonly stacks?: readonly string[];
  readonly reason: string;
}

/** The stacks of the environments that deploy to the local emulator, side by side. */
const LOCAL = ["myamazingapp-local", "myamazingapp-localwest"];

export const SUPPRESSIONS: readonly Suppression[] = [
  {
    rule: "s3-versioning",
    resource: "uploads/files/bucket",
    reason:
      "Every upload must be gone within 14 days; a versioned bucket would keep deleted and overwritten files as noncurrent versions past that promise.",
  },
  {
    rule: "s3-encrypted-with-kms",
    resource: "load-balancer/access-logs/bucket",
    reason:
      "Load balancer access log delivery and S3 server access logging write only to buckets encrypted with SSE-S3; the bucket holds logs, not user data, and is private and TLS-only.",
  },
  {
    rule: "s3-access-logging",
    resource: "load-balancer/access-logs/bucket",
    reason:
      "This is the log bucket that the other buckets' server access logs go to; logging it into itself would log its own log writes without end.",
  },
  {
    rule: "secrets-rotated",
    resource: "secrets/*",
    reason:
      "These hold credentials issued by external services (ORCID, the Rails master key and secret key base) that only their owners can rotate; operators rotate them with put-secret-value. The database password is rotated by RDS itself.",
  },
  {
    rule: "sg-ingress-restricted",
    resource: "load-balancer/ingress-80-*",
    reason:
      "Port 80 of the load balancer only answers with a permanent redirect to HTTPS; nothing is served over plain HTTP.",
  },
  {
    rule: "codebuild-not-privileged",
    resource: "delivery/build/project",
    reason:
      "Building a container image needs the Docker daemon, which needs privileged mode; the build step runs only the app repository's Dockerfile, and its role may push to this environment's repository and nothing else.",
  },
  {
    rule: "codebuild-not-privileged",
    resource: "delivery/promote/project",
    reason:
      "Copying the released image by digest (docker pull, tag, push) needs the Docker daemon, which needs privileged mode; the promote step runs no code of the app, and its role may pull from the source environment's repository and push to its own, nothing else.",
  },
  {
    rule: "iam-no-credentials-exposure",
    resource: "delivery/promote/policy",
    reason:
      "ecr:GetAuthorizationToken has no resource-level permission; the registry tokens it returns let the promote role do only what its repository-scoped ECR permissions allow (pull from the source repository, push to this environment's).",
  },
  {
    rule: "iam-no-credentials-exposure",
    resource: "delivery/build/policy",
    reason:
      "ecr:GetAuthorizationToken has no resource-level permission; the registry token it returns lets the build role do only what its repository-scoped ECR permissions allow (push to this environment's repository).",
  },
  {
    rule: "logs-kept-a-year",
    resource: "**",
    stacks: ["myamazingapp-staging", ...LOCAL],
    reason:
      "Staging serves test traffic and the local emulator is thrown away; their logs are not records anyone must keep (production keeps a year).",
  },
  {
    rule: "rds-deletion-protection",
    resource: "database/postgres",
    stacks: LOCAL,
    reason: "The local emulator's database is created and destroyed by every end-to-end run.",
  },
  {
    rule: "lb-hardened",
    resource: "load-balancer/alb",
    stacks: LOCAL,
    reason:
      "The local emulator's load balancer is destroyed by every end-to-end run (teardown.loadBalancerDeletionProtection is false there only).",
  },
  {
    rule: "rds-performance-insights",
    resource: "database/postgres",
    stacks: LOCAL,
    reason:
      "The emulator ignores Performance Insights and reports it off, so every plan would try to turn it on (a documented local gap).",
  },
  {
    rule: "rds-enhanced-monitoring",
    resource: "database/postgres",
    stacks: LOCAL,
    reason:
      "The emulator does not keep Enhanced Monitoring settings, so every plan would set them again (a documented local gap).",
  },
];
