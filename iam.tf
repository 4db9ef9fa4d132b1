################################################################################
# IAM: the function's role, one statement per reason, each action one the code calls
################################################################################

locals {
  # The IAM actions each feature of the scanner calls. The lambda package keeps this file in
  # sync with its code (a unit test compares it with the SDK commands the source imports).
  iam_actions = jsondecode(file("${path.module}/lambda/iam-actions.json"))
}

data "aws_iam_policy_document" "assume_role" {
  statement {
    sid     = "LambdaAssumesRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Runs the ${var.name} IP usage scanner."
  assume_role_policy   = data.aws_iam_policy_document.assume_role.json
  permissions_boundary = var.iam_role_permissions_boundary
  tags                 = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    # Describe and Get calls of EC2 and IPAM do not support resource-level permissions.
    sid       = var.scan_source == "ipam" ? "ReadIpamResourceCidrs" : "DescribeVpcsSubnetsAndAddresses"
    actions   = local.iam_actions[var.scan_source]
    resources = ["*"]
  }

  statement {
    # PutMetricData has no resource; the namespace condition is what limits it.
    sid       = "PublishScopeMetricsToOwnNamespace"
    actions   = local.iam_actions.metrics
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = [var.metrics_namespace]
    }
  }

  statement {
    sid       = "NotifyAlarmTopic"
    actions   = local.iam_actions.notification
    resources = [local.topic_arn]
  }

  dynamic "statement" {
    # Publishing to an encrypted topic makes SNS generate and decrypt data keys as the publisher.
    for_each = local.kms_key_arn == null ? [] : [local.kms_key_arn]

    content {
      sid       = "EncryptNotificationsWithTopicKey"
      actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["sns.${local.region}.${data.aws_partition.current.dns_suffix}"]
      }
    }
  }

  statement {
    sid       = "RememberNotifiedState"
    actions   = local.iam_actions.state
    resources = [aws_dynamodb_table.this.arn]
  }

  statement {
    # The log group is created by this module, so the function needs no logs:CreateLogGroup.
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
}

resource "aws_iam_role_policy" "this" {
  name   = var.name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}
