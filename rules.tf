################################################################################
# Rules: the scopes of the rules file, which drive the alarms and the dashboard
################################################################################

# The same file drives the scanner (inside the package) and the alarms and dashboard (here).
module "rules" {
  source = "./modules/rules"

  rules_file = var.rules_file
}

locals {
  # In rules-file order, for the dashboard.
  scope_names = module.rules.scope_names

  # By scope name: description, thresholds (every field of the schema after defaults, null when
  # unset), resource_metrics, and levels: how its warning and critical levels read.
  scopes = module.rules.scopes

  any_resource_metrics = anytrue([for scope in values(local.scopes) : scope.resource_metrics])
}
