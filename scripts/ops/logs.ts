/**
 * `logs [--weekly] [--since 1h] [--follow]`: the web service's log lines (every task's), or the weekly task's
 * runs only (the streams of the tasks its runs log recorded), since a while ago; `--follow` keeps printing new
 * lines until interrupted.
 */
import { FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { OpsError, type OpsContext, taskId } from "./context";

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `1h`, `7d` in milliseconds; an error naming the setting and the allowed forms. */
export function parseSince(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match || Number(match[1]) === 0) {
    throw new OpsError(
      `--since: "${text}" is not a duration; allowed: a whole number and s, m, h or d, e.g. 30m, 1h, 7d`,
    );
  }
  return Number(match[1]) * UNITS[match[2]];
}

export interface LogsOptions {
  readonly weekly?: boolean;
  /** How far back, in milliseconds. @default one hour */
  readonly sinceMs?: number;
  readonly follow?: boolean;
  /** Stop following after this many polls (the tests); @default until interrupted */
  readonly maxPolls?: number;
}

/** The streams of the weekly task's recorded runs (its runs log holds one stop event per run). */
async function weeklyStreams(
  ctx: OpsContext,
  prefix: string,
  container: string,
  since: number,
): Promise<string[]> {
  const events = await filterAll(ctx, ctx.names.weeklyRunsLogGroup, since, undefined);
  return events.flatMap((e) => {
    try {
      const arn = JSON.parse(e.message ?? "{}").detail?.taskArn as string | undefined;
      return arn ? [`${prefix}/${container}/${taskId(arn)}`] : [];
    } catch {
      return [];
    }
  });
}

async function filterAll(
  ctx: OpsContext,
  group: string,
  startTime: number,
  streams: string[] | undefined,
): Promise<FilteredLogEvent[]> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.call(() =>
      ctx.logs.send(
        new FilterLogEventsCommand({
          logGroupName: group,
          startTime,
          nextToken,
          ...(streams ? { logStreamNames: streams.slice(0, 100) } : {}),
        }),
      ),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** Prints the log lines; returns how many it printed. */
export async function showLogs(ctx: OpsContext, options: LogsOptions = {}): Promise<number> {
  const log = ctx.logConfiguration((await ctx.serviceAndTaskDefinition()).taskDefinition);
  let since = Date.now() - (options.sinceMs ?? UNITS.h);
  let streams: string[] | undefined;
  if (options.weekly) {
    streams = await weeklyStreams(ctx, log.prefix, log.container, since - 7 * UNITS.d);
    if (streams.length === 0) {
      ctx.out.progress(
        `no weekly run recorded in ${ctx.names.weeklyRunsLogGroup} in the last week and a bit`,
      );
      return 0;
    }
  }
  const seen = new Set<string>();
  let printed = 0;
  for (let poll = 1; ; poll++) {
    for (const event of await filterAll(ctx, log.group, since, streams)) {
      if (seen.has(event.eventId ?? "")) continue;
      seen.add(event.eventId ?? "");
      const when = new Date(event.timestamp ?? 0).toISOString();
      ctx.out.line(
        `${when} ${event.logStreamName?.split("/").pop()?.slice(0, 8) ?? ""} ${event.message ?? ""}`,
      );
      printed++;
      since = Math.max(since, event.timestamp ?? since);
    }
    if (!options.follow || (options.maxPolls !== undefined && poll >= options.maxPolls)) return printed;
    await ctx.sleep();
  }
}
