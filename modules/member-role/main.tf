################################################################################
# Shared values: the scanner's account and the EC2 source's actions
################################################################################

locals {
  # arn:<partition>:iam::<account>:role/<name>
  scanner_arn_parts = split(":", var.scanner_role_arn)
  scanner_partition = local.scanner_arn_parts[1]
  scanner_account   = local.scanner_arn_parts[4]

  # Exactly what the scanner's EC2 source calls in a member account: the same lists the scanner's own
  # policy is built from, which a unit test keeps equal to the SDK commands the source imports. The
  # capacity reads (interfaces, CIDR reservations) are granted always: they are read-only, and a
  # scope that opts in to capacity later then needs no change in every member account.
  iam_actions        = jsondecode(file("${path.module}/../../lambda/iam-actions.json"))
  ec2_source_actions = concat(local.iam_actions.ec2, local.iam_actions.capacity)
}

################################################################################
# Trust: only the scanner's role, optionally only from the organization and with an external id
################################################################################

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "ScannerRoleAssumesRole"
    actions = ["sts:AssumeRole"]

    # The account as principal and the role in a condition, rather than the role as principal: IAM
    # refuses a trust policy naming a role that does not exist yet (a StackSet rolled out before the
    # scanner), and silently stops trusting a role that was deleted and created again.
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.scanner_partition}:iam::${local.scanner_account}:root"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:PrincipalArn"
      values   = [var.scanner_role_arn]
    }

    dynamic "condition" {
      for_each = var.organization_id == null ? [] : [var.organization_id]

      content {
        test     = "StringEquals"
        variable = "aws:PrincipalOrgID"
        values   = [condition.value]
      }
    }

    dynamic "condition" {
      for_each = var.external_id == null ? [] : [var.external_id]

      content {
        test     = "StringEquals"
        variable = "sts:ExternalId"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  description          = "Read-only access for the IP address usage scanner ${var.scanner_role_arn}."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = var.max_session_duration
  permissions_boundary = var.permissions_boundary
  tags                 = var.tags
}

################################################################################
# Permissions: the EC2 source's read calls and nothing else
################################################################################

data "aws_iam_policy_document" "read" {
  statement {
    # EC2 describe calls and GetSubnetCidrReservations do not support resource-level permissions.
    sid       = "DescribeNetworkForIpUsage"
    actions   = local.ec2_source_actions
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = var.role_name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.read.json
}
