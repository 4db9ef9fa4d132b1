/**
 * A collecting call answers with data or fails: never with "nothing". An HTTP 200 whose body does
 * not hold the operation's result set (an empty body, a proxy's HTML page, XML without the set) is
 * what a broken gateway, a captive portal or a truncated answer looks like, and reading it as an
 * empty list is how a monitor reports a full network as empty and every finding as recovered.
 * AWS always sends the set, empty or not (`<subnetSet/>`), and the SDK turns an empty one into [].
 *
 * Two layers use the table below: a middleware on each EC2 client turns such an answer into a
 * retryable error, so the SDK retries it with its usual backoff and attempts; and every collector
 * checks what `send` returned, so a client without the middleware (a stub) cannot slip through.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import { ScanError } from "../errors";
import { checkDeadline, type Deadline, ScanTimeoutError } from "./deadline";

/** The member each collecting action must answer with, and its element name on the wire. */
export const RESULT_SETS: Readonly<Record<string, { member: string; element: string }>> = {
  DescribeIpams: { member: "Ipams", element: "ipamSet" },
  DescribeIpamScopes: { member: "IpamScopes", element: "ipamScopeSet" },
  GetIpamResourceCidrs: { member: "IpamResourceCidrs", element: "ipamResourceCidrSet" },
  DescribeVpcs: { member: "Vpcs", element: "vpcSet" },
  DescribeSubnets: { member: "Subnets", element: "subnetSet" },
  DescribeAddresses: { member: "Addresses", element: "addressesSet" },
  // Capacity (collect/enis.ts). EC2 answers both reservation sets, empty or not; the IPv4 one is required.
  DescribeNetworkInterfaces: { member: "NetworkInterfaces", element: "networkInterfaceSet" },
  GetSubnetCidrReservations: { member: "SubnetIpv4CidrReservations", element: "subnetIpv4CidrReservationSet" },
};

/**
 * A 200 answer without the result set. `$retryable` makes the SDK's retry strategy retry it like a
 * transient error; after the last attempt it reaches the collector, which names the call.
 */
export class MalformedResponseError extends ScanError {
  readonly $retryable = {};
  constructor(action: string, detail: string) {
    super(
      action,
      `${action} answered HTTP 200 without ${RESULT_SETS[action]?.element ?? "its result set"} (${detail}); ` +
        "the answer is not data, so nothing it left out is counted as gone",
      { code: "MalformedResponse" },
    );
  }
}

/** What the HTTP headers say about a body the SDK could not read: "text/html, 1,234 bytes". */
function describeBody(headers: Record<string, string | undefined> | undefined): string {
  const type = headers?.["content-type"];
  const length = headers?.["content-length"];
  const parts = [type !== undefined && type !== "" ? type : "no content type"];
  if (length !== undefined)
    parts.push(length === "0" ? "empty body" : `${Number(length).toLocaleString("en-US")} bytes`);
  return parts.join(", ");
}

/** Throws MalformedResponseError when a collecting action's output lacks its result set. */
export function checkResultSet(action: string, output: unknown, detail = "the result set is missing"): void {
  const set = RESULT_SETS[action];
  if (set === undefined) return;
  const value =
    typeof output === "object" && output !== null ? (output as Record<string, unknown>)[set.member] : undefined;
  if (!Array.isArray(value)) throw new MalformedResponseError(action, detail);
}

interface HttpResponseLike {
  statusCode?: number;
  headers?: Record<string, string | undefined>;
}

/** The SDK's own deserialization failures carry no `$fault`; modelled AWS errors always do. */
function isUnreadable200(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status !== undefined && status >= 200 && status < 300 && !("$fault" in err);
}

/**
 * Adds the result-set check to a client, once: it runs right after the SDK reads the answer and
 * before the retry strategy decides, so a bad answer is retried. Other actions pass untouched.
 */
export function addResultSetCheck(client: EC2Client): void {
  const name = "ipamMonitorResultSetCheck";
  if (client.middlewareStack.identify().some((entry) => entry.startsWith(name))) return;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const action = String(context.commandName ?? "").replace(/Command$/, "");
      if (RESULT_SETS[action] === undefined) return next(args);
      let out: Awaited<ReturnType<typeof next>>;
      try {
        out = await next(args);
      } catch (err) {
        if (!isUnreadable200(err)) throw err;
        const response = (err as { $response?: HttpResponseLike }).$response;
        throw new MalformedResponseError(action, `unreadable body: ${describeBody(response?.headers)}`);
      }
      const response = out.response as HttpResponseLike | undefined;
      checkResultSet(action, out.output, describeBody(response?.headers));
      return out;
    },
    { step: "deserialize", name, priority: "high" },
  );
}

/**
 * Sends one collecting call with the deadline's signal and checks its result set. A call the
 * deadline aborted, or one asked for after it, fails with ScanTimeoutError naming the action; the
 * wait ends when the deadline does even if the client does not heed the signal (the SDK sleeping
 * between two attempts, a custom request handler).
 */
export async function sendCollecting<Output extends object>(
  action: string,
  deadline: Deadline,
  send: (abortSignal: AbortSignal) => Promise<Output>,
): Promise<Output> {
  checkDeadline(deadline, action);
  const { signal } = deadline;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ScanTimeoutError(action, deadline.reason));
    signal.addEventListener("abort", onAbort, { once: true });
  });
  let output: Output;
  try {
    output = await Promise.race([send(signal), aborted]);
  } catch (err) {
    if (signal.aborted) throw new ScanTimeoutError(action, deadline.reason);
    throw err;
  } finally {
    if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
  }
  checkResultSet(action, output);
  return output;
}
