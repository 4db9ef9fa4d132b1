################################################################################
# Capacity: read network interfaces and CIDR reservations for scopes with capacity: true
################################################################################

locals {
  # Reading interfaces and reservations costs calls, so the permission exists only when a scope asks for it.
  # The file itself is checked by module.rules; an unreadable one grants nothing here.
  capacity_enabled = anytrue([for scope in try(yamldecode(file(var.rules_file)).scopes, []) : try(scope.capacity, false) == true])
}

data "aws_iam_policy_document" "capacity" {
  count = local.capacity_enabled ? 1 : 0

  statement {
    # DescribeNetworkInterfaces and GetSubnetCidrReservations do not support resource-level permissions.
    sid       = "ReadInterfacesAndReservationsForCapacity"
    actions   = local.iam_actions.capacity
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "capacity" {
  count = local.capacity_enabled ? 1 : 0

  name   = "${var.name}-capacity"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.capacity[0].json
}
