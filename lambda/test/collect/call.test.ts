import { Readable } from "node:stream";
import { DescribeSubnetsCommand, EC2Client, GetIpamResourceCidrsCommand } from "@aws-sdk/client-ec2";
import { expect } from "chai";
import {
  addResultSetCheck,
  checkResultSet,
  MalformedResponseError,
  RESULT_SETS,
  sendCollecting,
} from "../../src/collect/call";
import { deadlineAt, NO_DEADLINE, ScanTimeoutError } from "../../src/collect/deadline";
import { IAM_ACTIONS_BY_FEATURE } from "../../src/permissions";

const XMLNS = "http://ec2.amazonaws.com/doc/2016-11-15/";

interface Answer {
  status?: number;
  type?: string;
  body: string;
}

/** An EC2 client whose HTTP layer answers from a list, in memory; counts the requests. */
function clientAnswering(answers: Answer[]) {
  let requests = 0;
  const client = new EC2Client({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 3,
    requestHandler: {
      handle: async () => {
        const answer = answers[Math.min(requests, answers.length - 1)]!;
        requests += 1;
        return {
          response: {
            statusCode: answer.status ?? 200,
            headers: {
              "content-type": answer.type ?? "text/xml;charset=UTF-8",
              "content-length": String(answer.body.length),
            },
            body: Readable.from([Buffer.from(answer.body)]),
          },
        };
      },
    },
  });
  addResultSetCheck(client);
  return { client, requests: () => requests };
}

const EMPTY: Answer = { body: "" };
const HTML: Answer = { type: "text/html", body: "<html><body><h1>502 Bad Gateway</h1></body></html>" };
const NO_SET: Answer = {
  body: `<?xml version="1.0"?><GetIpamResourceCidrsResponse xmlns="${XMLNS}"><requestId>r</requestId></GetIpamResourceCidrsResponse>`,
};
const EMPTY_SET: Answer = {
  body: `<?xml version="1.0"?><GetIpamResourceCidrsResponse xmlns="${XMLNS}"><requestId>r</requestId><ipamResourceCidrSet/></GetIpamResourceCidrsResponse>`,
};
const JSON_BODY: Answer = { type: "application/json", body: '{"ok":true}' };

async function getCidrs(client: EC2Client): Promise<unknown> {
  return client.send(new GetIpamResourceCidrsCommand({ IpamScopeId: "ipam-scope-0abc" })).then(
    (out) => out,
    (err: unknown) => err,
  );
}

describe("collect/call", function () {
  // The SDK waits between attempts (up to a few hundred ms here).
  this.timeout(20_000);

  describe("the result-set check on a client", () => {
    for (const [what, answer] of [
      ["an empty body", EMPTY],
      ["an HTML page", HTML],
      ["XML without ipamResourceCidrSet", NO_SET],
      ["a JSON body the XML parser cannot read", JSON_BODY],
    ] as const) {
      it(`fails a 200 with ${what} after the SDK's attempts, never reading it as no resources`, async () => {
        const { client, requests } = clientAnswering([answer]);

        const result = await getCidrs(client);

        expect(result).to.be.instanceOf(MalformedResponseError).and.include({
          action: "GetIpamResourceCidrs",
          code: "MalformedResponse",
        });
        expect((result as Error).message).to.include("answered HTTP 200 without ipamResourceCidrSet");
        expect(requests()).to.equal(3);
      });
    }

    it("succeeds when a retry brings a well-formed answer", async () => {
      const { client, requests } = clientAnswering([HTML, EMPTY_SET]);

      const result = await getCidrs(client);

      expect(result).to.have.property("IpamResourceCidrs").that.deep.equals([]);
      expect(requests()).to.equal(2);
    });

    it("takes an empty result set as an empty page", async () => {
      const { client, requests } = clientAnswering([EMPTY_SET]);

      expect(await getCidrs(client))
        .to.have.property("IpamResourceCidrs")
        .that.deep.equals([]);
      expect(requests()).to.equal(1);
    });

    it("names the content type and size of an unreadable body", async () => {
      const { client } = clientAnswering([HTML]);

      const result = (await getCidrs(client)) as Error;

      expect(result.message).to.include("text/html").and.include(`${HTML.body.length} bytes`);
    });

    it("is added once however often it is asked for", () => {
      const { client } = clientAnswering([EMPTY_SET]);

      addResultSetCheck(client);

      expect(
        client.middlewareStack.identify().filter((name) => name.startsWith("ipamMonitorResultSetCheck")),
      ).to.have.length(1);
    });
  });

  describe("checkResultSet", () => {
    it("passes an output with its result set, empty or not", () => {
      expect(() => checkResultSet("DescribeSubnets", { Subnets: [] })).not.to.throw();
    });

    it("fails an output without it", () => {
      expect(() => checkResultSet("DescribeSubnets", { $metadata: {} })).to.throw(MalformedResponseError, "subnetSet");
    });

    it("leaves actions that are not collecting calls alone", () => {
      expect(() => checkResultSet("PutMetricData", {})).not.to.throw();
    });

    it("knows the result set of every collecting action the sources call", () => {
      const collecting = [...IAM_ACTIONS_BY_FEATURE.ipam, ...IAM_ACTIONS_BY_FEATURE.ec2].map((a) => a.split(":")[1]);

      expect(Object.keys(RESULT_SETS)).to.include.members(collecting);
    });
  });

  describe("sendCollecting", () => {
    it("fails an output without its result set from a client that has no check", async () => {
      const error = await sendCollecting("DescribeSubnets", NO_DEADLINE, async () => ({ $metadata: {} })).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).to.be.instanceOf(MalformedResponseError);
    });

    it("sends nothing once the deadline has passed", async () => {
      let sent = false;

      const error = await sendCollecting("DescribeSubnets", deadlineAt(0, "the scan timeout of 1 s"), async () => {
        sent = true;
        return { Subnets: [] };
      }).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(sent).to.equal(false);
      expect(error).to.be.instanceOf(ScanTimeoutError);
      expect((error as Error).message).to.equal(
        "DescribeSubnets was stopped: the time for collecting ran out (the scan timeout of 1 s)",
      );
    });

    it("turns a call the deadline aborted into a ScanTimeoutError naming the action", async () => {
      const deadline = deadlineAt(Date.now() + 20, "the function's remaining time");

      const error = await sendCollecting("DescribeSubnets", deadline, (abortSignal) => {
        const client = new EC2Client({
          region: "us-east-1",
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
          requestHandler: {
            // A hung endpoint: answers only when aborted.
            handle: (_request: unknown, options?: { abortSignal?: AbortSignal }) =>
              new Promise((_resolve, reject) => {
                options?.abortSignal?.addEventListener("abort", () =>
                  reject(Object.assign(new Error("Request aborted"), { name: "AbortError" })),
                );
              }),
          },
        });
        return client.send(new DescribeSubnetsCommand({}), { abortSignal });
      }).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).to.be.instanceOf(ScanTimeoutError).and.include({ action: "DescribeSubnets", code: "ScanTimeout" });
    });
  });
});
