// @ts-check
/**
 * Runs a deployed function package once, as Lambda's Node.js runtime would: loads the handler
 * named in the function's configuration from LAMBDA_TASK_ROOT, calls it with a scheduled-event
 * payload and a context carrying the function's ARN, and writes what it returned to RESULT_FILE.
 *
 *   node invoke.cjs HANDLER FUNCTION_ARN RESULT_FILE
 *
 * HANDLER is the configuration's Handler ("index.handler": file index.js, export handler).
 * The environment is the caller's business: the function's variables plus endpoint and keys.
 * stdout carries the handler's own log lines; the exit status is 1 when the handler threw.
 */
"use strict";

const { randomUUID } = require("node:crypto");
const { writeFileSync } = require("node:fs");
const { join } = require("node:path");

/** @param {string} handler */
function resolveHandler(handler) {
  const dot = handler.lastIndexOf(".");
  if (dot <= 0 || dot === handler.length - 1) throw new Error(`handler "${handler}" is not FILE.EXPORT`);
  const root = process.env.LAMBDA_TASK_ROOT;
  if (root === undefined || root === "") throw new Error("LAMBDA_TASK_ROOT is not set");
  const exports = require(join(root, handler.slice(0, dot)));
  const fn = exports[handler.slice(dot + 1)];
  if (typeof fn !== "function") throw new Error(`${handler} does not export a function`);
  return fn;
}

async function main() {
  const [handler, functionArn, resultFile] = process.argv.slice(2);
  if (handler === undefined || functionArn === undefined || resultFile === undefined) {
    throw new Error("usage: node invoke.cjs HANDLER FUNCTION_ARN RESULT_FILE");
  }
  const fn = resolveHandler(handler);
  // What EventBridge sends for a schedule rule; the handler ignores the payload.
  const event = { "detail-type": "Scheduled Event", source: "aws.events", detail: {} };
  const context = {
    invokedFunctionArn: functionArn,
    awsRequestId: randomUUID(),
    functionName: functionArn.split(":")[6],
  };
  const result = await fn(event, context);
  // Lambda serialises the return value with JSON.stringify: anything it cannot encode fails there too.
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err) => {
  process.stderr.write(
    `invoke: the handler failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
