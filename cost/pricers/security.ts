/**
 * Keys and secrets: each customer managed key and each secret by the month, advanced parameters, and the
 * requests they serve as usage-priced.
 */
import { line, type CostLine, type Pricer, type PricingContext } from "../lines";

function keys(ctx: PricingContext): CostLine[] {
  const all = [...ctx.of("aws_kms_key"), ...ctx.of("aws_kms_replica_key")];
  if (all.length === 0) return [];
  const rotating = all.filter((k) => k.values.enable_key_rotation === true).length;
  const requests = ctx.prices.get("kms-requests-10k");
  return [
    line.fixed(
      "KMS keys",
      all,
      all.length,
      `${all.length} key${all.length === 1 ? "" : "s"}`,
      ctx.prices.get("kms-key-month"),
      rotating > 0 ? `${rotating} of them rotate yearly (the price's note says what that adds)` : undefined,
    ),
    line.usagePriced(
      "KMS requests",
      all,
      requests.usd,
      requests.unit,
      [requests.id],
      "20,000 a month are free",
    ),
  ];
}

function secrets(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_secretsmanager_secret");
  if (all.length === 0) return [];
  const calls = ctx.prices.get("secrets-api-10k");
  return [
    line.fixed(
      "Secrets Manager secrets",
      all,
      all.length,
      `${all.length} secret${all.length === 1 ? "" : "s"}`,
      ctx.prices.get("secret-month"),
    ),
    line.usagePriced(
      "Secrets Manager API calls",
      all,
      calls.usd,
      calls.unit,
      [calls.id],
      "the tasks read their secrets when they start",
    ),
  ];
}

function parameters(ctx: PricingContext): CostLine[] {
  const all = ctx.of("aws_ssm_parameter");
  const advanced = all.filter((p) => p.values.tier === "Advanced" || p.values.tier === "Intelligent-Tiering");
  const standard = all.filter((p) => !advanced.includes(p));
  const lines: CostLine[] = [];
  if (standard.length > 0)
    lines.push(line.free("SSM parameters, standard tier", standard, "standard parameters are free"));
  if (advanced.length > 0)
    lines.push(
      line.fixed(
        "SSM parameters, advanced tier",
        advanced,
        advanced.length,
        `${advanced.length} parameters`,
        ctx.prices.get("ssm-advanced-parameter-month"),
        "Intelligent-Tiering priced as advanced: an upper bound",
      ),
    );
  return lines;
}

export const security: Pricer = {
  types: ["aws_kms_key", "aws_kms_replica_key", "aws_secretsmanager_secret", "aws_ssm_parameter"],
  lines: (ctx) => [...keys(ctx), ...secrets(ctx), ...parameters(ctx)],
};
