import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { expect } from "chai";
import { makeZip, zipBytes } from "../../scripts/zip.mjs";
import { readZipWithPython } from "./sandbox";

async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  expect(error).to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}

describe("zip (lambda/scripts/zip.mjs)", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ipam-monitor-zip-test-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes the entries with makeZip and reads them back with Python. */
  async function roundTrip(entries: { name: string; data: Uint8Array | string }[]) {
    const path = join(dir, "out.zip");
    await makeZip(entries, path);
    return readZipWithPython(path);
  }

  describe("zipBytes", () => {
    it("gives the same bytes whatever order the entries come in", async () => {
      const a = { name: "index.js", data: "exports.handler = 1;\n" };
      const b = { name: "rules.yaml", data: "version: 1\n" };

      expect((await zipBytes([a, b])).equals(await zipBytes([b, a]))).to.equal(true);
    });

    it("gives different bytes when one entry's content changes", async () => {
      const before = await zipBytes([{ name: "rules.yaml", data: "version: 1\n" }]);
      const after = await zipBytes([{ name: "rules.yaml", data: "version: 1 \n" }]);

      expect(before.equals(after)).to.equal(false);
    });

    it("deflates each entry with Node's zlib at level 9", async () => {
      const data = Buffer.from("exports.handler = async () => ({ ok: true });\n".repeat(50));

      const zip = await zipBytes([{ name: "index.js", data }]);

      const deflated = deflateRawSync(data, { level: 9 });
      const start = 30 + "index.js".length;
      expect(zip.subarray(start, start + deflated.length).equals(deflated)).to.equal(true);
    });

    it("rejects an entry name that climbs out of the archive", async () => {
      await expectRejection(zipBytes([{ name: "../index.js", data: "" }]), /"\.\.\/index\.js" must be a relative path/);
    });

    it("rejects an absolute entry name", async () => {
      await expectRejection(zipBytes([{ name: "/index.js", data: "" }]), /"\/index\.js" must be a relative path/);
    });

    it("rejects the same name twice", async () => {
      await expectRejection(
        zipBytes([
          { name: "index.js", data: "a" },
          { name: "index.js", data: "b" },
        ]),
        /"index\.js" is given twice/,
      );
    });
  });

  describe("read back by Python's zipfile", () => {
    it("holds the entries sorted by name", async () => {
      const zip = await roundTrip([
        { name: "rules.yaml", data: "version: 1\n" },
        { name: "index.js", data: "" },
        { name: "lib/a.js", data: "" },
      ]);

      expect(zip.entries.map((e) => e.name)).to.deep.equal(["index.js", "lib/a.js", "rules.yaml"]);
    });

    it("returns every byte of binary content unchanged, with correct CRCs", async () => {
      const data = randomBytes(100_000);

      const zip = await roundTrip([{ name: "blob.bin", data }]);

      expect(zip.bad).to.equal(null);
      expect(zip.entries[0]?.data.equals(data)).to.equal(true);
    });

    it("returns an empty file as empty", async () => {
      const zip = await roundTrip([{ name: "empty.txt", data: "" }]);

      expect(zip.entries[0]?.data.length).to.equal(0);
    });

    it("stores a UTF-8 entry name as UTF-8", async () => {
      const zip = await roundTrip([{ name: "größe.yaml", data: "x" }]);

      expect(zip.entries[0]?.name).to.equal("größe.yaml");
    });

    it("dates every entry 1980-01-01 00:00:00", async () => {
      const zip = await roundTrip([
        { name: "index.js", data: "a" },
        { name: "rules.yaml", data: "b" },
      ]);

      expect(zip.entries.map((e) => e.dateTime)).to.deep.equal([
        [1980, 1, 1, 0, 0, 0],
        [1980, 1, 1, 0, 0, 0],
      ]);
    });

    it("gives every entry mode 0644 as a Unix regular file", async () => {
      const zip = await roundTrip([{ name: "index.js", data: "a" }]);

      expect(zip.entries[0]?.mode).to.equal(0o100644);
      expect(zip.entries[0]?.createSystem).to.equal(3);
    });

    it("writes no extra fields", async () => {
      const zip = await roundTrip([{ name: "index.js", data: "a" }]);

      expect(zip.entries[0]?.extra).to.equal("");
    });

    it("deflates the content", async () => {
      const zip = await roundTrip([{ name: "index.js", data: "a" }]);

      expect(zip.entries[0]?.compressType).to.equal(8);
    });
  });

  describe("makeZip", () => {
    it("creates the directories of the output path", async () => {
      const path = join(dir, "a", "b", "out.zip");

      await makeZip([{ name: "index.js", data: "a" }], path);

      expect(existsSync(path)).to.equal(true);
    });

    it("writes exactly the bytes it returns", async () => {
      const path = join(dir, "out.zip");

      const bytes = await makeZip([{ name: "index.js", data: "a" }], path);

      expect(readFileSync(path).equals(bytes)).to.equal(true);
    });

    it("leaves no partial file beside the zip", async () => {
      await makeZip([{ name: "index.js", data: "a" }], join(dir, "out.zip"));

      expect(readdirSync(dir)).to.deep.equal(["out.zip"]);
    });
  });
});
