"use strict";
const path = require("node:path");

/** Absolute path of the built dashboard (static files), for `createServer({ dashboardDir })`. */
exports.dashboardDir = path.join(__dirname, "dist");
