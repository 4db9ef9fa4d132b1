import { expect } from "chai";
import { jsonCount, stringifyWithBigInt, truncateUtf8, utf8Bytes } from "../src/json";

describe("jsonCount", () => {
  it("writes a count up to 2^53 − 1 as a number", () => {
    expect(jsonCount(9_007_199_254_740_991n)).to.equal(Number.MAX_SAFE_INTEGER);
  });

  it("writes a count of 2^53 or more as a decimal string", () => {
    expect(jsonCount(2n ** 53n)).to.equal("9007199254740992");
  });
});

describe("stringifyWithBigInt", () => {
  it("writes BigInt values as decimal strings instead of throwing", () => {
    expect(stringifyWithBigInt({ free: 2n ** 64n })).to.equal('{"free":"18446744073709551616"}');
  });
});

describe("truncateUtf8", () => {
  it("counts UTF-8 bytes, not characters", () => {
    expect(utf8Bytes("日本")).to.equal(6);
  });

  it("never splits a multi-byte character", () => {
    expect(truncateUtf8("日本語", 7)).to.equal("日本");
  });

  it("never splits a surrogate pair", () => {
    expect(truncateUtf8("a😀b", 4)).to.equal("a");
  });

  it("returns text that fits unchanged", () => {
    expect(truncateUtf8("subnet", 6)).to.equal("subnet");
  });
});
