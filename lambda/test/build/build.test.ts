import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expect } from "chai";
import {
  createSandbox,
  extractWithPython,
  FIXTURES,
  type Run,
  readZipWithPython,
  run,
  type Sandbox,
  sha256,
} from "./sandbox";

const RULES = join(FIXTURES, "rules-crlf.yaml");

/** An SNS Publish reply as the Query API returns it. */
const PUBLISH_RESPONSE = `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult>
    <MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId>
  </PublishResult>
  <ResponseMetadata>
    <RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId>
  </ResponseMetadata>
</PublishResponse>`;

describe("scripts/build", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let build: string;

  before(() => {
    sandbox = createSandbox();
    build = join(sandbox.root, "scripts", "build");
  });

  after(() => {
    sandbox.remove();
  });

  describe("with valid rules", () => {
    let first: Run;
    let second: Run;
    let changed: Run;
    let firstZip: string;
    let secondZip: string;
    let changedZip: string;

    before(async () => {
      firstZip = join(sandbox.root, "out", "first", "ipam-monitor.zip");
      secondZip = join(sandbox.root, "out", "second", "ipam-monitor.zip");
      changedZip = join(sandbox.root, "out", "changed", "ipam-monitor.zip");
      const changedRules = join(sandbox.root, "changed-rules.yaml");
      writeFileSync(changedRules, Buffer.concat([readFileSync(RULES), Buffer.from("\r\n  - name: one-more")]));

      // Two builds at once, from different directories, with relative and absolute paths.
      [first, second] = await Promise.all([
        run(build, ["--rules", relative(sandbox.root, RULES), "--out", relative(sandbox.root, firstZip)], {
          cwd: sandbox.root,
          env: sandbox.env,
        }),
        run(build, ["--rules", RULES, "--out", secondZip], { cwd: tmpdir(), env: sandbox.env }),
      ]);
      changed = await run(build, ["--rules", changedRules, "--out", changedZip], {
        cwd: sandbox.root,
        env: sandbox.env,
      });
    });

    it("succeeds and prints one line naming the zip, its size and its SHA-256", () => {
      expect(first.status, first.stderr).to.equal(0);
      expect(first.stdout).to.equal(
        `wrote out/first/ipam-monitor.zip (${statSync(firstZip).size} bytes, sha256 ${sha256(firstZip)})\n`,
      );
    });

    it("writes byte-identical zips for the same sources and rules, even built in parallel from different directories", () => {
      expect(second.status, second.stderr).to.equal(0);
      expect(sha256(secondZip)).to.equal(sha256(firstZip));
    });

    it("writes a different zip when the rules change", () => {
      expect(changed.status, changed.stderr).to.equal(0);
      expect(sha256(changedZip)).to.not.equal(sha256(firstZip));
    });

    it("puts exactly index.js and rules.yaml in the zip", () => {
      const zip = readZipWithPython(firstZip);

      expect(zip.entries.map((e) => e.name)).to.deep.equal(["index.js", "rules.yaml"]);
    });

    it("copies the rules file into the zip byte for byte", () => {
      const zip = readZipWithPython(firstZip);

      expect(zip.entries.find((e) => e.name === "rules.yaml")?.data.equals(readFileSync(RULES))).to.equal(true);
    });

    it("writes a zip that Python's zipfile reads with every CRC correct", () => {
      expect(readZipWithPython(firstZip).bad).to.equal(null);
    });

    it("writes an index.js whose bundled AWS SDK signs a request and parses the reply, with no node_modules around it", async () => {
      const requests: { body: string; authorization: string | undefined }[] = [];
      const server = createServer((request, response) => {
        let body = "";
        request.on("data", (chunk: Buffer) => (body += chunk.toString()));
        request.on("end", () => {
          requests.push({ body, authorization: request.headers.authorization });
          response.setHeader("content-type", "text/xml");
          response.end(PUBLISH_RESPONSE);
        });
      });
      await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
      const dir = extractWithPython(firstZip);
      try {
        const { port } = server.address() as AddressInfo;
        const script = `require("./index.js").handler({ endpoint: "http://127.0.0.1:${port}" }).then((r) => process.stdout.write(JSON.stringify(r)))`;

        const result = await run(process.execPath, ["--no-warnings", "-e", script], {
          cwd: dir,
          env: { PATH: process.env.PATH },
        });

        expect(result.status, result.stderr).to.equal(0);
        expect(JSON.parse(result.stdout)).to.deep.equal({ messageId: "94f20ce6-13c5-43a0-9a9e-ca52d816e90b" });
        expect(requests).to.have.length(1);
        expect(requests[0]?.body).to.include("Action=Publish");
        expect(requests[0]?.authorization).to.match(
          /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/sns\/aws4_request/,
        );
      } finally {
        server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("leaves nothing behind in TMPDIR or beside the zip", () => {
      expect(readdirSync(sandbox.tmp)).to.deep.equal([]);
      expect(readdirSync(join(sandbox.root, "out", "first"))).to.deep.equal(["ipam-monitor.zip"]);
    });
  });

  describe("npm run build (lambda/build.mjs without --zip)", () => {
    let result: Run;
    const dist = () => join(sandbox.root, "lambda", "dist");

    before(async () => {
      result = await run(process.execPath, [join(sandbox.root, "lambda", "build.mjs")], {
        cwd: tmpdir(),
        env: sandbox.env,
      });
    });

    it("bundles the handler into lambda/dist/lambda/index.js", () => {
      expect(result.status, result.stderr).to.equal(0);
      expect(existsSync(join(dist(), "lambda", "index.js"))).to.equal(true);
    });

    it("bundles the command into an executable lambda/dist/cli/ipam-monitor.js that starts with a #! line", () => {
      const cli = join(dist(), "cli", "ipam-monitor.js");

      expect(readFileSync(cli, "utf8").split("\n")[0]).to.equal("#!/usr/bin/env node");
      expect(statSync(cli).mode & 0o777).to.equal(0o755);
    });

    it("prints nothing when all goes well", () => {
      expect(result.stdout + result.stderr).to.equal("");
    });
  });

  describe("refusing to build", () => {
    const out = () => join(sandbox.root, "refused", "ipam-monitor.zip");

    it("stops with the validator's messages and writes no zip when the validator rejects the rules", async () => {
      // The stand-in validator rejects this file; real-sources.test.ts does the same with the real one.
      const rejected = join(FIXTURES, "rules-rejected.yaml");

      const result = await run(build, ["--rules", rejected, "--out", out()], { env: sandbox.env });

      expect(result.status).to.equal(1);
      expect(result.stderr).to.include(`${rejected}:2:1: the stand-in validator rejects this file\n`);
      expect(result.stderr).to.include(`${rejected} is not a valid rules file`);
      expect(existsSync(out())).to.equal(false);
    });

    it("names the rules file when it does not exist", async () => {
      const result = await run(build, ["--rules", "no-such-rules.yaml", "--out", out()], { env: sandbox.env });

      expect(result.status).to.equal(1);
      expect(result.stderr).to.equal("build: rules file 'no-such-rules.yaml' does not exist or is not a file\n");
    });

    it("prints the usage and exits 2 without --out", async () => {
      const result = await run(build, ["--rules", RULES], { env: sandbox.env });

      expect(result.status).to.equal(2);
      expect(result.stderr).to.include("Usage: scripts/build --rules FILE --out ZIP");
    });

    it("refuses an --out that is a directory", async () => {
      const result = await run(build, ["--rules", RULES, "--out", sandbox.tmp], { env: sandbox.env });

      expect(result.status).to.equal(1);
      expect(result.stderr).to.include(`--out '${sandbox.tmp}' is a directory`);
    });

    it("says to install Node.js 20 or newer when there is no node on PATH", async () => {
      const bin = join(sandbox.root, "bin-without-node");
      mkdirSync(bin);
      for (const tool of ["bash", "dirname"])
        symlinkSync(execFileSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(), join(bin, tool));

      const result = await run(build, ["--rules", RULES, "--out", out()], { env: { PATH: bin } });

      expect(result.status).to.equal(1);
      expect(result.stderr).to.match(
        /^build: Node\.js is not installed \(no 'node' on PATH\): install Node\.js 20 or newer \(https:\/\/nodejs\.org/,
      );
      expect(result.stderr).to.include("scripts/package");
    });

    it("says which Node.js it found when it is older than 20", async () => {
      const bin = join(sandbox.root, "bin-old-node");
      mkdirSync(bin);
      writeFileSync(join(bin, "node"), '#!/bin/sh\ncase "$1" in -p) echo 18 ;; -v) echo v18.20.4 ;; esac\n', {
        mode: 0o755,
      });

      const result = await run(build, ["--rules", RULES, "--out", out()], {
        env: { ...sandbox.env, PATH: `${bin}:${process.env.PATH ?? ""}` },
      });

      expect(result.status).to.equal(1);
      expect(result.stderr).to.match(/^build: Node\.js v18\.20\.4 is too old: install Node\.js 20 or newer/);
    });
  });
});
