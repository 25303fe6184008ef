/** Types of side-by-side.js, a CommonJS module because scripts/test.js (`npm test`) runs it with node alone. */
export interface SideBySideCommand {
  readonly name: string;
  readonly command: string;
  readonly args: string[];
  /** Its output as it comes, instead of whole at its end. */
  readonly live?: boolean;
}
export declare function sideBySide(
  commands: SideBySideCommand[],
  out?: NodeJS.WritableStream,
): Promise<string[]>;
