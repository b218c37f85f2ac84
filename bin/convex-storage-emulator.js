#!/usr/bin/env node
// The package's command. The code is compiled to dist/ by `npm run build`
// (which `npm ci` runs through the `prepare` script).
import { main } from "../dist/cli.js";

process.exitCode = await main(process.argv.slice(2));
