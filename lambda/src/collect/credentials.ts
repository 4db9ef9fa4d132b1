/**
 * Credentials for reading member accounts: the scanner assumes
 * arn:<partition>:iam::<account>:role/<member role name> once per account and scan, and every EC2
 * client of that account shares the session. A failure is remembered too, so an account whose role
 * is missing costs one AssumeRole call, not one per Region.
 *
 * A session lasts an hour (the most a role assumed from another role's session may last). A scan
 * that runs longer (a CLI run over thousands of accounts) renews an account's session five minutes
 * before it ends, which is the only time a role is assumed twice in one scan.
 */
import {
  AssumeRoleCommand,
  type AssumeRoleCommandOutput,
  GetCallerIdentityCommand,
  type STSClient,
} from "@aws-sdk/client-sts";
import { ScanError } from "../errors";
import { describeAwsError } from "./aws-error";

/** The shape SDK clients accept as `credentials`. */
export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/** The account and partition the scanner runs in. */
export interface Caller {
  accountId: string;
  partition: string;
}

export interface MemberRoleOptions {
  /** Role name, no path: the same in every member account. */
  roleName: string;
  partition: string;
  externalId?: string;
  /** Shown in the member accounts' CloudTrail. */
  sessionName?: string;
  /** Default 3600, the most role chaining allows. */
  durationSeconds?: number;
  now?: () => number;
}

export const DEFAULT_SESSION_NAME = "ipam-monitor-scan";
const DEFAULT_DURATION_SECONDS = 3600;
/** Renew a session this long before it ends, as the SDK does for its own credentials. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

export function memberRoleArn(partition: string, accountId: string, roleName: string): string {
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** Who the scanner is, from GetCallerIdentity (which needs no permission). */
export async function whoAmI(sts: STSClient): Promise<Caller> {
  let arn: string | undefined;
  let accountId: string | undefined;
  try {
    ({ Arn: arn, Account: accountId } = await sts.send(new GetCallerIdentityCommand({})));
  } catch (err) {
    const info = describeAwsError("GetCallerIdentity", err, "sts");
    throw new ScanError("GetCallerIdentity", `the scanner cannot tell which account it runs in: ${info.message}`, {
      cause: err,
      ...(info.code !== undefined ? { code: info.code } : {}),
    });
  }
  const partition = arn?.split(":")[1];
  if (accountId === undefined || !/^\d{12}$/.test(accountId) || partition === undefined || partition === "") {
    throw new ScanError(
      "GetCallerIdentity",
      `GetCallerIdentity returned no account or ARN (Account ${accountId}, Arn ${arn})`,
      {
        code: "MalformedResponse",
      },
    );
  }
  return { accountId, partition };
}

/** Why a member role could not be assumed, in words that say what to deploy or grant. */
export function describeAssumeRoleError(
  roleArn: string,
  accountId: string,
  err: unknown,
): { message: string; code?: string } {
  const info = describeAwsError("AssumeRole", err, "sts");
  const detail = err instanceof Error ? err.message : String(err);
  if (info.code === "AccessDenied" || info.code === "AccessDeniedException") {
    return {
      code: info.code,
      message:
        `AssumeRole of ${roleArn} was denied (${info.code}): deploy the member role in account ${accountId} ` +
        "(modules/member-role or its CloudFormation template) trusting the scanner's role, and let the scanner's " +
        `role call sts:AssumeRole on it. AWS said: ${detail}`,
    };
  }
  if (info.code === "RegionDisabledException") {
    return {
      code: info.code,
      message: `AssumeRole of ${roleArn} failed (RegionDisabledException): STS is not activated in the scanner's Region for account ${accountId}. AWS said: ${detail}`,
    };
  }
  // Throttling and anything else: describeAwsError already says what to do.
  return info.code === undefined
    ? { message: info.message.replace(/^AssumeRole/, `AssumeRole of ${roleArn}`) }
    : {
        code: info.code,
        message: info.message.replace(/^AssumeRole/, `AssumeRole of ${roleArn}`),
      };
}

/** One session per member account for the life of the instance: create one instance per scan. */
export class MemberRoleCredentials {
  private readonly sessions = new Map<string, Promise<SessionCredentials>>();
  private calls = 0;
  private readonly now: () => number;

  constructor(
    private readonly sts: STSClient,
    private readonly options: MemberRoleOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** AssumeRole calls made so far. */
  get assumeRoleCalls(): number {
    return this.calls;
  }

  roleArn(accountId: string): string {
    return memberRoleArn(this.options.partition, accountId, this.options.roleName);
  }

  /**
   * The session of the account's member role; the first call assumes the role, later ones share the
   * answer (a failure included) until the session is about to end. Rejects with a ScanError naming
   * the role and what to do.
   */
  forAccount(accountId: string): Promise<SessionCredentials> {
    const cached = this.sessions.get(accountId);
    if (cached !== undefined) {
      return cached.then((credentials) =>
        credentials.expiration !== undefined && credentials.expiration.getTime() - this.now() < RENEW_BEFORE_MS
          ? this.assume(accountId)
          : credentials,
      );
    }
    return this.assume(accountId);
  }

  private assume(accountId: string): Promise<SessionCredentials> {
    const roleArn = this.roleArn(accountId);
    this.calls += 1;
    const session = (async (): Promise<SessionCredentials> => {
      let answer: AssumeRoleCommandOutput;
      try {
        answer = await this.sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: this.options.sessionName ?? DEFAULT_SESSION_NAME,
            DurationSeconds: this.options.durationSeconds ?? DEFAULT_DURATION_SECONDS,
            ...(this.options.externalId !== undefined ? { ExternalId: this.options.externalId } : {}),
          }),
        );
      } catch (err) {
        const { message, code } = describeAssumeRoleError(roleArn, accountId, err);
        throw new ScanError("AssumeRole", message, { cause: err, ...(code !== undefined ? { code } : {}) });
      }
      const c = answer.Credentials;
      if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
        throw new ScanError("AssumeRole", `AssumeRole of ${roleArn} returned no credentials`, {
          code: "MalformedResponse",
        });
      }
      const credentials: SessionCredentials = {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      };
      if (c.Expiration !== undefined) credentials.expiration = c.Expiration;
      return credentials;
    })();
    this.sessions.set(accountId, session);
    // Callers handle the rejection; this keeps an unawaited cached failure from being reported as unhandled.
    session.catch(() => undefined);
    return session;
  }
}
