import { expect } from "chai";
import { flattenControlCharacters } from "../src/text";

describe("flattenControlCharacters", () => {
  it("turns each run of line breaks, tabs and other control characters into one space", () => {
    expect(flattenControlCharacters("prod\r\n\tapp\u0000\u001fa\u007f\u0085b\u2028c\u2029d")).to.equal(
      "prod app a b c d",
    );
  });

  it("leaves printable text, non-ASCII letters and emoji as they are", () => {
    expect(flattenControlCharacters("größe – 東京 🚀")).to.equal("größe – 東京 🚀");
  });
});
