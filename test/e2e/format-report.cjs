// @ts-check
/**
 * Prints a scan result (the JSON the function returned) as the report `ipam-monitor scan` prints:
 * the same formatter, so the demo shows what the deployed function found in the CLI's words.
 *
 *   node --require lambda/node_modules/tsx/dist/cjs/index.cjs test/e2e/format-report.cjs RESULT.json
 */
"use strict";

const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const { formatScanReport } = require(join(__dirname, "..", "..", "lambda", "src", "report", "table"));

const [file] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write("usage: format-report.cjs RESULT.json\n");
  process.exit(2);
}
process.stdout.write(formatScanReport(JSON.parse(readFileSync(file, "utf8"))));
