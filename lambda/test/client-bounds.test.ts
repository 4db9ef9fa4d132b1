/**
 * Every client the scanner makes, against a local endpoint that misbehaves: each gives up on a
 * silent endpoint at the response timeout, and each EC2 client (own account or member account)
 * refuses an HTTP 200 without its result set, retrying it first.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeIpamsCommand, DescribeSubnetsCommand, type EC2Client } from "@aws-sdk/client-ec2";
import { ListAccountsCommand } from "@aws-sdk/client-organizations";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { PublishCommand } from "@aws-sdk/client-sns";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { expect } from "chai";
import { type AwsClients, createAwsClients } from "../src/clients";

const CREDENTIALS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const ENV = ["AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"];
const member = (clients: AwsClients) =>
  clients.ec2ForAccount("111122223333", "us-east-1", async () => ({ ...CREDENTIALS, sessionToken: "session" }));

/** A call of each client the scanner makes. */
const CALLS: Array<[string, (clients: AwsClients) => Promise<unknown>]> = [
  ["EC2 (own account)", (c) => c.ec2ForRegion("us-east-1").send(new DescribeIpamsCommand({}))],
  ["EC2 (member account)", (c) => member(c).send(new DescribeSubnetsCommand({}))],
  ["CloudWatch", (c) => c.cloudwatch.send(new PutMetricDataCommand({ Namespace: "N", MetricData: [] }))],
  ["SNS", (c) => c.sns.send(new PublishCommand({ TopicArn: "arn:aws:sns:us-east-1:111122223333:t", Message: "m" }))],
  ["DynamoDB", (c) => c.dynamodb.send(new GetItemCommand({ TableName: "t", Key: { id: { S: "x" } } }))],
  ["STS", (c) => c.sts.send(new GetCallerIdentityCommand({}))],
  ["Organizations", (c) => c.organizations.send(new ListAccountsCommand({}))],
  ["S3", (c) => c.s3.send(new ListObjectsV2Command({ Bucket: "history" }))],
];

describe("client bounds (a local endpoint that misbehaves)", () => {
  const saved: Record<string, string | undefined> = {};
  let server: Server;
  let requests: IncomingMessage[];
  let answer: "never" | "empty 200";

  before(async () => {
    server = createServer((request, response) => {
      requests.push(request);
      if (answer === "empty 200") response.writeHead(200, { "content-type": "text/xml" }).end();
      // "never": the request is read and left unanswered.
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  beforeEach(() => {
    requests = [];
    for (const name of ENV) saved[name] = process.env[name];
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
    delete process.env.AWS_PROFILE;
  });

  afterEach(() => {
    server.closeAllConnections();
    for (const name of ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });

  function clients(maxAttempts: number): AwsClients {
    return createAwsClients({
      homeRegion: "us-east-1",
      maxAttempts,
      retryMode: "standard",
      connectTimeoutMs: 1000,
      responseTimeoutMs: 200,
    });
  }

  for (const [name, call] of CALLS) {
    it(`gives up on a silent endpoint at the response timeout: ${name}`, async () => {
      answer = "never";

      const error = await call(clients(1)).then(
        () => expect.fail("an endpoint that never answers was answered"),
        (e: unknown) => e,
      );

      expect(error).to.have.property("name", "TimeoutError");
      expect(requests).to.have.length(1);
    });
  }

  for (const [name, client] of [
    ["own account", (c: AwsClients) => c.ec2ForRegion("us-east-1")],
    ["member account", member],
  ] as Array<[string, (c: AwsClients) => EC2Client]>) {
    it(`retries an HTTP 200 without the result set, then fails it as malformed: EC2 (${name})`, async () => {
      answer = "empty 200";

      const error = await client(clients(2))
        .send(new DescribeSubnetsCommand({}))
        .then(
          () => expect.fail("an empty answer was taken as data"),
          (e: unknown) => e,
        );

      expect(error).to.include({ code: "MalformedResponse", action: "DescribeSubnets" });
      expect(requests).to.have.length(2);
    });
  }
});
