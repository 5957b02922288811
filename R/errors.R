# The one place where the core's failures become R conditions: the core
# reports what went wrong and where (kind, iteration, component, observation);
# the words and the advice are chosen here.

# An EM step that could not go on, as a classed condition whose fields a
# handler can read (e$kind, e$iteration, e$component, e$observation).
# `variances` are the data's column variances, for advice on reg_covar's size.
em_condition <- function(err, reg_covar, variances) {
  where <- sprintf("EM stopped at iteration %d: ", err$iteration)
  component <- if (is.na(err$component)) NA_integer_ else as.integer(err$component)
  what <- switch(err$kind,
    singular_covariance = paste0(
      "the covariance of component ", component, " is singular: the component has collapsed onto ",
      "too few points (no more than the number of columns) or onto a lower-dimensional subspace. ",
      reg_covar_advice(reg_covar, variances)),
    empty_component = paste0(
      "component ", component, " lost all its weight (no observation belongs to it). ",
      "Set `reg_covar` > 0 (for example ", suggested_reg_covar(reg_covar, variances),
      ") to let it drop out, or choose another start."),
    nonfinite_parameters = paste0(
      "the M-step for component ", component, " gave non-finite parameters (its weight is too small). ",
      reg_covar_advice(reg_covar, variances)),
    unplaceable_observation = paste0(
      "observation ", err$observation, " has no finite density under any component (it is too far ",
      "from every mean for double precision). Rescale the data, for example with scale()."),
    nonfinite_loglik = paste0(
      "the log-likelihood is not finite (the data are too far from the means for double precision). ",
      "Rescale the data, for example with scale()."),
    out_of_memory = paste0(
      "there is not enough memory to keep that iteration's responsibilities. ",
      "Use `keep = \"auto\"` or `keep = \"last\"`."),
    paste0("an unknown failure (", err$kind, ").")
  )
  structure(
    class = c("gmmem_em_error", "error", "condition"),
    list(message = paste0(where, what), call = NULL, kind = err$kind,
         iteration = as.integer(err$iteration), component = component,
         observation = if (is.na(err$observation)) NA_integer_ else as.integer(err$observation))
  )
}

# What to do about a degenerate component, as a value `reg_covar` accepts: turn
# it on, or raise it when it is on but too small for the data's scale.
reg_covar_advice <- function(reg_covar, variances) {
  if (reg_covar > 0) {
    return(paste0("`reg_covar` = ", format(reg_covar), " is too small for the scale of the data: ",
                  "increase it (for example to ", suggested_reg_covar(reg_covar, variances),
                  "; it is added to every variance), or choose another start."))
  }
  paste0("Set `reg_covar` > 0 (for example ", suggested_reg_covar(reg_covar, variances),
         ", a millionth of the data's smallest variance) to keep covariances well-posed, ",
         "or choose another start.")
}

suggested_reg_covar <- function(reg_covar, variances) {
  base <- 1e-6 * min(variances[variances > 0], Inf)
  if (!is.finite(base)) base <- 1e-6
  format(signif(max(base, 100 * reg_covar), 1))
}

# Every start failed: one error that says why each did.
all_starts_failed <- function(errors) {
  lines <- vapply(seq_along(errors), function(i) sprintf("start %d: %s", i, conditionMessage(errors[[i]])),
                  character(1))
  first <- errors[[1L]]
  structure(
    class = c("gmmem_em_error", "error", "condition"),
    list(message = paste0("All ", length(errors), " starts failed.\n", paste(lines, collapse = "\n")),
         call = NULL, kind = first$kind, iteration = first$iteration, component = first$component,
         observation = first$observation, starts = errors)
  )
}
