import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { crc32, makeZip, zipBytes } from "../../scripts/zip.mjs";
import { readZipWithPython } from "./sandbox";

describe("zip (lambda/scripts/zip.mjs)", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ipam-monitor-zip-test-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes the entries with makeZip and reads them back with Python. */
  function roundTrip(entries: { name: string; data: Uint8Array | string }[]) {
    const path = join(dir, "out.zip");
    makeZip(entries, path);
    return readZipWithPython(path);
  }

  describe("crc32", () => {
    it("gives the standard check value 0xCBF43926 for the ASCII digits 1 to 9", () => {
      expect(crc32(Buffer.from("123456789"))).to.equal(0xcbf43926);
    });

    it("gives 0 for no bytes", () => {
      expect(crc32(new Uint8Array(0))).to.equal(0);
    });
  });

  describe("zipBytes", () => {
    it("gives the same bytes whatever order the entries come in", () => {
      const a = { name: "index.js", data: "exports.handler = 1;\n" };
      const b = { name: "rules.yaml", data: "version: 1\n" };

      expect(zipBytes([a, b]).equals(zipBytes([b, a]))).to.equal(true);
    });

    it("gives different bytes when one entry's content changes", () => {
      const before = zipBytes([{ name: "rules.yaml", data: "version: 1\n" }]);
      const after = zipBytes([{ name: "rules.yaml", data: "version: 1 \n" }]);

      expect(before.equals(after)).to.equal(false);
    });

    it("rejects an entry name that climbs out of the archive", () => {
      expect(() => zipBytes([{ name: "../index.js", data: "" }])).to.throw(/"\.\.\/index\.js" must be a relative path/);
    });

    it("rejects an absolute entry name", () => {
      expect(() => zipBytes([{ name: "/index.js", data: "" }])).to.throw(/"\/index\.js" must be a relative path/);
    });

    it("rejects the same name twice", () => {
      expect(() =>
        zipBytes([
          { name: "index.js", data: "a" },
          { name: "index.js", data: "b" },
        ]),
      ).to.throw(/"index\.js" is given twice/);
    });
  });

  describe("read back by Python's zipfile", () => {
    it("holds the entries sorted by name", () => {
      const zip = roundTrip([
        { name: "rules.yaml", data: "version: 1\n" },
        { name: "index.js", data: "" },
        { name: "lib/a.js", data: "" },
      ]);

      expect(zip.entries.map((e) => e.name)).to.deep.equal(["index.js", "lib/a.js", "rules.yaml"]);
    });

    it("returns every byte of binary content unchanged, with correct CRCs", () => {
      const data = randomBytes(100_000);

      const zip = roundTrip([{ name: "blob.bin", data }]);

      expect(zip.bad).to.equal(null);
      expect(zip.entries[0]?.data.equals(data)).to.equal(true);
    });

    it("returns an empty file as empty", () => {
      const zip = roundTrip([{ name: "empty.txt", data: "" }]);

      expect(zip.entries[0]?.data.length).to.equal(0);
    });

    it("stores a UTF-8 entry name as UTF-8", () => {
      const zip = roundTrip([{ name: "größe.yaml", data: "x" }]);

      expect(zip.entries[0]?.name).to.equal("größe.yaml");
    });

    it("dates every entry 1980-01-01 00:00:00", () => {
      const zip = roundTrip([
        { name: "index.js", data: "a" },
        { name: "rules.yaml", data: "b" },
      ]);

      expect(zip.entries.map((e) => e.dateTime)).to.deep.equal([
        [1980, 1, 1, 0, 0, 0],
        [1980, 1, 1, 0, 0, 0],
      ]);
    });

    it("gives every entry mode 0644 as a Unix regular file", () => {
      const zip = roundTrip([{ name: "index.js", data: "a" }]);

      expect(zip.entries[0]?.mode).to.equal(0o100644);
      expect(zip.entries[0]?.createSystem).to.equal(3);
    });

    it("writes no extra fields", () => {
      const zip = roundTrip([{ name: "index.js", data: "a" }]);

      expect(zip.entries[0]?.extra).to.equal("");
    });

    it("deflates the content", () => {
      const zip = roundTrip([{ name: "index.js", data: "a" }]);

      expect(zip.entries[0]?.compressType).to.equal(8);
    });
  });

  describe("makeZip", () => {
    it("creates the directories of the output path", () => {
      const path = join(dir, "a", "b", "out.zip");

      makeZip([{ name: "index.js", data: "a" }], path);

      expect(existsSync(path)).to.equal(true);
    });

    it("writes exactly the bytes it returns", () => {
      const path = join(dir, "out.zip");

      const bytes = makeZip([{ name: "index.js", data: "a" }], path);

      expect(readFileSync(path).equals(bytes)).to.equal(true);
    });

    it("leaves no partial file beside the zip", () => {
      makeZip([{ name: "index.js", data: "a" }], join(dir, "out.zip"));

      expect(readdirSync(dir)).to.deep.equal(["out.zip"]);
    });
  });
});
