import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { extractWithPython, FIXTURES, REPO_DIR, type Run, readZipWithPython, run } from "./sandbox";

/**
 * scripts/build on this checkout's own sources: the real handler, the real
 * `ipam-monitor validate` and the real rules schema.
 */
describe("scripts/build with the real sources", function () {
  this.timeout(120_000);
  const build = join(REPO_DIR, "scripts", "build");
  let out: string;

  before(() => {
    out = mkdtempSync(join(tmpdir(), "ipam-monitor-real-build-"));
  });

  after(() => {
    rmSync(out, { recursive: true, force: true });
  });

  describe("with a valid rules file", () => {
    let result: Run;
    let zip: string;

    before(async () => {
      zip = join(out, "valid", "ipam-monitor.zip");
      result = await run(build, ["--rules", join(FIXTURES, "valid-rules.yaml"), "--out", zip]);
    });

    it("writes the zip and prints its size and SHA-256", () => {
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/^wrote .+ipam-monitor\.zip \(\d+ bytes, sha256 [0-9a-f]{64}\)\n$/);
    });

    it("puts exactly index.js and rules.yaml in the zip", () => {
      expect(readZipWithPython(zip).entries.map((e) => e.name)).to.deep.equal(["index.js", "rules.yaml"]);
    });

    it("bundles a handler that loads with no node_modules around it", () => {
      const dir = extractWithPython(zip);
      try {
        const out = execFileSync(
          process.execPath,
          ["--no-warnings", "-e", "process.stdout.write(typeof require('./index.js').handler)"],
          {
            cwd: dir,
            encoding: "utf8",
            env: { PATH: process.env.PATH },
          },
        );

        expect(out).to.equal("function");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("with an invalid rules file", () => {
    let result: Run;
    let zip: string;
    const rules = join(FIXTURES, "invalid-rules.yaml");

    before(async () => {
      zip = join(out, "invalid", "ipam-monitor.zip");
      result = await run(build, ["--rules", rules, "--out", zip]);
    });

    it("fails", () => {
      expect(result.status).to.equal(1);
    });

    it("shows the validator's file:line:col messages for every problem", () => {
      const located = result.stderr.split("\n").filter((line) => line.startsWith(`${rules}:`));

      expect(located.map((line) => line.replace(/:\s.*$/, ""))).to.deep.equal([`${rules}:9:17`, `${rules}:10:11`]);
    });

    it("writes no zip", () => {
      expect(existsSync(zip)).to.equal(false);
    });
  });
});
