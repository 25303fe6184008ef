import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { environmentSchema } from "../config/environment-schema";

/** Writes environments/environment.schema.json from config/environment-schema.ts (a test keeps the two in sync). */
export const SCHEMA_FILE = join(__dirname, "..", "environments", "environment.schema.json");

export function renderSchema(): string {
  return `${JSON.stringify(environmentSchema, null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMA_FILE, renderSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
