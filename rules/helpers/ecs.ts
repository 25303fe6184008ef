import type { Block, Element } from "../stack-view";

/** The containers of a task definition (its container_definitions JSON), or none when unreadable. */
export function containersOf(task: Element): Block[] {
  try {
    const parsed: unknown = JSON.parse(String(task.block.container_definitions ?? "[]"));
    return Array.isArray(parsed) ? (parsed as Block[]) : [];
  } catch {
    return [];
  }
}
