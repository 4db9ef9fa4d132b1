# The capacity permissions: granted exactly when a scope of the rules file has capacity: true.

mock_provider "aws" {
  source          = "./test/terraform"
  override_during = plan
}

run "grants_interface_and_reservation_reads_when_a_scope_measures_capacity" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/capacity.yaml"
  }

  assert {
    condition     = length(aws_iam_role_policy.capacity) == 1
    error_message = "A scope has capacity: true, but the function gets no policy to read interfaces and reservations."
  }

  assert {
    condition = (
      one(data.aws_iam_policy_document.capacity[0].statement).sid == "ReadInterfacesAndReservationsForCapacity" &&
      toset(one(data.aws_iam_policy_document.capacity[0].statement).actions) == toset(["ec2:DescribeNetworkInterfaces", "ec2:GetSubnetCidrReservations"])
    )
    error_message = "The capacity policy does not grant exactly DescribeNetworkInterfaces and GetSubnetCidrReservations."
  }

  assert {
    condition     = aws_iam_role_policy.capacity[0].name == "ipam-monitor-capacity"
    error_message = "The capacity policy is not named after the module."
  }
}

run "grants_no_capacity_reads_when_no_scope_asks" {
  command = plan

  variables {
    rules_file = "test/fixtures/rules/three-scopes.yaml"
  }

  assert {
    condition     = length(aws_iam_role_policy.capacity) == 0 && length(data.aws_iam_policy_document.capacity) == 0
    error_message = "The function may read interfaces and reservations although no scope measures capacity."
  }

  assert {
    condition     = !contains(flatten([for s in data.aws_iam_policy_document.this.statement : s.actions]), "ec2:DescribeNetworkInterfaces")
    error_message = "The main policy grants DescribeNetworkInterfaces."
  }
}
