import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { expect } from "chai";

import { awsErrorCode, describeAwsError, toScanError, toScanFailure } from "../../src/collect/aws-error";
import { ScanError } from "../../src/errors";

/** An error as the SDK throws it: the API's error code is the exception's name. */
function ec2Error(code: string, message: string, attempts = 1): EC2ServiceException {
  return new EC2ServiceException({
    name: code,
    $fault: "client",
    $metadata: {
      httpStatusCode: code === "RequestLimitExceeded" ? 503 : 403,
      requestId: "0f3c1d2e-aaaa-bbbb-cccc-0123456789ab",
      attempts,
      totalRetryDelay: 0,
    },
    message,
  });
}

describe("aws-error", () => {
  describe("awsErrorCode", () => {
    it("reads the code from an SDK exception's name", () => {
      expect(
        awsErrorCode(ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.")),
      ).to.equal("UnauthorizedOperation");
    });

    it("reads Code or code from plain objects", () => {
      expect(awsErrorCode({ Code: "InvalidParameterValue" })).to.equal("InvalidParameterValue");
      expect(awsErrorCode({ code: "ECONNRESET" })).to.equal("ECONNRESET");
    });

    it("returns undefined for a plain Error or a non-object", () => {
      expect(awsErrorCode(new Error("boom"))).to.equal(undefined);
      expect(awsErrorCode("boom")).to.equal(undefined);
    });
  });

  describe("describeAwsError", () => {
    it("names the missing IAM permission for UnauthorizedOperation", () => {
      const info = describeAwsError(
        "GetIpamResourceCidrs",
        ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation."),
      );

      expect(info.code).to.equal("UnauthorizedOperation");
      expect(info.message).to.include("grant the IAM permission ec2:GetIpamResourceCidrs");
    });

    it("names the missing IAM permission for AccessDenied", () => {
      const info = describeAwsError("DescribeIpams", ec2Error("AccessDenied", "User is not authorized"));

      expect(info.message).to.include("ec2:DescribeIpams");
    });

    it("uses the given service prefix for the permission", () => {
      const info = describeAwsError(
        "Publish",
        Object.assign(new Error("denied"), { name: "AuthorizationError" }),
        "sns",
      );

      expect(info.message).to.include("sns:Publish");
    });

    it("shortens EC2's long encoded authorization message", () => {
      const info = describeAwsError(
        "DescribeIpams",
        ec2Error("UnauthorizedOperation", `Encoded authorization failure message: ${"x".repeat(2000)}`),
      );

      expect(info.message.length).to.be.below(600);
      expect(info.message).to.match(/…$/);
    });

    it("says retries were exhausted for RequestLimitExceeded, with the attempt count", () => {
      const info = describeAwsError(
        "GetIpamResourceCidrs",
        ec2Error("RequestLimitExceeded", "Request limit exceeded.", 8),
      );

      expect(info).to.include({ action: "GetIpamResourceCidrs", code: "RequestLimitExceeded" });
      expect(info.message).to.include("throttled (RequestLimitExceeded) and retries were exhausted after 8 attempts");
    });

    it("says retries were exhausted for Throttling", () => {
      const info = describeAwsError("GetIpamResourceCidrs", ec2Error("Throttling", "Rate exceeded"));

      expect(info.message).to.include("retries were exhausted");
    });

    it("recognises throttling the SDK flagged as retryable throttling", () => {
      const err = Object.assign(new Error("slow down"), { name: "SomeNewThrottle", $retryable: { throttling: true } });

      expect(describeAwsError("DescribeIpams", err).message).to.include("retries were exhausted");
    });

    it("reports any other error with its code and message", () => {
      const info = describeAwsError(
        "DescribeIpamScopes",
        ec2Error("InvalidParameterValue", "Invalid filter 'ipam-id'"),
      );

      expect(info).to.deep.equal({
        action: "DescribeIpamScopes",
        code: "InvalidParameterValue",
        message: "DescribeIpamScopes failed (InvalidParameterValue): Invalid filter 'ipam-id'",
      });
    });

    it("reports an error without a code by its message alone", () => {
      expect(describeAwsError("DescribeIpams", new Error("socket hang up"))).to.deep.equal({
        action: "DescribeIpams",
        message: "DescribeIpams failed: socket hang up",
      });
    });
  });

  describe("toScanFailure", () => {
    it("puts the target in front of the described error", () => {
      const failure = toScanFailure(
        "ipam-scope ipam-scope-0abc",
        "GetIpamResourceCidrs",
        ec2Error("AccessDenied", "denied"),
      );

      expect(failure).to.include({
        target: "ipam-scope ipam-scope-0abc",
        action: "GetIpamResourceCidrs",
        code: "AccessDenied",
      });
    });
  });

  describe("toScanError", () => {
    it("returns a ScanError carrying action, code and the original error as cause", () => {
      const original = ec2Error("UnauthorizedOperation", "You are not authorized to perform this operation.");

      const err = toScanError("DescribeIpams", original);

      expect(err).to.be.instanceOf(ScanError);
      expect(err).to.include({ action: "DescribeIpams", code: "UnauthorizedOperation", cause: original });
      expect(err.message).to.include("ec2:DescribeIpams");
    });
  });
});
