################################################################################
# Package: bundle the function and the rules file into a deterministic zip during apply
################################################################################

locals {
  # Built during apply unless a prebuilt one is given.
  build_package = var.lambda_package == null

  # Everything the bundle is made of. A change to any of these files, or to the rules, names a new
  # package and so replaces the build and updates the function; nothing else does, so a plan right
  # after an apply is empty.
  build_inputs = sort(tolist(setunion(
    fileset(path.module, "lambda/src/**"),
    fileset(path.module, "lambda/schema/**"),
    fileset(path.module, "lambda/scripts/**"),
    fileset(path.module, "lambda/{build.mjs,package.json,package-lock.json,tsconfig.json}"),
    fileset(path.module, "scripts/build"),
    fileset(path.module, "scripts/lib/build.sh"),
  )))
  build_hash = sha256(join("\n", concat(
    [for file in local.build_inputs : "${file} ${filesha256("${path.module}/${file}")}"],
    ["rules ${try(filesha256(var.rules_file), "")}"],
  )))

  # The file name carries the hash: the function's `filename` changes exactly when the content
  # does, which is what makes the provider upload new code. The zip need not exist at plan time.
  package_file = "${path.module}/dist/${var.name}-${substr(local.build_hash, 0, 16)}.zip"
}

resource "terraform_data" "build" {
  count = local.build_package ? 1 : 0

  # Only hashes and relative names here: absolute paths differ between machines and would
  # force a rebuild on every runner. The function name and architecture are included because
  # replacing the function or changing its architecture uploads the package again.
  triggers_replace = {
    build_hash    = local.build_hash
    package_file  = local.package_file
    function_name = local.function_name
    architecture  = var.lambda_architecture
  }

  provisioner "local-exec" {
    # Paths travel as environment variables so that spaces or quotes in them cannot break the command.
    command = "\"$IPAM_MONITOR_BUILD\" --rules \"$IPAM_MONITOR_RULES\" --out \"$IPAM_MONITOR_PACKAGE\""
    environment = {
      IPAM_MONITOR_BUILD   = abspath("${path.module}/scripts/build")
      IPAM_MONITOR_RULES   = abspath(var.rules_file)
      IPAM_MONITOR_PACKAGE = abspath(local.package_file)
    }
  }
}
