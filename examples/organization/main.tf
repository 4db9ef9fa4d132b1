# The management account (or a delegated administrator for Organizations and StackSets).
provider "aws" {
  region = var.region
}

# One member account that takes its baseline from Terraform rather than from the StackSet, reached
# through the role AWS Organizations creates in accounts it creates.
provider "aws" {
  alias  = "baseline"
  region = var.region

  dynamic "assume_role" {
    for_each = var.baseline_account_id == null ? [] : [var.baseline_account_id]

    content {
      role_arn = "arn:aws:iam::${assume_role.value}:role/${var.baseline_access_role_name}"
    }
  }
}

# The scanner: every ACTIVE account of the organization, in var.regions, through the member roles.
module "ipam_monitor" {
  source = "../.."

  name         = var.name
  rules_file   = "${path.module}/ipam-rules.yaml"
  alarm_emails = var.alarm_emails

  scan_source  = "ec2"
  regions      = var.regions
  organization = true
  fan_out      = var.fan_out
}

# The member role in every account of the given OUs, now and whenever an account joins them: a
# StackSet with service-managed permissions and automatic deployment, from the module's template.
resource "aws_cloudformation_stack_set" "member_role" {
  name             = "${var.name}-member-role"
  description      = "Read-only role the ${var.name} scanner assumes in member accounts."
  permission_model = "SERVICE_MANAGED"
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_body    = module.ipam_monitor.member_role_template_body

  parameters = {
    ScannerRoleArn = module.ipam_monitor.lambda_role_arn
    RoleName       = module.ipam_monitor.member_role_name
  }

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  lifecycle {
    # AWS sets it for service-managed StackSets.
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "member_role" {
  stack_set_name = aws_cloudformation_stack_set.member_role.name
  # IAM roles are global: one Region, or the second Region's stacks fail on the existing role.
  region = var.region

  deployment_targets {
    organizational_unit_ids = var.member_ou_ids
  }
}

# The same role from Terraform, for an account outside those OUs.
module "baseline_member_role" {
  source = "../../modules/member-role"
  count  = var.baseline_account_id == null ? 0 : 1

  providers = {
    aws = aws.baseline
  }

  role_name        = module.ipam_monitor.member_role_name
  scanner_role_arn = module.ipam_monitor.lambda_role_arn
}
