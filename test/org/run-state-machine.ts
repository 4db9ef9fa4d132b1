/**
 * Runs the deployed state machine definition with the deployed function package, the way Step
 * Functions would (lambda/test/fanout/asl-runner.ts): moto stores state machines but never runs a
 * Lambda task. The function runs in this process, one container for every invocation, with the
 * environment the caller gives (the function's own variables, the emulator's endpoint, keys).
 *
 *   tsx run-state-machine.ts DEFINITION_FILE HANDLER FUNCTION_ARN EXECUTION_NAME OUT_FILE
 *
 * OUT_FILE receives { states, invocations, retries, output?, error?, logs }: `logs` are the JSON
 * lines the function wrote. Exit status 0 whether the execution succeeded or failed (the caller
 * judges); 2 when the runner itself could not run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AslRunner, StatesError } from "../../lambda/test/fanout/asl-runner";

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function main(): Promise<void> {
  const [definitionFile, handlerName, functionArn, executionName, outFile] = process.argv.slice(2);
  if (outFile === undefined || handlerName === undefined || functionArn === undefined || executionName === undefined) {
    throw new Error("usage: run-state-machine.ts DEFINITION_FILE HANDLER FUNCTION_ARN EXECUTION_NAME OUT_FILE");
  }
  const root = process.env.LAMBDA_TASK_ROOT;
  if (root === undefined) throw new Error("LAMBDA_TASK_ROOT is not set");
  const [file, exported] = handlerName.split(".") as [string, string];
  const handler = (require(join(root, file)) as Record<string, Handler>)[exported];
  if (typeof handler !== "function") throw new Error(`${handlerName} is not a function of the package`);

  // The function logs to stdout, as in Lambda; keep its lines for the caller.
  const logs: unknown[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split("\n")) {
      if (line.trim() === "") continue;
      try {
        logs.push(JSON.parse(line));
      } catch {
        write(`${line}\n`);
      }
    }
    return true;
  }) as typeof process.stdout.write;

  const s3 = new S3Client({ forcePathStyle: true });
  let requests = 0;
  const runner = new AslRunner({
    executionName,
    async invoke(functionName, payload) {
      if (functionName !== functionArn) throw new Error(`the definition invokes ${functionName}, not ${functionArn}`);
      requests += 1;
      return handler(payload, {
        invokedFunctionArn: functionArn,
        awsRequestId: `${executionName}-${requests}`,
        functionName: functionArn.split(":")[6],
      });
    },
    async getObject(bucket, key) {
      const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await answer.Body?.transformToString()) ?? "";
    },
  });
  const definition = JSON.parse(readFileSync(definitionFile as string, "utf8")) as Record<string, unknown>;
  let output: unknown;
  let error: { error: string; cause: string } | undefined;
  try {
    output = await runner.run(definition, {});
  } catch (err) {
    if (!(err instanceof StatesError)) throw err;
    error = { error: err.error, cause: err.cause };
  }
  process.stdout.write = write;
  writeFileSync(outFile, `${JSON.stringify({ ...runner.record, output, error, logs }, null, 2)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`run-state-machine: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
