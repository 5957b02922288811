#!/usr/bin/env Rscript
# Install the R packages (and the few system tools) this package needs.
#
# Usage:  Rscript tools/install-deps.R [--dev] [--check] [path/to/DESCRIPTION]
#
# Reads Imports, LinkingTo, Depends and Suggests from DESCRIPTION (default
# ./DESCRIPTION) and installs whatever is missing or older than a ">=" version
# the DESCRIPTION asks for:
#   1. as root on a system with apt-get: Debian's prebuilt r-cran-<name>
#      packages (fast, no compilation), after one `apt-get update`;
#   2. anything still missing: CRAN (https://cloud.r-project.org), built from
#      source into the first writable library in .libPaths() (R_LIBS_USER is
#      created when none is writable).
# It also makes sure pandoc is there (vignettes are built with rmarkdown).
#
#   --dev    also roxygen2 (for `make document`), mixtools (a peer in bench/)
#            and, through apt, python3-numpy (data-raw/) and python3-sklearn (bench/). Debian's python is
#            /usr/bin/python3: call that one, another python3 may come first on PATH.
#   --check  also the tools `R CMD check --as-cran` wants, through apt: qpdf
#            (without it: a WARNING, even with no PDF in the package) and HTML
#            Tidy, Debian's `tidy` (validates the HTML manual; without it: a NOTE).
#
# Prints one line per action, nothing when all is present, and exits non-zero
# with a message naming what could not be installed.

cran_repo <- "https://cloud.r-project.org"

args <- commandArgs(trailingOnly = TRUE)
unknown <- grep("^--", args, value = TRUE)
unknown <- setdiff(unknown, c("--dev", "--check", "--help"))
if (length(unknown)) {
  stop("install-deps: unknown option(s): ", paste(unknown, collapse = " "), call. = FALSE)
}
if ("--help" %in% args) {
  cat("Usage: Rscript tools/install-deps.R [--dev] [--check] [DESCRIPTION]\n")
  quit(status = 0)
}
dev <- "--dev" %in% args
check_tools <- "--check" %in% args
paths <- args[!grepl("^--", args)]
desc_path <- if (length(paths)) paths[[1]] else "DESCRIPTION"

say <- function(...) cat("install-deps: ", ..., "\n", sep = "")
fail <- function(...) {
  cat("install-deps: ERROR: ", ..., "\n", sep = "", file = stderr())
  quit(status = 1)
}

if (!file.exists(desc_path)) fail("no DESCRIPTION file at '", desc_path, "'")

# ---- what the DESCRIPTION asks for ------------------------------------------

desc <- read.dcf(desc_path)
if (nrow(desc) != 1L) fail("'", desc_path, "' is not a DESCRIPTION file")
own_name <- if ("Package" %in% colnames(desc)) trimws(desc[1, "Package"]) else ""

# Returns a named character vector: names are packages, values the minimum
# version from a ">=" spec (or NA).
parse_deps <- function(fields) {
  out <- character()
  for (f in intersect(fields, colnames(desc))) {
    value <- desc[1, f]
    if (is.na(value)) next
    entries <- trimws(strsplit(gsub("\\s+", " ", value), ",", fixed = TRUE)[[1]])
    entries <- entries[nzchar(entries)]
    for (e in entries) {
      pkg <- trimws(sub("\\(.*$", "", e))
      if (!nzchar(pkg) || pkg == "R" || pkg == own_name) next
      ver <- NA_character_
      m <- regmatches(e, regexec("\\(\\s*>=?\\s*([0-9][0-9.-]*)\\s*\\)", e))[[1]]
      if (length(m) == 2L) ver <- m[[2]]
      if (pkg %in% names(out)) {
        if (!is.na(ver) && (is.na(out[[pkg]]) ||
                            package_version(ver) > package_version(out[[pkg]]))) {
          out[[pkg]] <- ver
        }
      } else {
        out[[pkg]] <- ver
      }
    }
  }
  out
}

wanted <- parse_deps(c("Depends", "Imports", "LinkingTo", "Suggests"))
if (dev && !"roxygen2" %in% names(wanted)) wanted[["roxygen2"]] <- NA_character_
if (dev && !"mixtools" %in% names(wanted)) wanted[["mixtools"]] <- NA_character_

vignette_builder <- if ("VignetteBuilder" %in% colnames(desc)) desc[1, "VignetteBuilder"] else NA
needs_pandoc <- "rmarkdown" %in% names(wanted) ||
  (!is.na(vignette_builder) && grepl("knitr|rmarkdown", vignette_builder))

# ---- what is installed --------------------------------------------------------

# Installed version of a package, or NA; read from disk without loading it.
installed_version <- function(pkg) {
  path <- suppressWarnings(find.package(pkg, quiet = TRUE))
  if (!length(path)) return(NA_character_)
  d <- tryCatch(read.dcf(file.path(path[[1]], "DESCRIPTION"), fields = "Version"),
                error = function(e) NULL)
  if (is.null(d) || is.na(d[1, 1])) NA_character_ else d[1, 1]
}

unsatisfied <- function(pkgs) {
  pkgs[vapply(pkgs, function(p) {
    have <- installed_version(p)
    if (is.na(have)) return(TRUE)
    need <- wanted[[p]]
    !is.na(need) && package_version(have) < package_version(need)
  }, logical(1))]
}

describe <- function(p) {
  need <- wanted[[p]]
  have <- installed_version(p)
  paste0(p, if (!is.na(need)) paste0(" (>= ", need, ")") else "",
         if (!is.na(have)) paste0(" [have ", have, "]") else "")
}

# ---- apt helpers --------------------------------------------------------------

is_root <- identical(unname(Sys.info()[["effective_user"]]), "root") ||
  identical(suppressWarnings(tryCatch(system("id -u", intern = TRUE), error = function(e) "")), "0")
have_apt <- nzchar(Sys.which("apt-get")) && nzchar(Sys.which("apt-cache"))
use_apt <- is_root && have_apt && .Platform$OS.type == "unix"

apt_updated <- FALSE
apt_env <- c("DEBIAN_FRONTEND=noninteractive")

apt_update <- function() {
  if (apt_updated) return(invisible(TRUE))
  say("apt-get update")
  out <- suppressWarnings(system2("apt-get", c("update", "-qq"), env = apt_env,
                                  stdout = TRUE, stderr = TRUE))
  status <- attr(out, "status")
  if (!is.null(status) && status != 0) {
    say("apt-get update failed (status ", status, "); continuing with the package lists there are")
    cat(tail(out, 5), sep = "\n")
  }
  apt_updated <<- TRUE
  invisible(TRUE)
}

# Candidate version apt would install, or NA when apt has no such package.
apt_candidate <- function(deb) {
  out <- suppressWarnings(system2("apt-cache", c("policy", deb), stdout = TRUE, stderr = TRUE))
  line <- grep("^\\s*Candidate:", out, value = TRUE)
  if (!length(line)) return(NA_character_)
  cand <- trimws(sub("^\\s*Candidate:", "", line[[1]]))
  if (!nzchar(cand) || cand == "(none)") NA_character_ else cand
}

deb_installed <- function(deb) {
  out <- suppressWarnings(system2("dpkg-query", c("-W", shQuote("-f=${Status}"), shQuote(deb)),
                                  stdout = TRUE, stderr = FALSE))
  length(out) > 0 && grepl("install ok installed", out[[1]], fixed = TRUE)
}

apt_install <- function(debs) {
  if (!length(debs)) return(invisible(TRUE))
  run <- function(pk) {
    out <- suppressWarnings(system2("apt-get",
                                    c("install", "-y", "-qq", "--no-install-recommends", pk),
                                    env = apt_env, stdout = TRUE, stderr = TRUE))
    status <- attr(out, "status")
    ok <- is.null(status) || status == 0
    if (!ok) cat(tail(out, 10), sep = "\n")
    ok
  }
  say("apt-get install ", paste(debs, collapse = " "))
  if (run(debs)) return(invisible(TRUE))
  if (length(debs) > 1L) {
    # one bad package should not keep the others out: try them one by one
    for (d in debs) {
      if (deb_installed(d)) next
      say("apt-get install ", d, " (retrying alone)")
      if (!run(d)) say("apt-get could not install ", d)
    }
  }
  invisible(FALSE)
}

# ---- 1. R packages -------------------------------------------------------------

missing_pkgs <- unsatisfied(names(wanted))
installed_now <- character()

if (length(missing_pkgs)) {
  say("missing: ", paste(vapply(missing_pkgs, describe, ""), collapse = ", "))

  if (use_apt) {
    apt_update()
    debs <- character()
    for (p in missing_pkgs) {
      deb <- paste0("r-cran-", tolower(p))
      cand <- apt_candidate(deb)
      if (is.na(cand)) {
        say(p, ": no Debian package ", deb, ", will use CRAN")
      } else {
        debs <- c(debs, deb)
      }
    }
    apt_install(debs)
    # apt may have brought an older version than a ">=" asks for: CRAN then.
    still <- unsatisfied(missing_pkgs)
    installed_now <- c(installed_now, setdiff(missing_pkgs, still))
    for (p in intersect(still, missing_pkgs[paste0("r-cran-", tolower(missing_pkgs)) %in% debs])) {
      say(p, ": apt did not satisfy ", describe(p), ", will use CRAN")
    }
    missing_pkgs <- still
  }

  if (length(missing_pkgs)) {
    libs <- .libPaths()
    writable <- libs[file.access(libs, 2L) == 0L]
    if (length(writable)) {
      lib <- writable[[1]]
    } else {
      lib <- Sys.getenv("R_LIBS_USER")
      if (!nzchar(lib)) fail("no writable R library and R_LIBS_USER is not set")
      lib <- path.expand(strsplit(lib, .Platform$path.sep, fixed = TRUE)[[1]][[1]])
      if (!dir.exists(lib)) {
        say("creating user library ", lib)
        if (!dir.create(lib, recursive = TRUE, showWarnings = FALSE)) {
          fail("could not create the user library ", lib)
        }
      }
      .libPaths(c(lib, .libPaths()))
    }
    say("CRAN: installing ", paste(missing_pkgs, collapse = ", "), " into ", lib)
    ncpus <- max(1L, min(4L, parallel::detectCores(), na.rm = TRUE))
    # Warnings are reported but must not stop install.packages() (it warns,
    # for instance, when a mirror has no PACKAGES.rds and falls back to PACKAGES.gz);
    # whether it worked is judged afterwards from what is installed.
    tryCatch(
      withCallingHandlers(
        utils::install.packages(missing_pkgs, lib = lib, repos = cran_repo,
                                dependencies = NA, Ncpus = ncpus, quiet = TRUE),
        warning = function(w) {
          msg <- conditionMessage(w)
          if (!grepl("PACKAGES.rds", msg, fixed = TRUE)) say("CRAN: ", msg)
          invokeRestart("muffleWarning")
        }
      ),
      error = function(e) say("CRAN: ", conditionMessage(e))
    )
    still <- unsatisfied(missing_pkgs)
    installed_now <- c(installed_now, setdiff(missing_pkgs, still))
    missing_pkgs <- still
  }

  if (length(missing_pkgs)) {
    fail("could not install: ", paste(vapply(missing_pkgs, describe, ""), collapse = ", "))
  }

  # A package counts as installed only if it also loads (its own dependencies
  # are there). Checked in a fresh R so nothing loaded here gets in the way.
  if (length(installed_now)) {
    code <- sprintf(
      "bad <- Filter(function(p) !suppressPackageStartupMessages(requireNamespace(p, quietly = TRUE)), c(%s)); if (length(bad)) { cat(bad, sep = '\\n'); quit(status = 1) }",
      paste0('"', installed_now, '"', collapse = ", "))
    rscript <- file.path(R.home("bin"), "Rscript")
    out <- suppressWarnings(system2(rscript, c("--vanilla", "-e", shQuote(code)),
                                    env = paste0("R_LIBS=", paste(.libPaths(), collapse = .Platform$path.sep)),
                                    stdout = TRUE, stderr = TRUE))
    if (!is.null(attr(out, "status")) && attr(out, "status") != 0) {
      fail("installed but cannot be loaded: ", paste(out, collapse = " "))
    }
    say("installed: ", paste(installed_now, collapse = ", "))
  }
}

# ---- 2. system tools -----------------------------------------------------------

ensure_deb <- function(deb, why, present, required = TRUE) {
  if (present()) return(invisible(TRUE))
  if (!use_apt) {
    msg <- paste0(deb, " (", why, ") is not installed and apt-get cannot be used here",
                  if (!is_root && have_apt) " (not root)" else "",
                  ": install it by hand")
    if (required) fail(msg) else say("note: ", msg)
    return(invisible(FALSE))
  }
  say(deb, " (", why, ") is missing")
  apt_update()
  if (is.na(apt_candidate(deb))) {
    if (required) fail("apt has no package ", deb) else say("note: apt has no package ", deb)
    return(invisible(FALSE))
  }
  apt_install(deb)
  if (!present()) {
    if (required) fail("could not install ", deb) else say("note: could not install ", deb)
    return(invisible(FALSE))
  }
  say("installed: ", deb)
  invisible(TRUE)
}

pandoc_present <- function() {
  if (!is.na(installed_version("rmarkdown"))) {
    ok <- tryCatch(rmarkdown::pandoc_available(), error = function(e) FALSE)
    if (isTRUE(ok)) return(TRUE)
    # rmarkdown caches its search; a pandoc installed a moment ago is on PATH
  }
  nzchar(Sys.which("pandoc"))
}
ensure_deb("pandoc", "to build the vignettes", pandoc_present, required = needs_pandoc)

if (check_tools) {
  # R CMD check --as-cran: without qpdf a WARNING, without HTML Tidy a NOTE.
  ensure_deb("qpdf", "for R CMD check --as-cran's PDF size checks",
             function() nzchar(Sys.which(Sys.getenv("R_QPDF", "qpdf"))), required = FALSE)
  ensure_deb("tidy", "HTML Tidy, for R CMD check's HTML manual validation",
             function() nzchar(Sys.which(Sys.getenv("R_TIDYCMD", "tidy"))), required = FALSE)
}

if (dev) {
  python_deb <- function(deb, why) {
    if (have_apt) {
      ensure_deb(deb, why, function() deb_installed(deb))
    } else {
      say("note: no apt-get here; install the Python module for ", deb, " (", why, ") by hand")
    }
  }
  python_deb("python3-numpy", "data-raw/ scripts")
  python_deb("python3-sklearn", "bench/ comparisons")
}

invisible(TRUE)
