import { expect } from "chai";
import { checkDeadline, deadlineAt, NO_DEADLINE, ScanTimeoutError } from "../../src/collect/deadline";
import { FAILURE_DEFAULTS, readConfig } from "../../src/config";
import { collectionDeadline, publishingDeadline } from "../../src/scan";

describe("deadlineAt", () => {
  it("is expired and aborted at once when its time has passed", () => {
    const deadline = deadlineAt(1000, "the scan timeout of 1 s", () => 2000);

    expect(deadline.expired()).to.equal(true);
    expect(deadline.signal.aborted).to.equal(true);
    expect(() => checkDeadline(deadline, "DescribeVpcs")).to.throw(ScanTimeoutError, "DescribeVpcs was stopped");
  });

  it("aborts its signal when the time comes", async () => {
    const deadline = deadlineAt(Date.now() + 10, "soon");

    await new Promise<void>((resolve) => deadline.signal.addEventListener("abort", () => resolve()));

    expect(deadline.expired()).to.equal(true);
  });

  it("does not abort after dispose", async () => {
    const deadline = deadlineAt(Date.now() + 10, "soon");

    deadline.dispose();
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(deadline.signal.aborted).to.equal(false);
  });

  it("never expires without a limit", () => {
    expect(NO_DEADLINE.expired()).to.equal(false);
    expect(() => checkDeadline(NO_DEADLINE, "DescribeVpcs")).not.to.throw();
  });
});

describe("collectionDeadline", () => {
  it("is the scan timeout after the start without a Lambda clock", () => {
    expect(collectionDeadline({ scanTimeoutSeconds: 480 }, 1_000_000)).to.deep.equal({
      at: 1_480_000,
      reason: "the scan timeout of 480 s (SCAN_TIMEOUT_SECONDS, --timeout)",
    });
  });

  it("keeps 30 s for publishing before the function's time is up", () => {
    expect(collectionDeadline({ scanTimeoutSeconds: 480 }, 1_000_000, 300_000)).to.deep.equal({
      at: 1_270_000,
      reason: "the function's remaining time of 300 s, less 30 s kept for publishing",
    });
  });

  it("keeps a quarter of a short remaining time for publishing", () => {
    expect(collectionDeadline({ scanTimeoutSeconds: 480 }, 0, 20_000).at).to.equal(15_000);
  });

  it("keeps the scan timeout when it ends before the function's time", () => {
    expect(collectionDeadline({ scanTimeoutSeconds: 60 }, 0, 900_000).at).to.equal(60_000);
  });
});

describe("publishingDeadline", () => {
  it("gives publishing PUBLISH_TIMEOUT_SECONDS after collecting stopped", () => {
    expect(publishingDeadline({ publishTimeoutSeconds: 60 }, 0, undefined, 480_000)).to.deep.equal({
      at: 540_000,
      reason: "the publishing timeout of 60 s (PUBLISH_TIMEOUT_SECONDS)",
    });
  });

  it("ends a second before the function's time is up", () => {
    expect(publishingDeadline({ publishTimeoutSeconds: 60 }, 0, 300_000, 270_000).at).to.equal(299_000);
  });
});

describe("the default bounds", () => {
  it("end a CLI scan with a hung endpoint within 10 minutes, with no flag given", () => {
    const config = readConfig({ AWS_REGION: "us-east-1" });
    const collecting = collectionDeadline(config, 0);
    const publishing = publishingDeadline(config, 0, undefined, collecting.at);

    // Collecting stops at 480 s, publishing at 540 s; the process start and exit fit in the rest.
    expect(publishing.at).to.equal(540_000);
    expect(publishing.at).to.be.below(600_000);
    expect(config.scanTimeoutSeconds).to.equal(FAILURE_DEFAULTS.scanTimeoutSeconds);
  });

  it("let one hung call end well within the collection time: connect and response timeouts times the attempts", () => {
    const config = readConfig({ AWS_REGION: "us-east-1" });
    // Every attempt of a call that gets no answer ends at the response timeout; the SDK's backoff
    // between attempts is at most 20 s each (standard and adaptive modes).
    const worstCall =
      config.maxAttempts * (config.connectTimeoutMs + config.responseTimeoutMs) + (config.maxAttempts - 1) * 20_000;

    expect(worstCall).to.be.below(config.scanTimeoutSeconds * 1000);
  });
});
