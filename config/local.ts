import type { EnvironmentConfig } from "./environment";

/** The variable that moves the local emulator to another port (two checkouts, or a port already in use). */
export const PORT_VARIABLE = "LOCAL_AWS_PORT";

/** A TCP port from a variable's text; throws an Error that names the variable and the allowed values. */
export function parsePort(raw: string, variable: string = PORT_VARIABLE): number {
  const value = raw.trim();
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${variable}: ${JSON.stringify(raw)} is not a TCP port; allowed: 1 to 65535`);
  }
  return port;
}

/** The port of an emulator endpoint, `https://127.0.0.1:<port>`. */
export function endpointPort(endpoint: string): number {
  return parsePort(/:(\d+)$/.exec(endpoint)?.[1] ?? "", "emulator.endpoint");
}

/**
 * For an environment deployed to the local emulator, `LOCAL_AWS_PORT` moves the endpoint to another port.
 * Environments without an emulator are returned unchanged.
 */
export function applyLocalOverrides(env: EnvironmentConfig, vars: NodeJS.ProcessEnv): EnvironmentConfig {
  const raw = vars[PORT_VARIABLE];
  if (!env.emulator || raw === undefined || raw.trim() === "") return env;
  const endpoint = env.emulator.endpoint.replace(/:\d+$/, `:${parsePort(raw)}`);
  return { ...env, emulator: { ...env.emulator, endpoint } };
}
