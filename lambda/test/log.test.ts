import { expect } from "chai";
import { ConfigError, ScanError } from "../src/errors";
import { createJsonLogger, toLogJson } from "../src/log";

function capture(level: Parameters<typeof createJsonLogger>[0]) {
  const lines: string[] = [];
  const logger = createJsonLogger(level, (line) => lines.push(line));
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("log", () => {
  describe("createJsonLogger", () => {
    it("writes one JSON object per line with level, time and message first", () => {
      const { logger, lines } = capture("info");

      logger.info("scan finished", { resources: 3 });

      expect(lines).to.have.length(1);
      expect(lines[0]).not.to.include("\n");
      const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(Object.keys(entry)).to.deep.equal(["level", "time", "message", "resources"]);
      expect(entry).to.include({ level: "info", message: "scan finished", resources: 3 });
      expect(new Date(entry.time as string).toISOString()).to.equal(entry.time);
    });

    it("drops lines below the configured level", () => {
      const { logger, parsed } = capture("warn");

      logger.debug("d");
      logger.info("i");
      logger.warn("w");
      logger.error("e");

      expect(parsed().map((e) => e.level)).to.deep.equal(["warn", "error"]);
    });

    it("writes debug lines at level debug", () => {
      const { logger, parsed } = capture("debug");

      logger.debug("collected");

      expect(parsed()).to.have.length(1);
    });

    it("does not let a field hide the level or the message", () => {
      const { logger, parsed } = capture("info");

      logger.info("real message", { message: "fake", level: "debug", detail: 1 });

      expect(parsed()[0]).to.include({ level: "info", message: "real message", detail: 1 });
    });
  });

  describe("toLogJson", () => {
    it("writes BigInt as a decimal string", () => {
      expect(toLogJson({ free: 2n ** 64n })).to.equal('{"free":"18446744073709551616"}');
    });

    it("writes a ConfigError with the variable it names", () => {
      const entry = JSON.parse(toLogJson({ error: new ConfigError("SOURCE", '"s3" is not one of ipam, ec2.') })) as {
        error: Record<string, unknown>;
      };

      expect(entry.error).to.deep.equal({
        name: "ConfigError",
        message: 'SOURCE: "s3" is not one of ipam, ec2.',
        variable: "SOURCE",
      });
    });

    it("writes an error's cause and the stack of an error that is not ours", () => {
      const sdkError = Object.assign(new Error("Rate exceeded"), {
        name: "ThrottlingException",
        $metadata: { attempts: 8 },
      });
      const error = new ScanError("PutMetricData", "PutMetricData failed", {
        cause: sdkError,
        code: "ThrottlingException",
      });

      const entry = JSON.parse(toLogJson(error)) as Record<string, unknown> & { cause: Record<string, unknown> };

      expect(entry).to.include({
        name: "ScanError",
        message: "PutMetricData failed",
        action: "PutMetricData",
        code: "ThrottlingException",
      });
      expect(entry).not.to.have.property("stack");
      expect(entry.cause).to.include({ name: "ThrottlingException", message: "Rate exceeded" });
      expect(entry.cause.$metadata).to.deep.equal({ attempts: 8 });
      expect(entry.cause.stack).to.be.a("string").that.includes("Rate exceeded");
    });

    it("writes a cycle as [Circular] instead of throwing", () => {
      const a: Record<string, unknown> = { name: "a" };
      a.self = a;

      expect(toLogJson(a)).to.equal('{"name":"a","self":"[Circular]"}');
    });

    it("writes the same object twice when it is shared but not circular", () => {
      const shared = { id: 1 };

      expect(toLogJson({ a: shared, b: shared })).to.equal('{"a":{"id":1},"b":{"id":1}}');
    });

    it("writes dates as ISO strings and maps and sets as objects and arrays", () => {
      const value = { at: new Date("2024-05-01T12:00:00.000Z"), seen: new Map([["s", new Set(["x"])]]) };

      expect(toLogJson(value)).to.equal('{"at":"2024-05-01T12:00:00.000Z","seen":{"s":["x"]}}');
    });
  });
});
