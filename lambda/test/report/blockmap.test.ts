import { expect } from "chai";

import { prefixBlocks } from "../../src/capacity/blocks";
import type { BlockMapReport } from "../../src/capacity/inspect";
import { formatBlockMap, MARKS, markOf } from "../../src/report/blockmap";

function report(cidr: string, overrides: Partial<BlockMapReport> = {}): BlockMapReport {
  return {
    subnetId: "subnet-0a1b2c3d4e5f60021",
    cidr,
    region: "eu-west-1",
    usableAddresses: 1019,
    inUseAddresses: 0,
    freePrefixes: 62,
    freePrefixesReserved: 0,
    assignableAddresses: 1019,
    largestFreeBlock: 24,
    interfaces: 0,
    reservations: [],
    blocks: prefixBlocks(cidr, []),
    blockers: [],
    ...overrides,
  };
}

describe("report/blockmap", () => {
  it("gives each block state its own mark", () => {
    const blocks = prefixBlocks(
      "10.0.0.0/24",
      [{ networkInterfaceId: "eni-a", addresses: ["10.0.0.20"], prefixes: [] }],
      [
        { cidr: "10.0.0.32/28", type: "explicit" },
        { cidr: "10.0.0.48/28", type: "prefix" },
      ],
    );

    expect(blocks.slice(0, 5).map(markOf).join("")).to.equal(
      [MARKS.awsReserved, MARKS.used, MARKS.explicit, MARKS.prefixReserved, MARKS.free].join(""),
    );
  });

  it("draws a /22 as two rows of 32 marks in groups of eight, each row labelled with its first address", () => {
    const text = formatBlockMap(report("10.0.0.0/22"));

    const lines = text.split("\n");
    const at = lines.indexOf("BLOCK MAP (one mark per /28, 32 a row)");
    expect(lines.slice(at + 1, at + 3)).to.deep.equal([
      "  10.0.0.0  A....... ........ ........ ........",
      "  10.0.2.0  ........ ........ ........ .......A",
    ]);
  });

  it("says no interface blocks anything in an empty subnet", () => {
    expect(formatBlockMap(report("10.0.0.0/22"))).to.contain("INTERFACES BLOCKING /28s: none");
  });

  it("says nothing is free in a full subnet", () => {
    const full = report("10.0.0.0/28", {
      freePrefixes: 0,
      assignableAddresses: 0,
      blocks: prefixBlocks("10.0.0.0/28", []),
    });
    delete full.largestFreeBlock;

    expect(formatBlockMap(full).split("\n")[2]).to.equal("  0 free /28s of 1, 0 assignable, nothing free");
  });
});
