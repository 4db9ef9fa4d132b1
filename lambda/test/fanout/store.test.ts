import { gzipSync } from "node:zlib";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { ScanError } from "../../src/errors";
import { decodeInventory, encodeInventory, S3ObjectStore, type ShardInventory } from "../../src/fanout/store";
import { awsError } from "../fixtures/org/network";

const INVENTORY: ShardInventory = {
  version: 1,
  scanId: "exec-1",
  shard: 3,
  assumeRoleCalls: 2,
  results: [
    {
      accountId: "222222222222",
      region: "us-east-1",
      resources: [
        {
          source: "ec2",
          resourceId: "subnet-0b1",
          resourceType: "subnet",
          cidr: "2600:1f18::/56",
          addressFamily: "ipv6",
          ownerId: "222222222222",
          region: "us-east-1",
          tags: { $n: "a tag value that looks like nothing special", Name: "v6" },
          size: 2n ** 72n,
          usable: 2n ** 72n,
        },
        {
          source: "ec2",
          resourceId: "subnet-0b2",
          resourceType: "subnet",
          cidr: "10.0.0.0/28",
          addressFamily: "ipv4",
          tags: {},
          size: 16n,
          usable: 11n,
          used: 9n,
          free: 2n,
          utilization: 81.81818181818183,
        },
      ],
      units: [
        {
          unit: { key: "ec2/222222222222/us-east-1", source: "ec2", account: "222222222222", region: "us-east-1" },
          resources: 2,
          pages: 2,
          complete: false,
        },
      ],
      failures: [
        {
          target: "account 222222222222 region us-east-1",
          action: "DescribeAddresses",
          code: "UnauthorizedOperation",
          message: "denied",
        },
      ],
    },
  ],
};

describe("fanout/store", () => {
  it("writes a shard inventory and reads it back exactly, BigInts and all", () => {
    const decoded = decodeInventory(encodeInventory(INVENTORY), "s3://b/k");

    expect(decoded).to.deep.equal(INVENTORY);
    expect(typeof decoded.results[0]?.resources[0]?.size).to.equal("bigint");
  });

  it("refuses an object that is not a gzipped shard inventory, naming it", () => {
    expect(() => decodeInventory(Buffer.from("{}"), "s3://b/scans/x/shards/0.json.gz")).to.throw(
      ScanError,
      /^s3:\/\/b\/scans\/x\/shards\/0.json.gz: is not a gzipped JSON shard inventory/,
    );
    expect(() => decodeInventory(gzipSync('{"version":2}'), "s3://b/k")).to.throw(
      ScanError,
      /is not a version 1 shard inventory/,
    );
  });

  describe("in S3", () => {
    const client = new S3Client({ region: "us-east-1" });
    const s3 = mockClient(client);
    afterEach(() => s3.reset());
    after(() => s3.restore());

    it("puts to and gets from the bucket by key", async () => {
      s3.on(PutObjectCommand).resolves({});
      s3.on(GetObjectCommand).resolves({
        Body: { transformToByteArray: async () => new Uint8Array([1, 2, 3]) } as never,
      });
      const store = new S3ObjectStore(client, "scans-bucket");

      await store.put("scans/x/plan.json", new Uint8Array([9]), "application/json");
      const body = await store.get("scans/x/plan.json");

      expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).to.include({
        Bucket: "scans-bucket",
        Key: "scans/x/plan.json",
      });
      expect([...(body ?? [])]).to.deep.equal([1, 2, 3]);
    });

    it("reads a missing object as undefined", async () => {
      s3.on(GetObjectCommand).rejects(awsError("NoSuchKey", "The specified key does not exist.", 404));

      expect(await new S3ObjectStore(client, "scans-bucket").get("scans/x/shards/0.json.gz")).to.equal(undefined);
    });

    it("names the object and the s3: permission when access is denied", async () => {
      s3.on(PutObjectCommand).rejects(awsError("AccessDenied", "Access Denied"));

      const err = (await new S3ObjectStore(client, "scans-bucket")
        .put("scans/x/plan.json", new Uint8Array(), "application/json")
        .catch((e: unknown) => e)) as ScanError;

      expect(err).to.be.instanceOf(ScanError);
      expect(err.message).to.match(
        /^s3:\/\/scans-bucket\/scans\/x\/plan.json: PutObject was denied \(AccessDenied\): grant the IAM permission s3:PutObject/,
      );
    });
  });
});
