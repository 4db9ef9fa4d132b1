/**
 * SDK clients, created once per container and reused across invocations (connection reuse),
 * and handed to the library so tests can inject stubs.
 * Throttling (RequestLimitExceeded), 5xx answers, timeouts and malformed answers to collecting
 * calls are retried by the SDK's retry strategy with backoff; the attempts and mode come from the
 * configuration. Every client has a connect and a response timeout, so a hung endpoint costs at
 * most attempts × timeout per call instead of forever.
 * No client is given an `endpoint`: the SDK then reads AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>
 * and the profile's endpoint_url itself, which is how the CLI and the tests reach a local emulator.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EC2Client } from "@aws-sdk/client-ec2";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import { addResultSetCheck } from "./collect/call";
import type { SessionCredentials } from "./collect/credentials";
import type { Config } from "./config";

export interface AwsClients {
  ec2ForRegion(region: string): EC2Client;
  /**
   * A new EC2 client of a member account in a Region, signed with that account's member role
   * session. Not cached: a scan asks once per account-Region, and the next scan has new sessions.
   */
  ec2ForAccount(accountId: string, region: string, credentials: () => Promise<SessionCredentials>): EC2Client;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
  dynamodb: DynamoDBClient;
  /** AssumeRole into member accounts and GetCallerIdentity, in the home Region (regional STS endpoint). */
  sts: STSClient;
  organizations: OrganizationsClient;
  /** The scan bucket of a fanned-out scan and the scan history's bucket, in the home Region. */
  s3: S3Client;
}

/** True when AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3 points the clients somewhere else than AWS. */
export function endpointOverridden(env: Record<string, string | undefined>): boolean {
  return [env.AWS_ENDPOINT_URL, env.AWS_ENDPOINT_URL_S3].some((url) => url !== undefined && url.trim() !== "");
}

/**
 * Organizations has one endpoint per partition, in this Region. The SDK resolves the partition's
 * endpoint from any of its Regions; naming the one the service lives in keeps it explicit.
 */
export function organizationsRegion(homeRegion: string): string {
  if (homeRegion.startsWith("cn-")) return "cn-northwest-1";
  if (homeRegion.startsWith("us-gov-")) return "us-gov-west-1";
  return "us-east-1";
}

/**
 * Attempts of a Publish. A Publish that SNS delivered but answered with a 500, or whose answer
 * was lost, cannot be told from one that failed; every retry of it may deliver one more copy.
 * One retry keeps a lost message from being dropped and bounds the copies to two.
 */
export const PUBLISH_MAX_ATTEMPTS = 2;

/** Metrics and the state table live in the configuration's home region (see Config.homeRegion). */
export function createAwsClients(
  config: Pick<
    Config,
    "homeRegion" | "maxAttempts" | "retryMode" | "snsTopicArn" | "connectTimeoutMs" | "responseTimeoutMs"
  >,
): AwsClients {
  const { homeRegion } = config;
  const shared = {
    maxAttempts: config.maxAttempts,
    retryMode: config.retryMode,
    requestHandler: {
      connectionTimeout: config.connectTimeoutMs,
      // The whole answer within the limit (an endpoint that trickles bytes forever is as hung as a
      // silent one), and the socket idle no longer than that.
      requestTimeout: config.responseTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: config.responseTimeoutMs,
    },
  };
  const ec2ByRegion = new Map<string, EC2Client>();
  // Every member account's client of a Region talks to the same endpoint: sharing the connections
  // saves a TLS handshake per account-Region (the signature, not the connection, carries the account).
  const memberConnections = {
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
  };
  // The topic's region is in its ARN; publishing elsewhere fails with NotFound.
  const topicRegion = config.snsTopicArn?.split(":")[3];
  return {
    ec2ForRegion(region) {
      let client = ec2ByRegion.get(region);
      if (client === undefined) {
        client = new EC2Client({ ...shared, region });
        addResultSetCheck(client);
        ec2ByRegion.set(region, client);
      }
      return client;
    },
    ec2ForAccount(_accountId, region, credentials) {
      const client = new EC2Client({
        ...shared,
        region,
        credentials,
        requestHandler: { ...shared.requestHandler, ...memberConnections },
      });
      addResultSetCheck(client);
      return client;
    },
    cloudwatch: new CloudWatchClient({ ...shared, region: homeRegion }),
    sns: new SNSClient({
      ...shared,
      maxAttempts: Math.min(config.maxAttempts, PUBLISH_MAX_ATTEMPTS),
      region: topicRegion ?? homeRegion,
    }),
    dynamodb: new DynamoDBClient({ ...shared, region: homeRegion }),
    sts: new STSClient({ ...shared, region: homeRegion }),
    organizations: new OrganizationsClient({ ...shared, region: organizationsRegion(homeRegion) }),
    // Bucket names in the host need DNS for every bucket; an emulator behind AWS_ENDPOINT_URL has none.
    // The history bucket may live in another Region than the function: follow S3's redirect to it.
    s3: new S3Client({
      ...shared,
      region: homeRegion,
      forcePathStyle: endpointOverridden(process.env),
      followRegionRedirects: true,
    }),
  };
}
