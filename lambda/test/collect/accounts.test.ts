import {
  type Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { expect } from "chai";
import { accountsFromList, accountsFromOrganization } from "../../src/collect/accounts";
import { ScanError } from "../../src/errors";
import { awsError } from "../fixtures/org/network";

interface Call {
  command: string;
  input: Record<string, unknown>;
}

/** An organization: a root with accounts, OUs with accounts and child OUs; pages of `pageSize`. */
function fakeOrganizations(
  tree: { accounts: Record<string, Account[]>; children: Record<string, string[]> },
  options: { pageSize?: number; calls?: Call[]; fail?: Error; repeatToken?: boolean } = {},
): OrganizationsClient {
  const pageSize = options.pageSize ?? 20;
  const page = <T>(items: T[], token: unknown) => {
    const start = token === undefined ? 0 : Number(String(token).replace("page-", ""));
    const next = start + pageSize < items.length ? `page-${start + pageSize}` : undefined;
    return {
      items: items.slice(start, start + pageSize),
      next: options.repeatToken && items.length > pageSize ? "page-1" : next,
    };
  };
  return {
    async send(command: { input: Record<string, unknown> }) {
      options.calls?.push({ command: command.constructor.name, input: command.input });
      if (options.fail !== undefined) throw options.fail;
      if (command instanceof ListAccountsCommand) {
        const { items, next } = page(Object.values(tree.accounts).flat(), command.input.NextToken);
        return { Accounts: items, NextToken: next };
      }
      if (command instanceof ListAccountsForParentCommand) {
        const { items, next } = page(tree.accounts[command.input.ParentId as string] ?? [], command.input.NextToken);
        return { Accounts: items, NextToken: next };
      }
      if (command instanceof ListOrganizationalUnitsForParentCommand) {
        const ids = tree.children[command.input.ParentId as string] ?? [];
        const { items, next } = page(
          ids.map((Id) => ({ Id })),
          command.input.NextToken,
        );
        return { OrganizationalUnits: items, NextToken: next };
      }
      throw new Error(`unexpected ${command.constructor.name}`);
    },
  } as unknown as OrganizationsClient;
}

function account(id: string, name: string, state = "ACTIVE"): Account {
  return { Id: id, Name: name, Status: state === "ACTIVE" ? "ACTIVE" : "SUSPENDED", State: state } as Account;
}

const ROOT = "r-ab12";
const WORKLOADS = "ou-ab12-11111111";
const PROD = "ou-ab12-22222222";
const SANDBOX = "ou-ab12-33333333";

const TREE = {
  accounts: {
    [ROOT]: [account("111111111111", "management")],
    [WORKLOADS]: [account("222222222222", "shared-network")],
    [PROD]: [account("333333333333", "payments-prod"), account("444444444444", "old-prod", "SUSPENDED")],
    [SANDBOX]: [account("555555555555", "sandbox-1"), account("666666666666", "closing", "PENDING_CLOSURE")],
  },
  children: { [ROOT]: [WORKLOADS, SANDBOX], [WORKLOADS]: [PROD] },
};

describe("collect/accounts", () => {
  describe("an explicit list", () => {
    it("reads exactly the listed accounts, once each, in the given order", () => {
      const selection = accountsFromList(["333333333333", "222222222222", "333333333333"], "111111111111");

      expect(selection).to.deep.equal({
        accounts: [
          { accountId: "333333333333", own: false },
          { accountId: "222222222222", own: false },
        ],
        skipped: [],
      });
    });

    it("reads the scanner's own account with its own credentials only when it is listed", () => {
      const selection = accountsFromList(["222222222222", "111111111111"], "111111111111");

      expect(selection.accounts).to.deep.equal([
        { accountId: "222222222222", own: false },
        { accountId: "111111111111", own: true },
      ]);
    });
  });

  describe("the organization", () => {
    it("reads every ACTIVE account and skips the suspended and closing ones, naming their state", async () => {
      const selection = await accountsFromOrganization(fakeOrganizations(TREE), { ownAccountId: "111111111111" });

      expect(selection.accounts.map((a) => [a.accountId, a.name, a.own])).to.deep.equal([
        ["111111111111", "management", true],
        ["222222222222", "shared-network", false],
        ["333333333333", "payments-prod", false],
        ["555555555555", "sandbox-1", false],
      ]);
      expect(selection.skipped).to.deep.equal([
        { accountId: "444444444444", name: "old-prod", state: "SUSPENDED" },
        { accountId: "666666666666", name: "closing", state: "PENDING_CLOSURE" },
      ]);
    });

    it("follows every page of ListAccounts, 20 accounts at a time", async () => {
      const many = Array.from({ length: 45 }, (_, i) => account(String(100000000000 + i), `a${i}`));
      const calls: Call[] = [];

      const selection = await accountsFromOrganization(
        fakeOrganizations({ accounts: { [ROOT]: many }, children: {} }, { calls }),
        { ownAccountId: "999999999999" },
      );

      expect(selection.accounts).to.have.length(45);
      expect(calls.map((c) => [c.command, c.input.MaxResults, c.input.NextToken])).to.deep.equal([
        ["ListAccountsCommand", 20, undefined],
        ["ListAccountsCommand", 20, "page-20"],
        ["ListAccountsCommand", 20, "page-40"],
      ]);
    });

    it("limited to an OU, reads the accounts of the OU and of every OU below it", async () => {
      const selection = await accountsFromOrganization(fakeOrganizations(TREE), {
        organizationalUnits: [WORKLOADS],
        ownAccountId: "111111111111",
      });

      expect(selection.accounts.map((a) => a.accountId)).to.deep.equal(["222222222222", "333333333333"]);
      expect(selection.skipped.map((a) => a.accountId)).to.deep.equal(["444444444444"]);
    });

    it("reads an account once when both its OU and a parent OU are given", async () => {
      const selection = await accountsFromOrganization(fakeOrganizations(TREE), {
        organizationalUnits: [PROD, WORKLOADS],
        ownAccountId: "111111111111",
      });

      expect(selection.accounts.map((a) => a.accountId)).to.deep.equal(["333333333333", "222222222222"]);
    });

    it("follows every page of child OUs", async () => {
      const children = Array.from({ length: 25 }, (_, i) => `ou-ab12-${String(40000000 + i)}`);
      const accounts = Object.fromEntries(children.map((ou, i) => [ou, [account(String(200000000000 + i), ou)]]));

      const selection = await accountsFromOrganization(
        fakeOrganizations({ accounts, children: { [ROOT]: children } }),
        { organizationalUnits: [ROOT], ownAccountId: "111111111111" },
      );

      expect(selection.accounts).to.have.length(25);
    });

    it("throws a ScanError naming the permission when the listing is denied", async () => {
      const denied = awsError("AccessDeniedException", "You don't have permissions to access this resource.");

      const err = await accountsFromOrganization(fakeOrganizations(TREE, { fail: denied }), {
        ownAccountId: "111111111111",
      }).catch((e: unknown) => e);

      expect(err).to.be.instanceOf(ScanError);
      expect((err as ScanError).action).to.equal("ListAccounts");
      expect((err as ScanError).message).to.match(/grant the IAM permission organizations:ListAccounts/);
    });

    it("throws instead of looping when the API hands back a token it gave before", async () => {
      const many = Array.from({ length: 45 }, (_, i) => account(String(100000000000 + i), `a${i}`));

      const err = await accountsFromOrganization(
        fakeOrganizations({ accounts: { [ROOT]: many }, children: {} }, { repeatToken: true }),
        { ownAccountId: "111111111111" },
      ).catch((e: unknown) => e);

      expect(err).to.be.instanceOf(ScanError);
      expect((err as ScanError).code).to.equal("PaginationLoop");
    });
  });
});
