// @ts-check
/**
 * An emulated AWS Organization for the cross-account benchmark (scripts/bench --org), served on
 * loopback in this process:
 *
 *   - Organizations ListAccounts (JSON protocol): `accounts` ACTIVE member accounts, 20 a page;
 *   - STS GetCallerIdentity and AssumeRole (Query protocol): AssumeRole answers for any account of
 *     the organization with keys that name it (ASIA + account id + …), so later calls can be
 *     attributed to the account they were signed for;
 *   - EC2 DescribeVpcs, DescribeSubnets, DescribeAddresses (EC2 Query protocol): per account and
 *     Region (the Region from the SigV4 scope), a default VPC 172.31.0.0/16 with three /20 subnets,
 *     a VPC 10.a.b.0/22 with four /24 subnets filled to a level derived from the account, and one
 *     Elastic IP: 2 VPC CIDRs + 7 subnets + 1 address = 10 resource CIDRs per account-Region;
 *   - every answer after `latencyMs` (150 ms by default: a cross-Region call from Lambda);
 *   - EC2 throttled as documented: a token bucket per account, Region and action, 100 tokens,
 *     refilled at 20 a second (non-mutating actions); past it, RequestLimitExceeded (HTTP 503).
 *
 * It counts every call by action, and the throttled ones.
 */

import { createServer } from "node:http";

const EC2_XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";
const STS_XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
export const MANAGEMENT_ACCOUNT = "100000000000";
export const RESOURCES_PER_ACCOUNT_REGION = 10;
/** EC2's documented request-rate bucket for non-mutating actions. */
export const EC2_BUCKET = { size: 100, refillPerSecond: 20 };
const CREDENTIAL = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/;

/** @param {number} i */
export function memberAccount(i) {
  return String(200000000000 + i);
}

/** @param {string} text */
function xml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** @param {Record<string, string>} tags */
function tagSet(tags) {
  return `<tagSet>${Object.entries(tags)
    .map(([k, v]) => `<item><key>${xml(k)}</key><value>${xml(v)}</value></item>`)
    .join("")}</tagSet>`;
}

/**
 * The network of one account-Region, as the three describe answers' inner XML.
 * @param {string} account
 * @param {string} region
 * @param {number} accountIndex
 * @param {number} regionIndex
 */
export function accountRegionNetwork(account, region, accountIndex, regionIndex) {
  const hex = (/** @type {number} */ n, /** @type {number} */ width) => n.toString(16).padStart(width, "0");
  const id = `${hex(accountIndex, 6)}${hex(regionIndex, 2)}`;
  const team = `team-${accountIndex % 20}`;
  const defaultVpc = `vpc-0d${id}00000`;
  const vpc = `vpc-0a${id}00000`;
  const a = Math.floor(accountIndex / 4) % 256;
  const b = (accountIndex % 4) * 64 + regionIndex * 4;
  /** @param {string} vpcId @param {string} cidr @param {boolean} isDefault @param {Record<string, string>} tags */
  const vpcItem = (vpcId, cidr, isDefault, tags) =>
    `<item><vpcId>${vpcId}</vpcId><ownerId>${account}</ownerId><state>available</state><cidrBlock>${cidr}</cidrBlock>` +
    `<cidrBlockAssociationSet><item><associationId>vpc-cidr-assoc-${vpcId.slice(4)}</associationId><cidrBlock>${cidr}</cidrBlock>` +
    `<cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet>` +
    `<isDefault>${isDefault}</isDefault>${tagSet(tags)}</item>`;
  /**
   * @param {string} subnetId @param {string} vpcId @param {string} cidr @param {number} available
   * @param {string} az @param {Record<string, string>} tags
   */
  const subnetItem = (subnetId, vpcId, cidr, available, az, tags) =>
    `<item><subnetId>${subnetId}</subnetId><ownerId>${account}</ownerId><vpcId>${vpcId}</vpcId><state>available</state>` +
    `<cidrBlock>${cidr}</cidrBlock><availableIpAddressCount>${available}</availableIpAddressCount>` +
    `<availabilityZone>${region}${az}</availabilityZone><availabilityZoneId>${region.slice(0, 4)}-az${az.charCodeAt(0) - 96}</availabilityZoneId>` +
    `<ipv6CidrBlockAssociationSet/>${tagSet(tags)}</item>`;
  const vpcs = [
    vpcItem(defaultVpc, "172.31.0.0/16", true, {}),
    vpcItem(vpc, `10.${a}.${b}.0/22`, false, { Name: `app-${accountIndex}`, team, env: "prod" }),
  ];
  const subnets = [
    ...["a", "b", "c"].map((az, i) =>
      subnetItem(`subnet-0d${id}0000${i}`, defaultVpc, `172.31.${i * 16}.0/20`, 4091, az, {}),
    ),
    ...[0, 1, 2, 3].map((i) =>
      subnetItem(
        `subnet-0a${id}0000${i}`,
        vpc,
        `10.${a}.${b + i}.0/24`,
        251 - ((accountIndex * 37 + regionIndex * 11 + i * 53) % 252),
        ["a", "b", "c"][i % 3] ?? "a",
        { Name: `app-${accountIndex}-${i}`, team, env: "prod" },
      ),
    ),
  ];
  const addresses = [
    `<item><publicIp>198.${18 + (accountIndex % 2)}.${(accountIndex >> 8) % 256}.${accountIndex % 256}</publicIp>` +
      `<allocationId>eipalloc-0e${id}00000</allocationId><domain>vpc</domain>` +
      (accountIndex % 3 === 0 ? "" : `<associationId>eipassoc-0e${id}00000</associationId>`) +
      `${tagSet({ team })}</item>`,
  ];
  return { vpcs: vpcs.join(""), subnets: subnets.join(""), addresses: addresses.join("") };
}

/**
 * @param {{ accounts: number; regions: string[]; latencyMs?: number }} options
 * @returns {Promise<{ url: string; stats(): { calls: Record<string, number>; throttled: number; cpuMs: number }; reset(): void; close(): Promise<void> }>}
 */
export async function startOrganization({ accounts, regions, latencyMs = 150 }) {
  const index = new Map([[MANAGEMENT_ACCOUNT, 0]]);
  for (let i = 1; i <= accounts; i++) index.set(memberAccount(i), i);
  /** @type {Record<string, number>} */
  let calls = {};
  let throttled = 0;
  /** @type {Map<string, { tokens: number; at: number }>} */
  const buckets = new Map();
  /** @type {Map<string, ReturnType<typeof accountRegionNetwork>>} */
  const networks = new Map();
  let requestId = 0;

  /** @param {string} key */
  const take = (key) => {
    const now = Date.now() / 1000;
    const bucket = buckets.get(key) ?? { tokens: EC2_BUCKET.size, at: now };
    bucket.tokens = Math.min(EC2_BUCKET.size, bucket.tokens + (now - bucket.at) * EC2_BUCKET.refillPerSecond);
    bucket.at = now;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };

  /** @param {string} accessKey */
  const accountOf = (accessKey) => /^ASIA(\d{12})/.exec(accessKey)?.[1] ?? MANAGEMENT_ACCOUNT;

  /**
   * @param {import("node:http").IncomingMessage} req
   * @param {string} body
   * @returns {{ status: number; type: string; body: string }}
   */
  const answer = (req, body) => {
    const target = req.headers["x-amz-target"];
    const auth = CREDENTIAL.exec(String(req.headers.authorization ?? ""));
    const [accessKey, region, service] = auth ? [auth[1] ?? "", auth[2] ?? "", auth[3] ?? ""] : ["", "", ""];
    const id = `bench-${++requestId}`;
    if (typeof target === "string") {
      const action = target.split(".").pop() ?? "";
      calls[action] = (calls[action] ?? 0) + 1;
      if (action !== "ListAccounts") {
        return {
          status: 400,
          type: "application/x-amz-json-1.1",
          body: JSON.stringify({ __type: "UnsupportedOperation", message: action }),
        };
      }
      const input = JSON.parse(body || "{}");
      const start = Number(input.NextToken ?? 0);
      const page = [...index.keys()].slice(start, start + 20);
      const next = start + 20 < index.size ? String(start + 20) : undefined;
      return {
        status: 200,
        type: "application/x-amz-json-1.1",
        body: JSON.stringify({
          Accounts: page.map((Id) => ({
            Id,
            Name: `account-${index.get(Id)}`,
            Status: "ACTIVE",
            State: "ACTIVE",
            Email: `${Id}@example.com`,
          })),
          ...(next ? { NextToken: next } : {}),
        }),
      };
    }
    const params = new URLSearchParams(body);
    const action = params.get("Action") ?? "";
    calls[action] = (calls[action] ?? 0) + 1;
    if (service === "sts") {
      if (action === "GetCallerIdentity") {
        return {
          status: 200,
          type: "text/xml",
          body: `<GetCallerIdentityResponse xmlns="${STS_XMLNS}"><GetCallerIdentityResult><Arn>arn:aws:sts::${MANAGEMENT_ACCOUNT}:assumed-role/ipam-monitor/bench</Arn><UserId>AROABENCH:bench</UserId><Account>${MANAGEMENT_ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        };
      }
      const account = (params.get("RoleArn") ?? "").split(":")[4] ?? "";
      if (action !== "AssumeRole" || !index.has(account)) {
        return {
          status: 403,
          type: "text/xml",
          body: `<ErrorResponse xmlns="${STS_XMLNS}"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`,
        };
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      return {
        status: 200,
        type: "text/xml",
        body: `<AssumeRoleResponse xmlns="${STS_XMLNS}"><AssumeRoleResult><Credentials><AccessKeyId>ASIA${account}BNCH</AccessKeyId><SecretAccessKey>bench</SecretAccessKey><SessionToken>bench-${account}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::${account}:assumed-role/member/bench</Arn><AssumedRoleId>AROABENCH:bench</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      };
    }
    const account = accountOf(accessKey);
    if (!take(`${account}/${region}/${action}`)) {
      throttled += 1;
      return {
        status: 503,
        type: "text/xml",
        body: `<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>${id}</RequestID></Response>`,
      };
    }
    const key = `${account}/${region}`;
    let network = networks.get(key);
    if (network === undefined) {
      network = accountRegionNetwork(account, region, index.get(account) ?? 0, Math.max(0, regions.indexOf(region)));
      networks.set(key, network);
    }
    const sets = {
      DescribeVpcs: ["vpcSet", network.vpcs],
      DescribeSubnets: ["subnetSet", network.subnets],
      DescribeAddresses: ["addressesSet", network.addresses],
    };
    const set = sets[/** @type {keyof typeof sets} */ (action)];
    if (set === undefined) {
      return {
        status: 400,
        type: "text/xml",
        body: `<Response><Errors><Error><Code>UnsupportedOperation</Code><Message>${xml(action)}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`,
      };
    }
    return {
      status: 200,
      type: "text/xml",
      body: `<${action}Response xmlns="${EC2_XMLNS}"><requestId>${id}</requestId><${set[0]}>${set[1]}</${set[0]}></${action}Response>`,
    };
  };

  const cpuAtStart = process.cpuUsage();
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const reply = answer(req, body);
      setTimeout(() => {
        res.writeHead(reply.status, { "Content-Type": reply.type, "Content-Length": Buffer.byteLength(reply.body) });
        res.end(reply.body);
      }, latencyMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stats() {
      const used = process.cpuUsage(cpuAtStart);
      return { calls: { ...calls }, throttled, cpuMs: (used.user + used.system) / 1000 };
    },
    reset() {
      calls = {};
      throttled = 0;
      buckets.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
