# gmmem: developer targets.
#
#   make deps       install the R packages that DESCRIPTION asks for
#   make deps-dev   the same plus roxygen2 and python3-numpy (data-raw/)
#   make deps-bench the same plus the benchmark peers (mclust, mixtools, Rmixmod, mixture, scikit-learn)
#   make demo       install into ./.lib and print the handout example
#   make test       install into ./.lib and run tests/testthat against it (quick)
#   make check      R CMD build + R CMD check --as-cran in ./check (what CI runs)
#   make bench      install into ./.lib and run bench/bench.R (speed and memory against the peers)
#   make sanitize   ASan + UBSan build in a scratch copy; tests, examples and demo under it (~5 min)
#   make document   Rcpp::compileAttributes() + roxygen2::roxygenise()
#   make stepper-test  gmm_stepper() driven in headless Chromium; screenshots in ./stepper-shots (not in CI)
#   make tidyclust-test  the tidyclust engine against tidyclust's mclust engine; tidyclust into ./.tidyclust-lib (not in CI)
#   make clean      remove everything the targets above made
#
# R and Rscript can be overridden: make check R=/opt/R/bin/R RSCRIPT=/opt/R/bin/Rscript

R       ?= R
RSCRIPT ?= Rscript

PKG      := $(shell sed -n 's/^Package:[[:space:]]*//p' DESCRIPTION | tr -d '[:space:]')
VERSION  := $(shell sed -n 's/^Version:[[:space:]]*//p' DESCRIPTION | tr -d '[:space:]')
TARBALL  := $(PKG)_$(VERSION).tar.gz
LIB      := $(CURDIR)/.lib
CHECKDIR := check

# Put the project-local library first, keeping whatever R_LIBS the caller had,
# so packages installed by `make deps` (site or user library) stay visible.
WITH_LIB := R_LIBS="$(LIB)$${R_LIBS:+:$$R_LIBS}"

# The PDF reference manual. R CMD check builds it with pdflatex and the
# inconsolata font (zi4.sty or inconsolata.sty). A fresh CI machine has no TeX,
# and there that step ends the check in an ERROR about LaTeX, not about the
# package. So the manual is checked only where LaTeX can build it: --no-manual
# unless pdflatex is on PATH and kpsewhich finds the font. The HTML manual
# (validated with HTML Tidy, which `make check` installs) is checked either way.
# Override with `make check MANUAL=` (force the PDF manual) or MANUAL=--no-manual.
HAVE_LATEX := $(shell command -v pdflatex >/dev/null 2>&1 && \
                { kpsewhich zi4.sty || kpsewhich inconsolata.sty; } 2>/dev/null)
MANUAL ?= $(if $(HAVE_LATEX),,--no-manual)

# Checks that need the network are off (CI has none but the package registries):
# the CRAN incoming checks query CRAN and the URLs in the docs; the
# future-file-timestamps check asks a time server. --as-cran switches that last
# one back on whatever _R_CHECK_FUTURE_FILE_TIMESTAMPS_ says, and then only
# _R_CHECK_SYSTEM_CLOCK_=false keeps it off the network (it compares the files
# with the local clock instead of ending in "NOTE: unable to verify current time").
#
# tools/check.Makevars drops R's default -g for the check's build (see there).
#
# tidyclust and modelenv are in Enhances (gmmem adds an engine to tidyclust's registry in
# modelenv), which `make deps` does not install: they take minutes of CRAN builds, and only
# `make tidyclust-test` needs them. The check is told not to ask for them. (As Suggests they
# would need _R_CHECK_FORCE_SUGGESTS_=false, and then --as-cran's orphaned-package check
# downloads CRAN's web/packages/packages.rds for them, which this network does not reach.)
CHECK_ENV := R_MAKEVARS_USER=$(CURDIR)/tools/check.Makevars \
             _R_CHECK_PACKAGE_DEPENDS_IGNORE_MISSING_ENHANCES_=true \
             _R_CHECK_FUTURE_FILE_TIMESTAMPS_=false \
             _R_CHECK_SYSTEM_CLOCK_=false \
             _R_CHECK_CRAN_INCOMING_=false \
             _R_CHECK_CRAN_INCOMING_REMOTE_=false

# What an installed copy in .lib is made from; it is reinstalled when any changes
# (headers under inst/include included: R's own build does not track them, hence
# --preclean).
PKG_SOURCES := $(shell find DESCRIPTION NAMESPACE R src inst -type f \
                 -not -name '*.o' -not -name '*.so' -not -name '*.dll' 2>/dev/null)
INSTALLED   := $(LIB)/$(PKG)/DESCRIPTION

.DEFAULT_GOAL := help
.PHONY: help deps deps-dev deps-check deps-bench install demo test check bench sanitize document stepper-test tidyclust-test clean

help:
	@sed -n 's/^#   make /make /p' $(firstword $(MAKEFILE_LIST))

deps:
	$(RSCRIPT) tools/install-deps.R

deps-dev:
	$(RSCRIPT) tools/install-deps.R --dev

# deps plus qpdf and HTML Tidy, without which R CMD check --as-cran ends in a
# WARNING and a NOTE, and pandoc for the vignettes
deps-check:
	$(RSCRIPT) tools/install-deps.R --check

# Only for `make bench`, never for CI. A peer that does not install is left out
# (bench/bench.R runs the peers it finds), so its failure does not stop the bench.
# The peers go into a private library (.bench-lib), never the machine's site
# library, where a newer Rcpp pulled in by a peer would change what every build uses.
BENCH_LIB      := $(CURDIR)/.bench-lib
WITH_BENCH_LIB := R_LIBS="$(BENCH_LIB)$${R_LIBS:+:$$R_LIBS}"

deps-bench:
	@mkdir -p $(BENCH_LIB)
	-$(WITH_BENCH_LIB) $(RSCRIPT) tools/install-deps.R --bench

install: $(INSTALLED)

$(INSTALLED): $(PKG_SOURCES) | deps
	@mkdir -p $(LIB)
	$(WITH_LIB) $(R) CMD INSTALL --no-multiarch --preclean --clean --library=$(LIB) .

# The handout example: R's own demo/ directory, so demo("handout", package =
# "gmmem") runs it too.
DEMO_SCRIPT ?= demo/handout.R

demo: install
	$(WITH_LIB) $(RSCRIPT) $(DEMO_SCRIPT)

# Like devtools::test(): NOT_CRAN=true, so skip_on_cran() tests run too
# (`make check` runs the tests as CRAN would; `NOT_CRAN=true make check` runs all).
test: install
	$(WITH_LIB) NOT_CRAN=true $(RSCRIPT) -e 'testthat::test_dir("tests/testthat", package = "$(PKG)", load_package = "installed", stop_on_failure = TRUE)'

check: deps-check
	@rm -rf $(CHECKDIR) && mkdir -p $(CHECKDIR)
	cd $(CHECKDIR) && $(R) CMD build $(CURDIR)
	@cd $(CHECKDIR) || exit 1; \
	echo "$(CHECK_ENV) $(R) CMD check --as-cran $(MANUAL) $(TARBALL)"; \
	$(CHECK_ENV) $(R) CMD check --as-cran $(MANUAL) $(TARBALL); \
	status=$$?; \
	rcheck=$(PKG).Rcheck; \
	tests_out=; \
	for f in $$rcheck/tests/testthat.Rout.fail $$rcheck/tests/testthat.Rout; do \
	  if [ -f "$$f" ]; then tests_out=$$f; break; fi; \
	done; \
	echo; \
	if [ -n "$$tests_out" ]; then \
	  echo "---- tail of $(CHECKDIR)/$$tests_out ----"; \
	  tail -n 40 "$$tests_out"; \
	  echo "----"; \
	else \
	  echo "---- no tests output ($(CHECKDIR)/$$rcheck/tests/testthat.Rout*) ----"; \
	fi; \
	summary=$$(grep '^Status:' "$$rcheck/00check.log" 2>/dev/null | tail -n 1); \
	[ -n "$$summary" ] || summary="Status: unknown (no $(CHECKDIR)/$$rcheck/00check.log)"; \
	echo "R CMD check exit code $$status; $$summary"; \
	echo "full log: $(CHECKDIR)/$$rcheck/00check.log"; \
	if [ $$status -ne 0 ] || ! echo "$$summary" | grep -q '^Status:' || \
	   echo "$$summary" | grep -Eq 'ERROR|WARNING|unknown'; then \
	  echo "make check: FAILED"; exit 1; \
	fi; \
	echo "make check: OK"
	@# the checked library runs no SIMD copy of a function the portable code shares (see the script)
	sh tools/check-kernel-symbols.sh $(CHECKDIR)/$(PKG).Rcheck/$(PKG)/libs/$(PKG).so

# Speed and memory against mclust, mixtools and scikit-learn (bench/bench.R).
bench: install deps-bench
	R_LIBS="$(LIB):$(BENCH_LIB)$${R_LIBS:+:$$R_LIBS}" $(RSCRIPT) bench/bench.R

# Memory safety: gmmem built with gcc's AddressSanitizer and UndefinedBehaviorSanitizer in a
# scratch copy, the test suite, examples and demo run under it. Not part of `make check`.
# SANITIZE_FLAGS=--valgrind uses valgrind memcheck instead; --keep keeps the scratch directory.
sanitize:
	R="$(R)" RSCRIPT="$(RSCRIPT)" bash tools/sanitize.sh $(SANITIZE_FLAGS)

document: deps-dev
	$(RSCRIPT) -e 'Rcpp::compileAttributes(); roxygen2::roxygenise(load_code = "source")'

# The stepper app in a real browser: tests/browser/stepper.R starts it on 127.0.0.1:8765 and drives
# Debian's chromium (headless) through chromote. Not part of `make check` or CI. Installs what is
# missing: chromium with apt (as root), chromote and its dependencies into ./.browser-lib (never
# machine-wide). `timeout` bounds the whole run; the script also stops the app and browser itself.
BROWSER_LIB := $(CURDIR)/.browser-lib

stepper-test: install
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } || \
	  { echo "make stepper-test: chromium is missing and cannot be installed here (needs root and apt-get)"; exit 1; }
	@mkdir -p $(BROWSER_LIB)
	R_LIBS_USER=$(BROWSER_LIB) $(RSCRIPT) -e 'if (!requireNamespace("chromote", quietly = TRUE)) install.packages("chromote", lib = Sys.getenv("R_LIBS_USER"), repos = "https://cloud.r-project.org")'
	R_LIBS="$(LIB):$(BROWSER_LIB)$${R_LIBS:+:$$R_LIBS}" timeout 300 $(RSCRIPT) tests/browser/stepper.R

# The tidyclust engine (R/tidyclust_engine.R) tested against tidyclust's own mclust engine. Not part
# of `make check` or CI: tidyclust needs newer tidymodels packages than Debian ships, built from CRAN
# source into ./.tidyclust-lib (packages missing altogether come machine-wide from Debian's r-cran-*, as with `make deps`)
# by tools/install-tidyclust.R, once: the library stays until `make clean`.
TIDYCLUST_LIB := $(CURDIR)/.tidyclust-lib

$(TIDYCLUST_LIB)/tidyclust/DESCRIPTION:
	$(RSCRIPT) tools/install-tidyclust.R $(TIDYCLUST_LIB)

# TZ: without it, loading the tidymodels packages asks timedatectl for the time zone, which warns
# on a machine without systemd.
tidyclust-test: install $(TIDYCLUST_LIB)/tidyclust/DESCRIPTION
	R_LIBS="$(LIB):$(TIDYCLUST_LIB)$${R_LIBS:+:$$R_LIBS}" TZ="$${TZ:-UTC}" NOT_CRAN=true $(RSCRIPT) -e 'testthat::test_file("tests/testthat/test-tidyclust.R", package = "$(PKG)", load_package = "installed", stop_on_failure = TRUE)'

clean:
	rm -rf .lib .bench-lib .browser-lib .tidyclust-lib stepper-shots $(CHECKDIR) $(PKG).Rcheck $(PKG)_*.tar.gz
	rm -f src/*.o src/*.so src/*.dll src/symbols.rds
