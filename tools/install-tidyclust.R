#!/usr/bin/env Rscript
# Installs tidyclust and whatever of its dependencies is missing or too old into a private library.
#
# Usage:  Rscript tools/install-tidyclust.R [--dry-run] [LIB]   (LIB defaults to ./.tidyclust-lib)
#
#   --dry-run  print what would be installed, install nothing
#
# For `make tidyclust-test` only, never CI: tidyclust pulls in the tidymodels stack, which needs
# newer rlang, dplyr, vctrs, hardhat, ... than Debian 12 ships, and builds from CRAN source in tens
# of minutes. Packages that are missing altogether come from Debian's r-cran-<name> first when
# running as root with apt-get (tools/apt-install.sh; those go machine-wide, as `make deps` does);
# everything else, including newer versions of packages the machine already has, goes into LIB
# only, so the library the package is checked against stays as it was. Exits 1 naming what could
# not be installed.

say <- function(...) cat("install-tidyclust: ", ..., "\n", sep = "")
fail <- function(...) { say(...); quit(status = 1) }

args <- commandArgs(trailingOnly = TRUE)
dry_run <- "--dry-run" %in% args
lib <- normalizePath(c(args[!startsWith(args, "-")], ".tidyclust-lib")[[1]], mustWork = FALSE)
script <- sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))
apt_helper <- file.path(dirname(script), "apt-install.sh")
repos <- "https://cloud.r-project.org"
# mclust: the engine's tests compare with tidyclust's own mclust engine; testthat runs them.
wanted <- c("tidyclust", "mclust", "testthat")

if (!dry_run) dir.create(lib, recursive = TRUE, showWarnings = FALSE)
.libPaths(c(lib, .libPaths()))
db <- utils::available.packages(repos = repos)
if (!"tidyclust" %in% rownames(db)) fail("tidyclust is not in the CRAN index at ", repos)
if (package_version(db["tidyclust", "Version"]) < "0.2.0") fail("CRAN's tidyclust is older than 0.2.0")

fields <- c("Depends", "Imports", "LinkingTo")
base <- rownames(utils::installed.packages(priority = "base"))
installed_version <- function(p) suppressWarnings(utils::packageDescription(p, fields = "Version"))

# "name (>= x)" entries of one package: of CRAN's current version when it is to be installed,
# else of the installed copy (an installed package that stays needs only what it already has).
requirements <- function(p, from_cran) {
  d <- if (from_cran) db[p, fields] else unlist(utils::packageDescription(p)[fields])
  s <- trimws(unlist(strsplit(gsub("\n", " ", d[!is.na(d)]), ",")))
  s <- s[nzchar(s)]
  data.frame(pkg = sub("\\s*\\(.*", "", s),
             min = ifelse(grepl(">=", s), sub(".*>=\\s*([0-9.-]+).*", "\\1", s), "0.0"))
}

# Walks the dependencies from `wanted` until the set to install stops growing (an upgrade can
# raise what its own dependencies must be); returns that set, everything walked, and the minimums.
plan <- function() {
  need <- character()
  repeat {
    mins <- list()
    seen <- character()
    queue <- wanted
    while (length(queue)) {
      p <- queue[[1]]
      queue <- queue[-1]
      if (p %in% seen) next
      seen <- c(seen, p)
      from_cran <- p %in% need || is.na(installed_version(p))
      if (from_cran && !p %in% rownames(db)) {
        # CRAN's index here leaves out versions that need a newer R.
        fail(p, " is needed but CRAN has no version of it for R ", getRversion())
      }
      r <- requirements(p, from_cran)
      for (i in seq_len(nrow(r))) {
        q <- r$pkg[[i]]
        mins[[q]] <- as.character(max(package_version(c(r$min[[i]], mins[[q]]))))
        if (q != "R" && !q %in% base) queue <- c(queue, q)
      }
    }
    if (!is.null(mins[["R"]]) && getRversion() < mins[["R"]]) {
      fail("the current CRAN tidyclust stack needs R >= ", mins[["R"]], " (this is ", getRversion(), ")")
    }
    more <- setdiff(Filter(function(p) lacking(p, mins), seen), need)
    if (!length(more)) return(list(need = need, seen = seen, mins = mins))
    need <- c(need, more)
  }
}
lacking <- function(p, mins) {
  have <- installed_version(p)
  is.na(have) || (!is.null(mins[[p]]) && package_version(have) < mins[[p]])
}

todo <- plan()
if (dry_run) {
  say("would install ", length(todo$need), " packages: ", paste(todo$need, collapse = ", "))
  quit()
}
absent <- Filter(function(p) is.na(installed_version(p)), todo$need)
use_apt <- Sys.info()[["effective_user"]] == "root" && nzchar(Sys.which("apt-get"))
if (use_apt && length(absent)) {
  # A name Debian lacks is reported by the helper and then comes from CRAN below; what apt
  # brings may still be too old, so the walk is done again.
  system2("bash", shQuote(c(apt_helper, sprintf("r-cran-%s", tolower(absent)))))
  todo <- plan()
}
need <- todo$need

if (length(need)) {
  say("CRAN: installing ", length(need), " packages into ", lib, ": ", paste(need, collapse = ", "))
  # One build at a time: the machine has two cores and others may be building.
  tryCatch(withCallingHandlers(
    utils::install.packages(need, lib = lib, repos = repos, dependencies = FALSE, Ncpus = 1L,
                            quiet = TRUE),
    warning = function(w) {
      if (!grepl("PACKAGES.rds", conditionMessage(w), fixed = TRUE)) say("CRAN: ", conditionMessage(w))
      invokeRestart("muffleWarning")
    }),
    error = function(e) say("CRAN: ", conditionMessage(e)))
}

left <- Filter(function(p) lacking(p, todo$mins), todo$seen)
if (length(left)) fail("could not install: ", paste(left, collapse = ", "))
ok <- suppressPackageStartupMessages(requireNamespace("tidyclust", lib.loc = .libPaths(), quietly = TRUE))
if (!ok) fail("tidyclust is installed but does not load")
say("tidyclust ", installed_version("tidyclust"), " ready in ", lib)
