/**
 * Absolute path of the built dashboard: a directory of static files (index.html and assets)
 * for `createServer({ dashboardDir })`. It exists once `pnpm --filter @agentops/dashboard build` ran.
 *
 * @example
 * import { dashboardDir } from "@agentops/dashboard";
 * const server = await createServer({ storage, dashboardDir });
 */
export declare const dashboardDir: string;
