/** Types of fresh-bundle.js, a CommonJS module because scripts/synth.js loads it before any TypeScript. */
import type { BuildOptions } from "esbuild";

export declare function freshBundle(
  options: BuildOptions & { absWorkingDir: string; outfile: string },
): boolean;

export declare function bundleProgram(root: string, entry: string, outfile: string): boolean;

/** freshBundle for a build with esbuild plugins; `pluginsKey` names what they do. */
export declare function freshBundleAsync(
  options: BuildOptions & { absWorkingDir: string; outfile: string },
  pluginsKey: string | undefined,
): Promise<boolean>;

/** The synth's bundle: main.ts with its packages, cdktf's creation stacks off (archiver stays outside). */
export declare function bundleSelfContained(root: string, entry: string, outfile: string): Promise<boolean>;
