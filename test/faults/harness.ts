/**
 * What every fault case needs: the emulator and the fault layer in front of it (started by
 * test/faults/run.sh, which passes their addresses in the environment), a fresh state table and
 * topic per case, the scanner run exactly as `ipam-monitor scan` runs it (main() of the CLI, in
 * this process, so a case costs a scan rather than a Node.js start), and what the operator would
 * see afterwards: the exit code, the JSON result, the metrics published, the notifications
 * delivered and the saved state.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type MetricDatum, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { type AttributeValue, CreateTableCommand, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { main } from "../../lambda/src/cli";
import { createAwsClients } from "../../lambda/src/clients";
import type { NotifiedState } from "../../lambda/src/publish/state-diff";
import { DynamoDbStateStore } from "../../lambda/src/publish/state-store";
import type { ScanResultJson } from "../../lambda/src/result";

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set: run the suite with test/faults/run.sh`);
  return value;
}

export const FAULT_PROXY = required("FAULT_PROXY_URL");
export const MOTO = required("EMULATOR_MOTO_ENDPOINT");
export const REGION = "us-east-1";
export const RULES = join(__dirname, "rules.yaml");

/** One record of the seeded network's manifest (test/emulator/README.md). */
export interface ManifestResource {
  key: string | null;
  scope: "private" | "public";
  resourceType: string;
  resourceId: string;
  cidr: string;
  utilization: number | null;
  tags: Record<string, string>;
}

export interface Manifest {
  ipam: { ipamId: string; privateScopeId: string; publicScopeId: string };
  ids: Record<string, string>;
  resources: ManifestResource[];
}

export const manifest = JSON.parse(readFileSync(required("FAULTS_MANIFEST"), "utf8")) as Manifest;

/** The id of a seeded resource by its key ("prod-pods"). */
export function idOf(key: string): string {
  const id = manifest.ids[key];
  if (id === undefined) throw new Error(`no seeded resource "${key}" in the manifest`);
  return id;
}

const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
const direct = { region: REGION, endpoint: MOTO, credentials };

// The SDK reads credentials and the endpoint from the process's environment, as in the CLI.
process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
process.env.AWS_ENDPOINT_URL = FAULT_PROXY;
process.env.AWS_REGION = REGION;
for (const name of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]) delete process.env[name];

// ---------------------------------------------------------------------------------------------
// The fault layer

/** A fault rule (test/faults/fault_proxy.py). */
export interface FaultRule {
  action: string;
  fault: string;
  match?: Record<string, string>;
  skip?: number;
  times?: number;
  [option: string]: unknown;
}

/** One call that passed through the fault layer. */
export interface CallRecord {
  action: string;
  params: Record<string, string>;
  fault: string | null;
  /** The upstream's status when the call was forwarded (so moto saw it), else null. */
  upstream: number | null;
  /** For a hung call: whether the client closed the connection before the hang ended. */
  abandoned?: boolean;
}

async function control(path: string, method: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${FAULT_PROXY}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  if (!response.ok) throw new Error(`fault layer ${method} ${path}: HTTP ${response.status}`);
  return response.json();
}

export async function injectFaults(rules: FaultRule[]): Promise<void> {
  await control("/_faults", "PUT", rules);
}

export async function resetFaults(): Promise<void> {
  await control("/_faults/reset", "POST");
}

export async function calls(): Promise<CallRecord[]> {
  return (await control("/_faults/log", "GET")) as CallRecord[];
}

// ---------------------------------------------------------------------------------------------
// A case's own table, topic and namespace

let cases = 0;

export interface CaseResources {
  table: string;
  topicArn: string;
  namespace: string;
}

/** A new state table, topic and metrics namespace, created directly in moto. */
export async function freshCase(): Promise<CaseResources> {
  cases += 1;
  const name = `faults-${process.pid}-${cases}`;
  const dynamodb = new DynamoDBClient(direct);
  const sns = new SNSClient(direct);
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    }),
  );
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  if (TopicArn === undefined) throw new Error("moto created a topic without an ARN");
  return { table: name, topicArn: TopicArn, namespace: `Faults/${name}` };
}

/** The state a case's table holds, read the way the scanner reads it. */
export async function savedState(table: string): Promise<NotifiedState | undefined> {
  return (await new DynamoDbStateStore(new DynamoDBClient(direct), table).load()).state;
}

/** The table's items by id, read from moto directly. */
export async function tableItemIds(table: string): Promise<string[]> {
  const client = new DynamoDBClient(direct);
  const ids: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    // Scan pages hold 1 MB of items: a few shards each.
    const out = await client.send(
      new ScanCommand({ TableName: table, ProjectionExpression: "id", ExclusiveStartKey: start }),
    );
    for (const item of out.Items ?? []) ids.push(item.id?.S ?? "");
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return ids.sort();
}

/** A state store on the case's table, talking to moto directly. */
export function directStore(table: string): DynamoDbStateStore {
  return new DynamoDbStateStore(new DynamoDBClient(direct), table);
}

// ---------------------------------------------------------------------------------------------
// Running the scanner

export interface Scan {
  code: number;
  out: string;
  err: string;
  /** The JSON result, when --format json printed one. */
  result: ScanResultJson | undefined;
  /** Datums of the PutMetricData calls that succeeded. */
  metrics: MetricDatum[];
}

/**
 * Runs `ipam-monitor scan --rules rules.yaml --format json` against the fault layer, publishing to
 * the case's namespace, topic and table, with `args` and `env` added (and another rules file, `rules`).
 */
export async function scan(
  resources: CaseResources,
  args: string[] = [],
  env: Record<string, string> = {},
  rules: string = RULES,
): Promise<Scan> {
  let out = "";
  let err = "";
  const metrics: MetricDatum[] = [];
  const code = await main(
    [
      "scan",
      "--rules",
      rules,
      "--format",
      "json",
      "--namespace",
      resources.namespace,
      "--topic",
      resources.topicArn,
      "--state-table",
      resources.table,
      ...args,
    ],
    {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      env: {
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL: FAULT_PROXY,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        // Faults answer at once; the SDK's backoff between attempts is what a case would wait for.
        AWS_RETRY_MODE: "standard",
        ...env,
      },
      createClients: (config) => {
        const clients = createAwsClients(config);
        clients.cloudwatch.middlewareStack.add(
          (next, context) => async (args) => {
            const output = await next(args);
            if (context.commandName === PutMetricDataCommand.name) {
              metrics.push(...((args.input as { MetricData?: MetricDatum[] }).MetricData ?? []));
            }
            return output;
          },
          { step: "initialize", name: "faultSuiteRecordMetrics" },
        );
        return clients;
      },
    },
  );
  let result: ScanResultJson | undefined;
  try {
    result = JSON.parse(out) as ScanResultJson;
  } catch {
    result = undefined;
  }
  return { code, out, err, result, metrics };
}

/** "CriticalCount prod-subnets 1", "ScanSuccess 1": one line per datum. */
export function describeMetrics(metrics: readonly MetricDatum[]): string[] {
  return metrics.map((d) => {
    const scope = d.Dimensions?.find((dim) => dim.Name === "Scope")?.Value;
    return [d.MetricName, scope, d.Value].filter((p) => p !== undefined).join(" ");
  });
}

/** The Publish calls that reached the emulator's SNS and were accepted: the messages delivered. */
export async function delivered(topicArn: string): Promise<Array<{ subject: string; message: string }>> {
  return (await calls())
    .filter((c) => c.action === "Publish" && c.upstream === 200 && c.params.TopicArn === topicArn)
    .map((c) => ({ subject: c.params.Subject ?? "", message: c.params.Message ?? "" }));
}
