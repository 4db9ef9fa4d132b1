# Plan-time checks of the member role: its trust, its actions and every validation.

mock_provider "aws" {
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

variables {
  scanner_role_arn = "arn:aws:iam::111122223333:role/ipam-monitor"
}

run "trusts_only_the_scanner_role_of_the_scanner_account" {
  command = plan

  assert {
    condition     = one(data.aws_iam_policy_document.trust.statement[0].principals).identifiers == toset(["arn:aws:iam::111122223333:root"])
    error_message = "The trust policy does not name the scanner's account as principal."
  }

  assert {
    condition = jsonencode(data.aws_iam_policy_document.trust.statement[0].condition) == jsonencode([
      { test = "ArnEquals", variable = "aws:PrincipalArn", values = ["arn:aws:iam::111122223333:role/ipam-monitor"] },
    ])
    error_message = "The trust policy does not limit the principal to the scanner role: ${jsonencode(data.aws_iam_policy_document.trust.statement[0].condition)}"
  }

  assert {
    condition     = data.aws_iam_policy_document.trust.statement[0].actions == toset(["sts:AssumeRole"])
    error_message = "The trust policy allows more than sts:AssumeRole."
  }

  assert {
    condition     = aws_iam_role.this.name == "ipam-monitor-member" && aws_iam_role.this.permissions_boundary == null
    error_message = "The role is not named ipam-monitor-member by default, or has a boundary nobody asked for."
  }
}

run "allows_exactly_the_actions_of_the_ec2_source" {
  command = plan

  assert {
    condition     = data.aws_iam_policy_document.read.statement[0].actions == toset(concat(jsondecode(file("../../lambda/iam-actions.json")).ec2, jsondecode(file("../../lambda/iam-actions.json")).capacity))
    error_message = "The member role's actions are not the EC2 source's lists (ec2 and capacity) in lambda/iam-actions.json."
  }

  assert {
    condition     = contains(data.aws_iam_policy_document.read.statement[0].actions, "ec2:DescribeNetworkInterfaces") && contains(data.aws_iam_policy_document.read.statement[0].actions, "ec2:GetSubnetCidrReservations")
    error_message = "The member role cannot read the interfaces and CIDR reservations of a capacity scope's subnets."
  }

  assert {
    condition     = length(data.aws_iam_policy_document.read.statement) == 1 && data.aws_iam_policy_document.read.statement[0].resources == toset(["*"])
    error_message = "The member role's policy has more than the one describe statement."
  }

  assert {
    condition     = length([for action in data.aws_iam_policy_document.read.statement[0].actions : action if !startswith(action, "ec2:Describe") && action != "ec2:GetSubnetCidrReservations"]) == 0
    error_message = "The member role can do more than read EC2 resources."
  }

  assert {
    condition     = output.actions == concat(jsondecode(file("../../lambda/iam-actions.json")).ec2, jsondecode(file("../../lambda/iam-actions.json")).capacity)
    error_message = "The actions output does not list the role's actions."
  }
}

run "adds_the_organization_and_external_id_conditions" {
  command = plan

  variables {
    organization_id = "o-a1b2c3d4e5"
    external_id     = "ipam-monitor-7f3a"
  }

  assert {
    condition = jsonencode({
      for c in data.aws_iam_policy_document.trust.statement[0].condition : c.variable => [c.test, c.values]
      }) == jsonencode({
      "aws:PrincipalArn"   = ["ArnEquals", ["arn:aws:iam::111122223333:role/ipam-monitor"]]
      "aws:PrincipalOrgID" = ["StringEquals", ["o-a1b2c3d4e5"]]
      "sts:ExternalId"     = ["StringEquals", ["ipam-monitor-7f3a"]]
    })
    error_message = "The organization or external id condition is missing: ${jsonencode(data.aws_iam_policy_document.trust.statement[0].condition)}"
  }
}

run "takes_the_partition_from_the_scanner_role" {
  command = plan

  variables {
    scanner_role_arn = "arn:aws-us-gov:iam::111122223333:role/platform/ipam-monitor"
    role_name        = "network-reader"
    tags             = { team = "network" }
  }

  assert {
    condition     = one(data.aws_iam_policy_document.trust.statement[0].principals).identifiers == toset(["arn:aws-us-gov:iam::111122223333:root"])
    error_message = "The principal is not in the scanner role's partition."
  }

  assert {
    condition     = aws_iam_role.this.name == "network-reader" && aws_iam_role_policy.this.name == "network-reader" && aws_iam_role.this.tags == tomap({ team = "network" })
    error_message = "The role name or tags are not applied."
  }
}

run "rejects_a_scanner_arn_that_is_not_a_role" {
  command = plan

  variables {
    scanner_role_arn = "arn:aws:iam::111122223333:user/alice"
  }

  expect_failures = [var.scanner_role_arn]
}

run "rejects_a_role_name_with_a_path" {
  command = plan

  variables {
    role_name = "platform/ipam-monitor-member"
  }

  expect_failures = [var.role_name]
}

run "rejects_an_organization_id_that_is_not_one" {
  command = plan

  variables {
    organization_id = "r-a1b2"
  }

  expect_failures = [var.organization_id]
}

run "rejects_a_one_character_external_id" {
  command = plan

  variables {
    external_id = "x"
  }

  expect_failures = [var.external_id]
}

run "rejects_a_session_shorter_than_an_hour" {
  command = plan

  variables {
    max_session_duration = 900
  }

  expect_failures = [var.max_session_duration]
}

run "rejects_a_boundary_that_is_not_a_policy_arn" {
  command = plan

  variables {
    permissions_boundary = "arn:aws:iam::111122223333:role/boundary"
  }

  expect_failures = [var.permissions_boundary]
}
