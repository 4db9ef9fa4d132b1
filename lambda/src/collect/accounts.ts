/**
 * Which accounts a cross-account EC2 scan reads: an explicit list, or every ACTIVE account of the AWS
 * Organization (optionally only those in some organizational units and the OUs below them), read with
 * ListAccounts / ListAccountsForParent from the management account or a delegated administrator.
 *
 * An explicit list means exactly those accounts. Accounts that are not ACTIVE (suspended, closing,
 * still being created) are skipped and reported as skipped: they cannot be read, and a scan that
 * counted them as failures would be partial forever.
 *
 * Listing the organization is the one step without which nothing can be read, so its failure throws
 * a ScanError: nothing is published and the "monitor stopped" alarm fires.
 */
import {
  type Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import { ScanError } from "../errors";
import { toScanError } from "./aws-error";

/** One account to read, with how to reach it. */
export interface AccountTarget {
  accountId: string;
  /** The account's name in the organization, when it was listed from there. */
  name?: string;
  /** True for the account that runs the scan: read with the scanner's own credentials, not a role. */
  own: boolean;
}

/** An account of the organization that is not read, and why. */
export interface SkippedAccount {
  accountId: string;
  name?: string;
  /** The account's state in the organization: SUSPENDED, PENDING_CLOSURE, CLOSED, PENDING_ACTIVATION, … */
  state: string;
}

export interface AccountSelection {
  accounts: AccountTarget[];
  skipped: SkippedAccount[];
}

/** ListAccounts and ListAccountsForParent return at most 20 accounts a page. */
const ACCOUNTS_PAGE_SIZE = 20;
/** ListOrganizationalUnitsForParent returns at most 20 OUs a page. */
const OUS_PAGE_SIZE = 20;
/**
 * An organization holds at most 10,000 accounts by default (more on request), i.e. 500 pages;
 * a listing past this many pages is a server that never ends it, not a bigger organization.
 */
const MAX_PAGES = 5000;
/** OUs nest at most five levels below the root. */
const MAX_OU_DEPTH = 5;

/** The accounts of an explicit list, in the given order, without repeats; the caller's own account is read directly. */
export function accountsFromList(accountIds: readonly string[], ownAccountId: string): AccountSelection {
  const accounts = [...new Set(accountIds)].map((accountId) => ({ accountId, own: accountId === ownAccountId }));
  return { accounts, skipped: [] };
}

/** ACTIVE, from the newer `State` field when the API sends it, else from `Status`. */
function stateOf(account: Account): string {
  return account.State ?? account.Status ?? "UNKNOWN";
}

async function readPages<T>(
  action: string,
  fetchPage: (nextToken: string | undefined) => Promise<{ items: T[] | undefined; nextToken: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let page = 0; ; page += 1) {
    if (page >= MAX_PAGES) {
      throw new ScanError(action, `${action} returned more than ${MAX_PAGES} pages; stopping instead of looping`, {
        code: "PageCeiling",
      });
    }
    let answer: { items: T[] | undefined; nextToken: string | undefined };
    try {
      answer = await fetchPage(nextToken);
    } catch (err) {
      throw toScanError(action, err, "organizations");
    }
    items.push(...(answer.items ?? []));
    if (answer.nextToken === undefined || answer.nextToken === "") return items;
    if (seen.has(answer.nextToken)) {
      throw new ScanError(
        action,
        `${action} returned a NextToken it had returned before; stopping instead of looping`,
        {
          code: "PaginationLoop",
        },
      );
    }
    seen.add(answer.nextToken);
    nextToken = answer.nextToken;
  }
}

function listAccountsIn(client: OrganizationsClient, parentId: string | undefined): Promise<Account[]> {
  if (parentId === undefined) {
    return readPages("ListAccounts", async (NextToken) => {
      const page = await client.send(new ListAccountsCommand({ MaxResults: ACCOUNTS_PAGE_SIZE, NextToken }));
      return { items: page.Accounts, nextToken: page.NextToken };
    });
  }
  return readPages("ListAccountsForParent", async (NextToken) => {
    const page = await client.send(
      new ListAccountsForParentCommand({ ParentId: parentId, MaxResults: ACCOUNTS_PAGE_SIZE, NextToken }),
    );
    return { items: page.Accounts, nextToken: page.NextToken };
  });
}

/** The OU and every OU below it, depth first. */
async function withDescendants(client: OrganizationsClient, parentId: string, depth = 0): Promise<string[]> {
  if (depth > MAX_OU_DEPTH) return [parentId];
  const children = await readPages("ListOrganizationalUnitsForParent", async (NextToken) => {
    const page = await client.send(
      new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, MaxResults: OUS_PAGE_SIZE, NextToken }),
    );
    return { items: page.OrganizationalUnits, nextToken: page.NextToken };
  });
  const below: string[] = [parentId];
  for (const child of children) {
    if (child.Id !== undefined) below.push(...(await withDescendants(client, child.Id, depth + 1)));
  }
  return below;
}

/**
 * Every account of the organization, or of the given OUs and the OUs below them: the ACTIVE ones to
 * read (in the order the API lists them), the others skipped. An account listed under two of the
 * given OUs (an OU and its child both given) is read once.
 */
export async function accountsFromOrganization(
  client: OrganizationsClient,
  options: { organizationalUnits?: readonly string[]; ownAccountId: string },
): Promise<AccountSelection> {
  let listed: Account[];
  if (options.organizationalUnits === undefined || options.organizationalUnits.length === 0) {
    listed = await listAccountsIn(client, undefined);
  } else {
    const parents = new Set<string>();
    for (const ou of options.organizationalUnits) {
      for (const parent of await withDescendants(client, ou)) parents.add(parent);
    }
    listed = [];
    for (const parent of parents) listed.push(...(await listAccountsIn(client, parent)));
  }

  const accounts: AccountTarget[] = [];
  const skipped: SkippedAccount[] = [];
  const seen = new Set<string>();
  for (const account of listed) {
    const accountId = account.Id;
    // An entry without an Id cannot be read or named; the API always sends one.
    if (accountId === undefined || seen.has(accountId)) continue;
    seen.add(accountId);
    const name = account.Name !== undefined && account.Name !== "" ? { name: account.Name } : {};
    const state = stateOf(account);
    if (state === "ACTIVE") accounts.push({ accountId, ...name, own: accountId === options.ownAccountId });
    else skipped.push({ accountId, ...name, state });
  }
  return { accounts, skipped };
}
