/** Types of code-cache.js, a CommonJS module because scripts/synth.js loads it before any TypeScript. */
export declare function cacheFileOf(file: string): string;
export declare function requireWithCodeCache(file: string): { exports: unknown; cached: boolean };
