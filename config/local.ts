import type { EnvironmentConfig } from "./environment";

/**
 * For an environment deployed to the local emulator, `LOCAL_AWS_PORT` moves the endpoint to another port
 * (two checkouts, or a port already in use). Environments without an emulator are returned unchanged.
 */
export function applyLocalOverrides(env: EnvironmentConfig, vars: NodeJS.ProcessEnv): EnvironmentConfig {
  const port = vars.LOCAL_AWS_PORT;
  if (!env.emulator || port === undefined || port === "") return env;
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw new Error(`LOCAL_AWS_PORT: "${port}" is not a TCP port; allowed: 1 to 65535`);
  }
  const endpoint = env.emulator.endpoint.replace(/:\d+$/, `:${Number(port)}`);
  return { ...env, emulator: { ...env.emulator, endpoint } };
}
