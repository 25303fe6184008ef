/** Every pricer, in the order their lines are listed: what runs, what it sits on, what watches it, the rest. */
import type { Pricer } from "../lines";
import { compute } from "./compute";
import { database } from "./database";
import { edge } from "./edge";
import { network } from "./network";
import { observability } from "./observability";
import { security } from "./security";
import { storage } from "./storage";
import { workflows } from "./workflows";

export const PRICERS: readonly Pricer[] = [
  compute,
  database,
  network,
  edge,
  storage,
  observability,
  security,
  workflows,
];
