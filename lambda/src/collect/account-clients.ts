/**
 * The EC2 client of each account-Region of a cross-account scan, created once and kept for the reads
 * that come after the collection (the capacity of a member account's subnets): those reads use the
 * same member role session, so a scan assumes each role once, not once more per subnet.
 */
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { AwsClients } from "../clients";
import type { SessionCredentials } from "./credentials";
import type { CrossAccountClients } from "./organization";

/**
 * The EC2 client of an account in a Region, or undefined for an account the scan does not read
 * (its subnets can then only have been seen as shared with an account that was read).
 */
export type Ec2For = (accountId: string, region: string) => EC2Client | undefined;

export class AccountEc2Clients implements CrossAccountClients {
  private readonly members = new Map<string, EC2Client>();

  /**
   * @param session the member role session of an account (assumed once per scan, see MemberRoleCredentials)
   * @param ownAccountId the scanner's account: read with the scanner's own credentials
   * @param accounts the accounts the scan reads
   */
  constructor(
    private readonly clients: Pick<AwsClients, "ec2ForRegion" | "ec2ForAccount">,
    private readonly session: (accountId: string) => Promise<SessionCredentials>,
    private readonly ownAccountId: string | undefined,
    private readonly accounts: ReadonlySet<string>,
  ) {}

  ownEc2(region: string): EC2Client {
    return this.clients.ec2ForRegion(region);
  }

  memberEc2(accountId: string, region: string, credentials: () => Promise<SessionCredentials>): EC2Client {
    const key = `${accountId}/${region}`;
    let client = this.members.get(key);
    if (client === undefined) {
      client = this.clients.ec2ForAccount(accountId, region, credentials);
      this.members.set(key, client);
    }
    return client;
  }

  /** The client the collection used for `ec2/<account>/<region>` (or a new one of the same session). */
  ec2For(accountId: string, region: string): EC2Client | undefined {
    if (!this.accounts.has(accountId)) return undefined;
    if (accountId === this.ownAccountId) return this.ownEc2(region);
    return this.memberEc2(accountId, region, () => this.session(accountId));
  }
}
