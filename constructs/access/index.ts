/**
 * Every AWS service an environment uses, with what its deploy, its plan and its own roles may do there
 * (constructs/access/types.ts says how the data reads; derive.ts makes the policies from it).
 */
import { CONTAINERS, EXEC_SESSIONS, IMAGES, SCALING } from "./containers";
import { DATABASE } from "./database";
import { BUILDS, CONNECTIONS, NOTIFICATIONS, PIPELINES } from "./delivery";
import { CERTIFICATES, DNS, LOAD_BALANCING, WEB_ACL } from "./edge";
import { EMAIL } from "./email";
import { IDENTITY } from "./identity";
import { LOG_STREAMS, LOGS } from "./logs";
import { EVENTS, QUEUES, SCHEDULES, STATE_MACHINES, TOPICS } from "./messaging";
import { ALARMS, BUDGETS, COST_ANOMALIES, TRACES } from "./monitoring";
import { NETWORK } from "./network";
import { KEYS, PARAMETERS, SECRETS } from "./secrets";
import { STORAGE } from "./storage";
import type { ServiceAccess } from "./types";

export const SERVICE_ACCESS: readonly ServiceAccess[] = [
  IDENTITY,
  NETWORK,
  STORAGE,
  DATABASE,
  SECRETS,
  PARAMETERS,
  KEYS,
  CONTAINERS,
  IMAGES,
  SCALING,
  EXEC_SESSIONS,
  LOAD_BALANCING,
  WEB_ACL,
  CERTIFICATES,
  DNS,
  LOGS,
  LOG_STREAMS,
  TOPICS,
  QUEUES,
  EVENTS,
  SCHEDULES,
  STATE_MACHINES,
  EMAIL,
  ALARMS,
  BUDGETS,
  COST_ANOMALIES,
  TRACES,
  BUILDS,
  PIPELINES,
  CONNECTIONS,
  NOTIFICATIONS,
];

export * from "./types";
