/** Types of fresh-bundle.js, a CommonJS module because scripts/synth.js loads it before any TypeScript. */
import type { BuildOptions } from "esbuild";

export declare function freshBundle(
  options: BuildOptions & { absWorkingDir: string; outfile: string },
): boolean;

export declare function bundleProgram(root: string, entry: string, outfile: string): boolean;
