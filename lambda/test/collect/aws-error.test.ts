import { EC2ServiceException } from "@aws-sdk/client-ec2";
import { expect } from "chai";

import { awsErrorCode, describeAwsError, toScanError, toScanFailure } from "../../src/collect/aws-error";
import { AwsCallError, ScanError } from "../../src/errors";

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

    it("says an endpoint got no answer in time, naming the settings that bound it", () => {
      const timedOut = Object.assign(new Error("the request socket timed out after 30000 ms of inactivity"), {
        name: "TimeoutError",
        code: "ETIMEDOUT",
        $metadata: { attempts: 8 },
      });
      expect(describeAwsError("GetIpamResourceCidrs", timedOut)).to.deep.equal({
        action: "GetIpamResourceCidrs",
        code: "TimeoutError",
        message:
          "GetIpamResourceCidrs got no answer in time after 8 attempts (CONNECT_TIMEOUT_MS, RESPONSE_TIMEOUT_MS, " +
          "AWS_MAX_ATTEMPTS); the endpoint is unreachable or hung. the request socket timed out after 30000 ms of inactivity",
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
      const failure = toScanFailure(ec2Error("AccessDenied", "denied"), {
        target: "ipam-scope ipam-scope-0abc",
        action: "GetIpamResourceCidrs",
      });

      expect(failure).to.include({
        target: "ipam-scope ipam-scope-0abc",
        action: "GetIpamResourceCidrs",
        code: "AccessDenied",
      });
    });

    it("names the unit the failure leaves out", () => {
      const failure = toScanFailure(new Error("socket hang up"), {
        target: "region eu-west-1",
        action: "DescribeSubnets",
        unit: "ec2/eu-west-1",
      });

      expect(failure.unit).to.equal("ec2/eu-west-1");
    });

    it("names the IAM permission of a denial a publisher wrapped, with the publisher's site", () => {
      const denied = Object.assign(new Error("not authorized"), { name: "AccessDeniedException" });
      const wrapped = new AwsCallError(
        { action: "PutItem", service: "dynamodb", target: "table t", detail: "saving the notified state" },
        denied,
      );

      const failure = toScanFailure(wrapped, { target: "(unused)", action: "(unused)" });

      expect(failure).to.include({ target: "table t", action: "PutItem", code: "AccessDeniedException" });
      expect(failure.message).to.include("grant the IAM permission dynamodb:PutItem");
      expect(failure.message).to.include("(saving the notified state)");
    });

    it("keeps what the publisher adds to any other failure", () => {
      const wrapped = new AwsCallError(
        {
          action: "PutMetricData",
          service: "cloudwatch",
          target: "namespace N",
          detail: "1 of 2 requests failed, 1000 of 1500 datums published",
        },
        new Error("socket hang up"),
      );

      expect(toScanFailure(wrapped, { target: "x", action: "y" })).to.deep.equal({
        target: "namespace N",
        action: "PutMetricData",
        message: "PutMetricData failed: socket hang up (1 of 2 requests failed, 1000 of 1500 datums published)",
      });
    });

    it("keeps the scanner's own ScanError as it is, with the attempts the SDK made", () => {
      const malformed = Object.assign(
        new ScanError("DescribeSubnets", "DescribeSubnets answered HTTP 200 without subnetSet", {
          code: "MalformedResponse",
        }),
        {
          $metadata: { attempts: 8 },
        },
      );

      expect(toScanFailure(malformed, { target: "region us-east-1", action: "DescribeSubnets" })).to.deep.equal({
        target: "region us-east-1",
        action: "DescribeSubnets",
        code: "MalformedResponse",
        message: "DescribeSubnets answered HTTP 200 without subnetSet (8 attempts)",
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
