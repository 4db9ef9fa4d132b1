################################################################################
# Topic: alarm and scan notifications, subscriptions and optional encryption key
################################################################################

data "aws_iam_policy_document" "kms" {
  count = var.create_kms_key ? 1 : 0

  statement {
    # Without this statement only the key policy could grant access; with it, IAM policies can.
    sid       = "AccountAdministersKey"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }

  statement {
    # CloudWatch alarms publish to the encrypted topic only when the key policy lets them.
    sid       = "CloudWatchAlarmsPublishToEncryptedTopic"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    # Only on behalf of this module's alarms in this account (no confused deputy): CloudWatch
    # passes the alarm as the source of the KMS request.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:cloudwatch:${local.region}:${data.aws_caller_identity.current.account_id}:alarm:${var.name}-*"]
    }
  }
}

resource "aws_kms_key" "this" {
  count = var.create_kms_key ? 1 : 0

  description         = "Encrypts the ${var.name} alarm topic."
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.kms[0].json
  tags                = var.tags
}

resource "aws_kms_alias" "this" {
  count = var.create_kms_key ? 1 : 0

  name          = "alias/${var.name}-alarms"
  target_key_id = aws_kms_key.this[0].key_id
}

resource "aws_sns_topic" "this" {
  count = var.create_sns_topic ? 1 : 0

  name              = "${var.name}-alarms"
  kms_master_key_id = local.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  # Keyed by address: each subscription has its own identity, so several addresses work and
  # removing one leaves the others alone.
  for_each = toset(var.alarm_emails)

  topic_arn = local.topic_arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_sns_topic_subscription" "https" {
  for_each = toset(var.alarm_https_endpoints)

  topic_arn = local.topic_arn
  protocol  = "https"
  endpoint  = each.value
}

################################################################################
# Notification state: what was last notified, so a scope that stays low is not re-sent every run
################################################################################

resource "aws_dynamodb_table" "this" {
  name         = "${var.name}-state"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  server_side_encryption {
    enabled = true
  }

  point_in_time_recovery {
    enabled = var.state_table_point_in_time_recovery
  }

  tags = var.tags
}
