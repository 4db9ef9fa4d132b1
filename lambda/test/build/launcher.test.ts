import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { createSandbox, run, type Sandbox } from "./sandbox";

/** scripts/ipam-monitor, driven in a sandbox whose command is the stand-in (fixtures/stand-in-cli.ts). */
describe("scripts/ipam-monitor", function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let launcher: string;
  let bundle: string;
  let rules: string;

  before(() => {
    sandbox = createSandbox();
    launcher = join(sandbox.root, "scripts", "ipam-monitor");
    bundle = join(sandbox.root, "lambda", "dist", "cli", "ipam-monitor.js");
    rules = join(sandbox.root, "rules.yaml");
    writeFileSync(rules, "version: 1\n");
  });

  after(() => {
    sandbox.remove();
  });

  it("builds the command's bundle on first use and runs it", async () => {
    expect(existsSync(bundle)).to.equal(false);

    const first = await run(launcher, ["validate", rules], { env: sandbox.env });

    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.equal(`${rules}: valid\n`);
    expect(existsSync(bundle)).to.equal(true);
  });

  it("runs the bundle it built, without building again, while no source changed", async () => {
    // Newer than every source the sandbox copied.
    const later = new Date(Date.now() + 3_600_000);
    utimesSync(bundle, later, later);

    const again = await run(launcher, ["validate", rules], { env: sandbox.env });

    expect(again.status, again.stderr).to.equal(0);
    expect(statSync(bundle).mtime.toISOString()).to.equal(later.toISOString());
  });

  it("builds again when a source is newer than the bundle", async () => {
    const later = new Date(Date.now() + 3_600_000);
    const latest = new Date(Date.now() + 7_200_000);
    utimesSync(bundle, later, later);
    utimesSync(join(sandbox.root, "lambda", "src", "bin", "ipam-monitor.ts"), latest, latest);

    const rebuilt = await run(launcher, ["validate", rules], { env: sandbox.env });

    expect(rebuilt.status, rebuilt.stderr).to.equal(0);
    // Written now, so older than the one it replaced.
    expect(statSync(bundle).mtimeMs).to.be.lessThan(later.getTime());
  });

  it("runs the command with the Node.js flags of its node_flags line, which node accepts", async () => {
    const line = /^node_flags=\(([^)]*)\)$/m.exec(readFileSync(launcher, "utf8"));
    expect(line, "node_flags=(...) in scripts/ipam-monitor").not.to.equal(null);
    const flags = line![1]!.trim().split(/\s+/);

    const started = await run(launcher, ["node-flags"], { env: sandbox.env });

    expect(started.status, started.stderr).to.equal(0);
    expect(started.stdout.trim().split(" ")).to.deep.equal(flags);
    expect(flags).to.include.members(["--heap-growing-percent=50", "--max-semi-space-size=8"]);
  });

  it("passes the command's exit code through", async () => {
    writeFileSync(rules, "stand-in: reject\n");

    const rejected = await run(launcher, ["validate", rules], { env: sandbox.env });

    expect(rejected.status).to.equal(1);
    expect(rejected.stderr).to.include("the stand-in validator rejects this file");
  });
});
