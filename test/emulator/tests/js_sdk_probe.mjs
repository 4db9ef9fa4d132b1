// Calls the emulator with the AWS SDK for JavaScript v3 that the scanner ships
// (lambda/node_modules) and prints what the SDK parsed, as JSON, for the
// Python tests to check. Usage:
//   node js_sdk_probe.mjs <endpoint> <region> ipams
//   node js_sdk_probe.mjs <endpoint> <region> cidrs <scopeId> <pageSize> [resourceType]
//   node js_sdk_probe.mjs <endpoint> <region> max-results <scopeId> <maxResults>
//   node js_sdk_probe.mjs <endpoint> <region> put-metrics <namespace> <datums>
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "..", "..", "lambda", "package.json"));
const ec2 = require("@aws-sdk/client-ec2");
const cloudwatch = require("@aws-sdk/client-cloudwatch");

const [endpoint, region, scenario, ...rest] = process.argv.slice(2);
const config = {
  endpoint,
  region,
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  maxAttempts: 1,
};
const client = new ec2.EC2Client(config);

async function ipams() {
  const described = await client.send(new ec2.DescribeIpamsCommand({}));
  const scopes = await client.send(new ec2.DescribeIpamScopesCommand({}));
  return { ipams: described.Ipams, scopes: scopes.IpamScopes, requestId: described.$metadata.requestId };
}

async function cidrs(scopeId, pageSize, resourceType) {
  const pages = [];
  const input = { IpamScopeId: scopeId, ...(resourceType ? { ResourceType: resourceType } : {}) };
  for await (const page of ec2.paginateGetIpamResourceCidrs({ client, pageSize: Number(pageSize) }, input)) {
    pages.push(page.IpamResourceCidrs ?? []);
  }
  return { pages: pages.length, items: pages.flat() };
}

async function maxResults(scopeId, max) {
  try {
    await client.send(new ec2.GetIpamResourceCidrsCommand({ IpamScopeId: scopeId, MaxResults: Number(max) }));
    return { error: null };
  } catch (error) {
    return {
      error: {
        name: error.name,
        code: error.Code ?? error.name,
        message: error.message,
        status: error.$metadata?.httpStatusCode,
      },
    };
  }
}

async function putMetrics(namespace, datums) {
  const cw = new cloudwatch.CloudWatchClient(config);
  const MetricData = Array.from({ length: Number(datums) }, (_, i) => ({
    MetricName: "Utilization",
    Dimensions: [
      { Name: "Scope", Value: "probe" },
      { Name: "ResourceId", Value: `subnet-${String(i).padStart(17, "0")}` },
    ],
    Unit: "Percent",
    Value: i % 100,
  }));
  // PutMetricData takes at most 1,000 datums per request.
  let calls = 0;
  for (let i = 0; i < MetricData.length; i += 1000) {
    await cw.send(
      new cloudwatch.PutMetricDataCommand({ Namespace: namespace, MetricData: MetricData.slice(i, i + 1000) }),
    );
    calls += 1;
  }
  return { calls };
}

const scenarios = { ipams, cidrs, "max-results": maxResults, "put-metrics": putMetrics };
if (!scenarios[scenario]) {
  console.error(`unknown scenario ${scenario}; expected one of ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
const result = await scenarios[scenario](...rest);
process.stdout.write(JSON.stringify(result));
