#!/usr/bin/env Rscript
# Installs what DESCRIPTION asks for and, by option, the tools around the package.
#
# Usage:  Rscript tools/install-deps.R [--dev] [--check] [--bench] [path/to/DESCRIPTION]
#
#   always   Depends, Imports, LinkingTo and Suggests, at least at their ">=" versions
#   --dev    roxygen2 (make document), python3-numpy (data-raw/)
#   --check  qpdf and HTML Tidy, without which R CMD check --as-cran gives a WARNING
#            and a NOTE; pandoc for the vignettes
#   --bench  the benchmark peers: mclust, mixtools, Rmixmod, mixture (and libgsl-dev,
#            which mixture's CRAN build needs), python3-sklearn, python3-numpy; never CI
#
# As root with apt-get, R packages come from Debian's r-cran-<name> first (through
# tools/apt-install.sh, which also brings the system tools); what apt lacks, or has
# too old, comes from CRAN into the first writable library. Prints one line per
# action, nothing when all is present; exits 1 naming what could not be installed.

say <- function(...) cat("install-deps: ", ..., "\n", sep = "")
fail <- function(...) { say(...); quit(status = 1) }

args <- commandArgs(trailingOnly = TRUE)
script <- sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))
if ("--help" %in% args) {
  head <- readLines(script)
  writeLines(sub("^# ?", "", head[2:(which(!startsWith(head, "#"))[1] - 1)]))
  quit()
}
opts <- c("--dev", "--check", "--bench")
unknown <- setdiff(grep("^-", args, value = TRUE), opts)
if (length(unknown)) fail("unknown option ", unknown[[1]], " (known: ", paste(opts, collapse = " "), ")")
dev <- "--dev" %in% args
check <- "--check" %in% args
bench <- "--bench" %in% args
desc <- c(args[!startsWith(args, "-")], "DESCRIPTION")[[1]]
if (!file.exists(desc)) fail("no DESCRIPTION file at ", desc)
apt_helper <- file.path(dirname(script), "apt-install.sh")

# "name (>= 1.0)" entries; a package named twice keeps its highest minimum.
specs <- read.dcf(desc, fields = c("Depends", "Imports", "LinkingTo", "Suggests"))
specs <- trimws(unlist(strsplit(specs[!is.na(specs)], ",")))
specs <- specs[nzchar(specs)]
pkgs <- sub("\\s*\\(.*", "", specs)
mins <- ifelse(grepl(">=", specs), sub(".*>=\\s*([0-9.-]+).*", "\\1", specs), "0.0")
extra <- c(if (dev) "roxygen2", if (bench) c("mclust", "mixtools", "Rmixmod", "mixture"))
mins <- c(mins, rep("0.0", length(extra)))
pkgs <- c(pkgs, extra)
mins <- tapply(mins, pkgs, function(v) as.character(max(package_version(v))))
mins <- mins[names(mins) != "R"]

label <- function(p) if (mins[[p]] == "0.0") p else sprintf("%s (>= %s)", p, mins[[p]])
lacking <- function(p) {
  have <- suppressWarnings(utils::packageDescription(p, fields = "Version"))
  is.na(have) || package_version(have) < mins[[p]]
}

# System packages: a command on PATH, or a module of Debian's /usr/bin/python3
# (bench/ and data-raw/ call that one, whatever python3 comes first on PATH).
commands <- c(if (check) c(qpdf = Sys.getenv("R_QPDF", "qpdf"), tidy = Sys.getenv("R_TIDYCMD", "tidy"),
                           pandoc = "pandoc"),
              if (bench) c("libgsl-dev" = "gsl-config"))
modules <- c(if (dev || bench) c("python3-numpy" = "numpy"), if (bench) c("python3-sklearn" = "sklearn"))
no_module <- function(m) {
  suppressWarnings(system2("/usr/bin/python3", c("-c", shQuote(paste("import", m))),
                           stdout = FALSE, stderr = FALSE)) != 0
}
sys_lacking <- function() {
  c(names(commands)[!nzchar(Sys.which(commands))], names(modules)[vapply(modules, no_module, NA)])
}

need <- Filter(lacking, names(mins))
sys_need <- sys_lacking()
use_apt <- Sys.info()[["effective_user"]] == "root" && nzchar(Sys.which("apt-get"))
debs <- c(if (use_apt) sprintf("r-cran-%s", tolower(need)), sys_need)
if (length(debs)) system2("bash", shQuote(c(apt_helper, debs)))
need <- Filter(lacking, need)

if (length(need)) {
  libs <- .libPaths()
  lib <- libs[file.access(libs, 2L) == 0L][1]
  if (is.na(lib)) {
    lib <- path.expand(strsplit(Sys.getenv("R_LIBS_USER"), .Platform$path.sep)[[1]][1])
    dir.create(lib, recursive = TRUE, showWarnings = FALSE)
    .libPaths(c(lib, libs))
  }
  say("CRAN: installing ", paste(vapply(need, label, ""), collapse = ", "), " into ", lib)
  # Its warnings (a package that failed to build) are printed now, one line each, but
  # not the one about a mirror without PACKAGES.rds (it falls back to PACKAGES.gz);
  # success is judged below from what is installed.
  tryCatch(withCallingHandlers(
    utils::install.packages(need, lib = lib, repos = "https://cloud.r-project.org", quiet = TRUE),
    warning = function(w) {
      if (!grepl("PACKAGES.rds", conditionMessage(w), fixed = TRUE)) say("CRAN: ", conditionMessage(w))
      invokeRestart("muffleWarning")
    }),
    error = function(e) say("CRAN: ", conditionMessage(e)))
}

left <- c(vapply(Filter(lacking, need), label, ""), if (length(sys_need)) sys_lacking())
if (length(left)) fail("could not install: ", paste(left, collapse = ", "))
