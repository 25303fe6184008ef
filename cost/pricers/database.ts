/**
 * RDS: each instance's hours by engine, class and Multi-AZ; its storage by type; the Secrets Manager secret RDS
 * keeps its master password in; backups beyond the free allowance and Enhanced Monitoring as usage-priced.
 */
import { line, type CostLine, type Pricer, type PricingContext } from "../lines";
import { num, type CostResource } from "../resources";

function instance(ctx: PricingContext, db: CostResource): CostLine[] {
  const v = db.values;
  const multiAz = v.multi_az === true;
  const az = multiAz ? "multi-az" : "single-az";
  const azText = multiAz ? "Multi-AZ" : "Single-AZ";
  const engine = String(v.engine ?? "");
  const cls = String(v.instance_class ?? "");
  const lines: CostLine[] = [];
  const notes = [
    v.performance_insights_enabled === true && (num(v.performance_insights_retention_period) ?? 7) > 7
      ? "Performance Insights beyond its free 7 days is charged apart (not in the table)"
      : "",
    Array.isArray(v.enabled_cloudwatch_logs_exports) && v.enabled_cloudwatch_logs_exports.length > 0
      ? "its log exports are CloudWatch Logs ingestion (logsGiBPerMonth)"
      : "",
  ].filter(Boolean);
  const hour = engine === "postgres" ? ctx.prices.find(`rds-postgres-${az}-hour`, cls) : undefined;
  // Keyed without the class and storage type, so a change of either shows as the same line moving.
  const keyed = (l: CostLine, key: string) => line.of(l, db, key);
  lines.push(
    keyed(
      hour
        ? line.fixed(
            `RDS ${cls} ${azText}`,
            [db],
            ctx.hours,
            `${ctx.hours} h`,
            hour,
            notes.join("; ") || undefined,
          )
        : line.unpriced(
            `RDS ${engine} ${cls} ${azText}`,
            [db],
            `the price table has no ${engine} ${cls} ${azText} price`,
          ),
      "RDS instance hours",
    ),
  );

  const gib = num(v.allocated_storage);
  const storageType = String(v.storage_type ?? "gp2");
  const storage = ctx.prices.find(`rds-storage-${az}-gb-month`, storageType);
  const max = num(v.max_allocated_storage);
  if (gib !== undefined && storage) {
    const grows =
      max !== undefined && max > gib ? `storage autoscaling may grow it to ${max} GiB` : undefined;
    lines.push(
      keyed(
        line.fixed(`RDS ${storageType} storage, ${azText}`, [db], gib, `${gib} GiB`, storage, grows),
        "RDS storage",
      ),
    );
  } else {
    lines.push(
      keyed(
        line.unpriced(
          `RDS ${storageType} storage, ${azText}`,
          [db],
          `no price for ${storageType} storage or its size is unknown`,
        ),
        "RDS storage",
      ),
    );
  }
  if (v.manage_master_user_password === true) {
    lines.push(
      line.fixed(
        "RDS master password secret",
        [db],
        1,
        "1 secret",
        ctx.prices.get("secret-month"),
        "RDS keeps the master password in a Secrets Manager secret, charged like any other",
      ),
    );
  }
  const backup = ctx.prices.get("rds-backup-gb-month");
  lines.push(
    line.usagePriced(
      "RDS backup storage beyond the provisioned size",
      [db],
      backup.usd,
      backup.unit,
      [backup.id],
      `backups up to the provisioned storage are free; ${num(v.backup_retention_period) ?? 1} days kept`,
    ),
  );
  if ((num(v.monitoring_interval) ?? 0) > 0) {
    const logs = ctx.prices.get("logs-ingestion-gb");
    lines.push(
      line.usagePriced(
        "RDS Enhanced Monitoring",
        [db],
        logs.usd,
        logs.unit,
        [logs.id],
        "its metrics are ingested into the RDSOSMetrics log group, outside the stack",
      ),
    );
  }
  return lines.map((l) => (l.key === l.item ? line.of(l, db) : l));
}

export const database: Pricer = {
  types: ["aws_db_instance"],
  lines: (ctx) => ctx.of("aws_db_instance").flatMap((db) => instance(ctx, db)),
};
