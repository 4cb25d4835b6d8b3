import { fileURLToPath } from "node:url";

/** Absolute path of the built dashboard (static files), for `createServer({ dashboardDir })`. */
export const dashboardDir = fileURLToPath(new URL("./dist", import.meta.url));
