import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { type AwsClientStub, mockClient } from "aws-sdk-client-mock";
import { expect } from "chai";
import { deadlineAt, ScanTimeoutError } from "../../src/collect/deadline";
import { ConfigError, ScanError } from "../../src/errors";
import { parseHistoryLocation } from "../../src/history/store";
import { DirectoryHistoryStore } from "../../src/history/store-dir";
import { S3HistoryStore } from "../../src/history/store-s3";

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: "client", $metadata: { httpStatusCode: status }, message: name });
}

describe("history stores", () => {
  describe("parseHistoryLocation", () => {
    it("reads s3://bucket/prefix with a trailing slash added to the prefix", () => {
      expect(parseHistoryLocation("s3://ipam-history/prod", "HISTORY_URI")).to.deep.equal({
        kind: "s3",
        bucket: "ipam-history",
        prefix: "prod/",
      });
    });

    it("reads s3://bucket alone as the whole bucket", () => {
      expect(parseHistoryLocation("s3://ipam-history/", "--history")).to.deep.equal({
        kind: "s3",
        bucket: "ipam-history",
        prefix: "",
      });
    });

    it("takes anything else as a directory", () => {
      expect(parseHistoryLocation("./history", "--history")).to.deep.equal({ kind: "dir", path: "./history" });
    });

    it("refuses a bucket name S3 would refuse, naming the setting", () => {
      expect(() => parseHistoryLocation("s3://Ipam_History/x", "--history"))
        .to.throw(ConfigError)
        .with.property("message", '--history: "Ipam_History" in "s3://Ipam_History/x" is not an S3 bucket name.');
    });

    it("refuses another URL scheme rather than create a directory named after it", () => {
      expect(() => parseHistoryLocation("gs://bucket/x", "--history")).to.throw(
        '--history: "gs://bucket/x" is neither a directory nor an s3://bucket/prefix location.',
      );
    });
  });

  describe("DirectoryHistoryStore", () => {
    let dir: string;
    let store: DirectoryHistoryStore;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "ipam-history-"));
      store = new DirectoryHistoryStore(dir);
    });

    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("lists nothing and reads nothing before the first write", async () => {
      expect(await store.listDays("2026-01-01", "2026-12-31")).to.deep.equal([]);
      expect(await store.readDay("2026-11-26")).to.equal(undefined);
    });

    it("lists the days of a range in order and ignores other files", async () => {
      for (const day of ["2026-11-27", "2026-11-01", "2026-11-26", "2026-10-31"]) {
        expect(await store.writeDay(day, Buffer.from(day), undefined)).to.equal(true);
      }
      writeFileSync(join(dir, "days", "notes.txt"), "x");

      expect(await store.listDays("2026-11-01", "2026-11-26")).to.deep.equal(["2026-11-01", "2026-11-26"]);
    });

    it("writes a new day only when it does not exist yet", async () => {
      await store.writeDay("2026-11-26", Buffer.from("first"), undefined);

      expect(await store.writeDay("2026-11-26", Buffer.from("second"), undefined)).to.equal(false);
      expect(Buffer.from((await store.readDay("2026-11-26"))!.bytes).toString()).to.equal("first");
    });

    it("replaces a day only when it is still at the version read", async () => {
      await store.writeDay("2026-11-26", Buffer.from("first"), undefined);
      const read = (await store.readDay("2026-11-26"))!;
      await store.writeDay("2026-11-26", Buffer.from("another writer"), read.version);

      expect(await store.writeDay("2026-11-26", Buffer.from("stale"), read.version)).to.equal(false);
      expect(Buffer.from((await store.readDay("2026-11-26"))!.bytes).toString()).to.equal("another writer");
    });

    it("takes over a lock left by a process that died a while ago", async () => {
      mkdirSync(join(dir, "days"), { recursive: true });
      const lock = join(dir, "days", "2026-11-26.json.gz.lock");
      writeFileSync(lock, "");
      const old = new Date(Date.now() - 120_000);
      utimesSync(lock, old, old);

      expect(await store.writeDay("2026-11-26", Buffer.from("x"), undefined)).to.equal(true);
    });
  });

  describe("S3HistoryStore", () => {
    let s3: AwsClientStub<S3Client>;
    let store: S3HistoryStore;

    beforeEach(() => {
      s3 = mockClient(S3Client);
      store = new S3HistoryStore(new S3Client({ region: "us-east-1" }), "ipam-history", "prod/");
    });
    afterEach(() => s3.restore());

    it("lists the days of a range from where the range starts, across pages", async () => {
      s3.on(ListObjectsV2Command, { ContinuationToken: undefined }).resolves({
        Contents: [{ Key: "prod/days/2026-11-01.json.gz" }, { Key: "prod/days/2026-11-02.json.gz" }],
        IsTruncated: true,
        NextContinuationToken: "t1",
      });
      s3.on(ListObjectsV2Command, { ContinuationToken: "t1" }).resolves({
        Contents: [{ Key: "prod/days/2026-11-26.json.gz" }, { Key: "prod/days/2026-11-27.json.gz" }],
        IsTruncated: true,
        NextContinuationToken: "t2",
      });

      const days = await store.listDays("2026-11-01", "2026-11-26");

      expect(days).to.deep.equal(["2026-11-01", "2026-11-02", "2026-11-26"]);
      expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).to.deep.include({
        Bucket: "ipam-history",
        Prefix: "prod/days/",
        StartAfter: "prod/days/2026-11-01",
      });
      expect(s3.commandCalls(ListObjectsV2Command)).to.have.length(2); // the day past the range ends the listing
    });

    it("reads a day with its ETag, and a missing day as nothing", async () => {
      // The part of the SDK's stream mixin the store reads.
      const body = { transformToByteArray: async () => new Uint8Array(Buffer.from("gz")) };
      s3.on(GetObjectCommand, { Key: "prod/days/2026-11-26.json.gz" }).resolves({ Body: body as never, ETag: '"abc"' });
      s3.on(GetObjectCommand, { Key: "prod/days/2026-11-25.json.gz" }).rejects(s3Error("NoSuchKey", 404));

      const read = await store.readDay("2026-11-26");

      expect(Buffer.from(read!.bytes).toString()).to.equal("gz");
      expect(read!.version).to.equal('"abc"');
      expect(await store.readDay("2026-11-25")).to.equal(undefined);
    });

    it("writes a new day with If-None-Match and an existing one with If-Match", async () => {
      s3.on(PutObjectCommand).resolves({});

      await store.writeDay("2026-11-26", Buffer.from("a"), undefined);
      await store.writeDay("2026-11-26", Buffer.from("b"), '"abc"');

      const [first, second] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
      expect(first).to.deep.include({ Key: "prod/days/2026-11-26.json.gz", IfNoneMatch: "*" });
      expect(second).to.deep.include({ IfMatch: '"abc"' });
    });

    it("answers false when the day changed since it was read (412) or another write is in flight (409)", async () => {
      s3.on(PutObjectCommand).rejectsOnce(s3Error("PreconditionFailed", 412)).rejects(s3Error("Conflict", 409));

      expect(await store.writeDay("2026-11-26", Buffer.from("a"), '"abc"')).to.equal(false);
      expect(await store.writeDay("2026-11-26", Buffer.from("a"), '"abc"')).to.equal(false);
    });

    it("names the IAM permission when a write is denied", async () => {
      s3.on(PutObjectCommand).rejects(s3Error("AccessDenied", 403));

      const error = await store.writeDay("2026-11-26", Buffer.from("a"), undefined).catch((e: unknown) => e);

      expect(error).to.be.instanceOf(ScanError);
      expect((error as ScanError).message).to.contain("grant the IAM permission s3:PutObject");
    });

    it("names s3:ListBucket when the listing is denied", async () => {
      s3.on(ListObjectsV2Command).rejects(s3Error("AccessDenied", 403));

      const error = await store.listDays("2026-11-01", "2026-11-26").catch((e: unknown) => e);

      expect((error as ScanError).message).to.contain("grant the IAM permission s3:ListBucket");
    });
  });

  describe("S3HistoryStore at the scan's deadline", () => {
    it("stops a call that gets no answer, saying which time ran out", async () => {
      const silent = new S3Client({
        region: "us-east-1",
        credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "example" },
        maxAttempts: 1,
        // An endpoint that never answers: the request ends only when its signal aborts.
        requestHandler: {
          handle: (_request: unknown, options?: { abortSignal?: AbortSignal }) =>
            new Promise((_resolve, reject) => {
              options?.abortSignal?.addEventListener("abort", () =>
                reject(Object.assign(new Error("Request aborted"), { name: "AbortError" })),
              );
            }),
        } as never,
      });
      const store = new S3HistoryStore(silent, "ipam-history", "prod/");
      const deadline = deadlineAt(Date.now() + 50, "the scan timeout of 480 s (SCAN_TIMEOUT_SECONDS, --timeout)");

      try {
        const error = await store.readDay("2026-11-26", deadline.signal).catch((e: unknown) => e);

        expect(error).to.be.instanceOf(ScanTimeoutError);
        expect(error).to.deep.include({ action: "GetObject", code: "ScanTimeout" });
        expect((error as Error).message).to.contain("the scan timeout of 480 s");
      } finally {
        deadline.dispose();
      }
    });
  });
});
