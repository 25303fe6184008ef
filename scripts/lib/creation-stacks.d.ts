/** Types of creation-stacks.js, a CommonJS module because scripts/synth.js loads it before any TypeScript. */
export declare const NOT_CAPTURED: readonly string[];
export declare function skipCreationStacks(env?: NodeJS.ProcessEnv): boolean;
