/** Types of creation-stacks.js, a CommonJS module because scripts/synth.js loads it before any TypeScript. */
export declare const NOT_CAPTURED: readonly string[];
export declare function skipCreationStacks(
  env?: NodeJS.ProcessEnv,
  stackTrace?: { captureStackTrace: unknown },
): boolean;
/** The esbuild plugin that switches creation stacks off in a bundle that includes cdktf, and its key. */
export declare const bundlePlugin: import("esbuild").Plugin;
export declare const BUNDLE_PLUGIN_KEY: string;
