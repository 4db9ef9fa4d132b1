import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeIpamsCommand } from "@aws-sdk/client-ec2";
import { expect } from "chai";
import { createAwsClients } from "../src/clients";
import { readConfig } from "../src/config";

const STOP = new Error("request captured");

interface SdkClient {
  config: unknown;
  middlewareStack: { add(middleware: BuildMiddleware, options: { step: "build"; priority: "low" }): void };
}
interface SdkCommand {
  resolveMiddleware(stack: unknown, config: unknown, options: undefined): (args: never) => Promise<unknown>;
}
type BuildMiddleware = (next: unknown) => (args: { request: unknown }) => Promise<never>;

/**
 * The URL the client would send a request to. A middleware at the end of the build step records
 * the request the SDK built (endpoint already resolved) and stops it there: nothing leaves the process.
 * The command runs through the client's middleware as `send` would run it, without calling `send`,
 * which other test files stub on the client classes.
 */
async function requestUrl(client: SdkClient, command: SdkCommand): Promise<string> {
  let url = "";
  client.middlewareStack.add(
    () => async (args) => {
      const request = args.request as { protocol: string; hostname: string; port?: number; path: string };
      url = `${request.protocol}//${request.hostname}${request.port !== undefined ? `:${request.port}` : ""}${request.path}`;
      throw STOP;
    },
    { step: "build", priority: "low" },
  );
  await command
    .resolveMiddleware(
      client.middlewareStack,
      client.config,
      undefined,
    )(command as never)
    .catch((err: unknown) => {
      if (err !== STOP) throw err;
    });
  return url;
}

describe("createAwsClients", () => {
  const saved: Record<string, string | undefined> = {};
  const ENV = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"];

  beforeEach(() => {
    for (const name of ENV) saved[name] = process.env[name];
    // Static test credentials so no provider chain (profile files, instance metadata) is consulted.
    process.env.AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    process.env.AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL_EC2;
  });

  afterEach(() => {
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  const config = readConfig({
    AWS_REGION: "eu-west-1",
    IPAM_REGION: "us-east-1",
    AWS_MAX_ATTEMPTS: "5",
    AWS_RETRY_MODE: "standard",
  });

  it("creates one EC2 client per region and reuses it", () => {
    const clients = createAwsClients(config);

    expect(clients.ec2ForRegion("us-east-1")).to.equal(clients.ec2ForRegion("us-east-1"));
    expect(clients.ec2ForRegion("us-east-1")).not.to.equal(clients.ec2ForRegion("eu-west-1"));
  });

  it("points each EC2 client at its region", async () => {
    const clients = createAwsClients(config);

    expect(await clients.ec2ForRegion("ap-southeast-2").config.region()).to.equal("ap-southeast-2");
  });

  it("keeps metrics and the state table in the home region", async () => {
    const clients = createAwsClients(config);

    expect(await clients.cloudwatch.config.region()).to.equal("eu-west-1");
    expect(await clients.dynamodb.config.region()).to.equal("eu-west-1");
  });

  it("publishes to the topic in the region its ARN names", async () => {
    const withTopic = readConfig({
      AWS_REGION: "eu-west-1",
      SNS_TOPIC_ARN: "arn:aws:sns:us-west-2:111122223333:alerts",
    });

    const clients = createAwsClients(withTopic);

    expect(await clients.sns.config.region()).to.equal("us-west-2");
  });

  it("applies the configured retry attempts and mode for throttling", async () => {
    const clients = createAwsClients(config);

    const ec2 = clients.ec2ForRegion("us-east-1");
    expect(await ec2.config.maxAttempts()).to.equal(5);
    expect(await ec2.config.retryStrategy()).to.have.property("mode", "standard");
  });

  it("sends to the regional AWS endpoint by default", async () => {
    const clients = createAwsClients(config);

    expect(await requestUrl(clients.ec2ForRegion("us-east-1"), new DescribeIpamsCommand({}))).to.equal(
      "https://ec2.us-east-1.amazonaws.com/",
    );
  });

  it("honours AWS_ENDPOINT_URL, so the CLI can talk to a local emulator", async () => {
    process.env.AWS_ENDPOINT_URL = "http://127.0.0.1:4566";
    const clients = createAwsClients(config);

    expect(
      await requestUrl(clients.cloudwatch, new PutMetricDataCommand({ Namespace: "IPAMMonitor", MetricData: [] })),
    ).to.equal("http://127.0.0.1:4566/");
  });

  it("honours a service-specific AWS_ENDPOINT_URL_EC2", async () => {
    process.env.AWS_ENDPOINT_URL_EC2 = "http://127.0.0.1:5000";
    const clients = createAwsClients(config);

    expect(await requestUrl(clients.ec2ForRegion("us-east-1"), new DescribeIpamsCommand({}))).to.equal(
      "http://127.0.0.1:5000/",
    );
  });

  describe("member accounts", () => {
    const credentials = async () => ({ accessKeyId: "ASIAMEMBER", secretAccessKey: "s", sessionToken: "t" });

    it("gives each account-Region a client of its own, in its Region, signed with the account's session", async () => {
      const clients = createAwsClients(config);

      const client = clients.ec2ForAccount("222233334444", "ap-southeast-2", credentials);

      expect(client).not.to.equal(clients.ec2ForAccount("222233334444", "ap-southeast-2", credentials));
      expect(await client.config.region()).to.equal("ap-southeast-2");
      expect((await client.config.credentials()).accessKeyId).to.equal("ASIAMEMBER");
    });

    it("checks member accounts' answers for their result set, as the scanner's own", () => {
      const client = createAwsClients(config).ec2ForAccount("222233334444", "us-east-1", credentials);

      expect(client.middlewareStack.identify().some((name) => name.startsWith("ipamMonitorResultSetCheck"))).to.equal(
        true,
      );
    });

    it("keeps the timeouts on member accounts' clients, which share one connection pool", async () => {
      const clients = createAwsClients(config);
      const handlerConfig = async (region: string) => {
        const handler = clients.ec2ForAccount("222233334444", region, credentials).config.requestHandler as unknown as {
          configProvider: Promise<Record<string, unknown>>;
        };
        return handler.configProvider;
      };

      const [first, second] = await Promise.all([handlerConfig("us-east-1"), handlerConfig("eu-west-1")]);

      expect(first).to.include({
        connectionTimeout: config.connectTimeoutMs,
        requestTimeout: config.responseTimeoutMs,
      });
      expect(first.httpsAgent).to.equal(second.httpsAgent);
    });
  });
});
