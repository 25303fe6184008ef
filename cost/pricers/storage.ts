/**
 * S3 and ECR. A bucket's size follows from what flows into it and how long its lifecycle rule keeps it: the
 * uploads bucket (the one browsers upload to, with a CORS rule) holds each day's uploads until they expire; the log
 * archive (where Firehose writes) holds the log volume through its storage-class transitions until it expires.
 * Any other bucket (access logs, pipeline artifacts) and the image repository are usage-priced.
 */
import { line, type CostLine, type Pricer, type PricingContext } from "../lines";
import { block, blocks, num, refersTo, type CostResource, type Values } from "../resources";
import { DAYS_PER_MONTH } from "../usage";

/** A whole-bucket lifecycle: the storage class from each day on, and when objects expire. */
interface Lifecycle {
  transitions: Array<{ days: number; storageClass: string }>;
  expirationDays?: number;
}

const enabled = (rule: Values) => rule.status === undefined || rule.status === "Enabled";

/** A rule applies to the whole bucket when it has no filter, or an empty prefix and nothing else. */
function wholeBucket(rule: Values): boolean {
  const filter = block(rule.filter);
  if (!filter) return rule.prefix === undefined || rule.prefix === "";
  const prefix = filter.prefix;
  const others = ["tag", "and", "object_size_greater_than", "object_size_less_than"].some((k) => {
    const v = filter[k];
    return v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== "";
  });
  return (prefix === undefined || prefix === null || prefix === "") && !others;
}

function lifecycleOf(ctx: PricingContext, bucket: CostResource): Lifecycle {
  const rules = ctx
    .of("aws_s3_bucket_lifecycle_configuration")
    .filter((c) => refersTo(c.values.bucket, bucket))
    .flatMap((c) => blocks(c.values.rule))
    .filter((r) => enabled(r) && wholeBucket(r));
  const expirations = rules
    .map((r) => num(block(r.expiration)?.days))
    .filter((d): d is number => d !== undefined && d > 0);
  const transitions = rules
    .flatMap((r) => blocks(r.transition))
    .map((t) => ({ days: num(t.days) ?? 0, storageClass: String(t.storage_class) }))
    .sort((a, b) => a.days - b.days);
  return { transitions, expirationDays: expirations.length > 0 ? Math.min(...expirations) : undefined };
}

/**
 * The GB-months of each storage class a bucket holds once full, with `perDay` GB arriving every day: each class
 * holds the days between its transition and the next (or the expiration); without an expiration, a year of growth.
 */
function steadyState(
  life: Lifecycle,
  perDay: number,
): Array<{ storageClass: string; gib: number; days: number }> {
  const end = life.expirationDays ?? 365;
  const phases = [{ days: 0, storageClass: "STANDARD" }, ...life.transitions.filter((t) => t.days < end)];
  return phases.map((p, i) => {
    const until = i + 1 < phases.length ? phases[i + 1].days : end;
    return { storageClass: p.storageClass, gib: perDay * (until - p.days), days: until - p.days };
  });
}

function heldLines(
  ctx: PricingContext,
  item: string,
  bucket: CostResource,
  perDay: number,
  inflow: string,
): CostLine[] {
  const life = lifecycleOf(ctx, bucket);
  const kept =
    life.expirationDays === undefined
      ? "never expires: shown after a year"
      : `expires after ${life.expirationDays} days`;
  return steadyState(life, perDay).map((phase) => {
    const price = ctx.prices.find("s3-storage-gb-month", phase.storageClass);
    const what = `${item}, ${phase.storageClass}`;
    if (!price)
      return line.of(line.unpriced(what, [bucket], `no price for S3 ${phase.storageClass}`), bucket);
    return line.of(
      line.assumed(
        what,
        [bucket],
        phase.gib,
        `${round(perDay)} GiB a day × ${phase.days} days`,
        price,
        `${inflow}; ${kept}`,
      ),
      bucket,
    );
  });
}

const round = (n: number) => Number(n.toPrecision(3)).toString();

function buckets(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_s3_bucket");
  if (all.length === 0) return [];
  const uploads = all.filter((b) =>
    ctx.of("aws_s3_bucket_cors_configuration").some((c) => refersTo(c.values.bucket, b)),
  );
  const archives = all.filter((b) =>
    ctx
      .of("aws_kinesis_firehose_delivery_stream")
      .some((s) => refersTo(block(s.values.extended_s3_configuration)?.bucket_arn, b)),
  );
  const lines: CostLine[] = [];
  for (const b of uploads)
    lines.push(...heldLines(ctx, "Uploads", b, ctx.usage.uploadsGiBPerDay, "uploadsGiBPerDay"));
  for (const b of archives.filter((a) => !uploads.includes(a)))
    lines.push(
      ...heldLines(
        ctx,
        "Log archive",
        b,
        ctx.usage.logsGiBPerMonth / DAYS_PER_MONTH,
        "logsGiBPerMonth, counted uncompressed (Firehose gzips it: an upper bound)",
      ),
    );
  const rest = all.filter((b) => !uploads.includes(b) && !archives.includes(b));
  const standard = ctx.prices.get("s3-storage-gb-month", "STANDARD");
  if (rest.length > 0)
    lines.push(
      line.usagePriced(
        "S3 storage of the other buckets",
        rest,
        standard.usd,
        standard.unit,
        [standard.id],
        "access logs and pipeline artifacts, kept as their lifecycle rules say; their size is not assumed",
      ),
    );
  const put = ctx.prices.get("s3-put-1k");
  lines.push(
    line.usagePriced(
      "S3 requests",
      all,
      put.usd,
      put.unit,
      [put.id],
      "writes, lists and lifecycle transitions; reads cost less",
    ),
  );
  return lines;
}

function repositories(ctx: PricingContext): CostLine[] {
  const repos = ctx.of("aws_ecr_repository");
  if (repos.length === 0) return [];
  const p = ctx.prices.get("ecr-storage-gb-month");
  return [
    line.usagePriced(
      "ECR image storage",
      repos,
      p.usd,
      p.unit,
      [p.id],
      "the images its lifecycle policy keeps; their size is not assumed",
    ),
  ];
}

export const storage: Pricer = {
  types: ["aws_s3_bucket", "aws_ecr_repository"],
  lines: (ctx) => [...buckets(ctx), ...repositories(ctx)],
};
