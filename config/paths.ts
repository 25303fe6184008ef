import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The project root (the folder with cdktf.json), whether running from source or from a bundle. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, "cdktf.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cdktf.json not found above ${from}`);
    dir = parent;
  }
  return dir;
}
