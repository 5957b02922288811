#!/usr/bin/env bash
# Builds gmmem with AddressSanitizer + UndefinedBehaviorSanitizer and runs its tests and examples under them.
#
# Usage:  tools/sanitize.sh [--valgrind] [--keep]      (or: make sanitize)
#
# Works on a private copy of the repository in a scratch directory (nothing in
# the working tree is built or changed):
#   1. compiles the package with gcc's -fsanitize=address,undefined,float-cast-overflow
#      -fno-omit-frame-pointer (flags given through a private Makevars file passed
#      as R_MAKEVARS_USER, so ~/.R/Makevars is left alone), into a private library;
#   2. checks that the sanitizers are live: the shared object carries ASan's
#      hooks, and a planted signed overflow and heap overflow in a throw-away
#      shared object loaded into R the same way are both reported;
#   3. runs tests/testthat (NOT_CRAN=true: every test, the fuzzer and its child R
#      processes included), the examples of every help page and demo/, with
#      LD_PRELOAD of gcc's libasan and libubsan (R itself is not instrumented,
#      and ASan's runtime must be loaded before anything else);
#   4. prints a summary: the sanitizer reports (ASan's are files in <dir>/logs,
#      UBSan's go to the R output), the testthat counts, and exits non-zero on
#      any report or when a run did not finish. Test failures alone do not
#      fail it: `make check` is for those.
#
# --valgrind  no ASan: an ordinary build, and the tests under valgrind memcheck
#             (R -d valgrind); slow (about 30x), for machines without libasan.
#             Child R processes that tests start are not under valgrind.
# --keep      keep the scratch directory (its path is printed either way).
#
# Environment: R, RSCRIPT (the R to use), CC/CXX (default gcc/g++),
# SANITIZE_DIR (scratch directory; default a new one under $TMPDIR or /tmp),
# SANITIZE_TESTS (a testthat filter, e.g. "robustness|fuzz"; default: all).
# Installs what is missing: the R packages DESCRIPTION names (tools/install-deps.R),
# and, as root on Debian/Ubuntu, gcc's sanitizer runtimes or valgrind (tools/apt-install.sh).

set -uo pipefail

mode=asan
keep=false
for arg in "$@"; do
  case "$arg" in
    --valgrind) mode=valgrind ;;
    --keep) keep=true ;;
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "sanitize: unknown option '$arg' (see --help)" >&2; exit 2 ;;
  esac
done

R=${R:-R}
RSCRIPT=${RSCRIPT:-Rscript}
CC=${CC:-gcc}
CXX=${CXX:-g++}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pkg=$(sed -n 's/^Package:[[:space:]]*//p' "$root/DESCRIPTION" | tr -d '[:space:]')
work=${SANITIZE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/$pkg-sanitize.XXXXXX")}
mkdir -p "$work/logs" "$work/lib"
say() { echo "sanitize: $*"; }
die() { echo "sanitize: ERROR: $*" >&2; exit 1; }
say "mode $mode, scratch directory $work"

apt_install() { bash "$root/tools/apt-install.sh" "$@"; }

# ---- tools and dependencies ---------------------------------------------------

command -v "$R" >/dev/null 2>&1 || die "R not found (set R=/path/to/R)"
if [ "$mode" = asan ]; then
  command -v "$CXX" >/dev/null 2>&1 || apt_install g++ || die "$CXX not found"
  libasan=$("$CXX" -print-file-name=libasan.so)
  libubsan=$("$CXX" -print-file-name=libubsan.so)
  if [ ! -e "$libasan" ] || [ ! -e "$libubsan" ]; then
    gcc_major=$("$CXX" -dumpversion | cut -d. -f1)
    apt_install "libgcc-$gcc_major-dev" || true
    libasan=$("$CXX" -print-file-name=libasan.so)
    libubsan=$("$CXX" -print-file-name=libubsan.so)
  fi
  [ -e "$libasan" ] && [ -e "$libubsan" ] ||
    die "$CXX has no libasan.so/libubsan.so; install them or run tools/sanitize.sh --valgrind"
  libasan=$(readlink -f "$libasan")
  libubsan=$(readlink -f "$libubsan")
else
  command -v valgrind >/dev/null 2>&1 || apt_install valgrind || die "valgrind not found"
fi
(cd "$root" && "$RSCRIPT" tools/install-deps.R) || die "could not install the R packages DESCRIPTION names"

# ---- a private copy and a sanitizer build -------------------------------------

src="$work/$pkg"
rm -rf "$src" && mkdir -p "$src"
(cd "$root" && tar --exclude=./.git --exclude=./.lib --exclude=./check --exclude="./$pkg.Rcheck" \
   --exclude='./src/*.o' --exclude='./src/*.so' -cf - .) | tar -xf - -C "$src" ||
  die "could not copy $root"

makevars="$work/Makevars"
if [ "$mode" = asan ]; then
  san="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer"
  cat > "$makevars" <<EOF
CC = $CC
CXX = $CXX
CXX11 = $CXX
CXX14 = $CXX
CXX17 = $CXX
CXX20 = $CXX
CFLAGS = -g -O1 $san
CXXFLAGS = -g -O1 $san
CXX11FLAGS = -g -O1 $san
CXX14FLAGS = -g -O1 $san
CXX17FLAGS = -g -O1 $san
CXX20FLAGS = -g -O1 $san
LDFLAGS = -fsanitize=address,undefined,float-cast-overflow
EOF
else
  printf 'CXXFLAGS = -g -O1\nCXX14FLAGS = -g -O1\nCXX17FLAGS = -g -O1\n' > "$makevars"
fi

say "building $pkg in $work (a few minutes: Eigen)"
# --no-test-load: loading the instrumented library needs the LD_PRELOAD below.
if ! R_MAKEVARS_USER="$makevars" "$R" CMD INSTALL --no-multiarch --preclean --no-test-load \
     --library="$work/lib" "$src" > "$work/install.log" 2>&1; then
  tail -n 30 "$work/install.log"
  die "the build failed (full log: $work/install.log)"
fi
so="$work/lib/$pkg/libs/$pkg.so"

# ---- the run environment ------------------------------------------------------

libs="$work/lib${R_LIBS:+:$R_LIBS}"
run_env=(R_LIBS="$libs" NOT_CRAN=true R_TESTS= _R_CHECK_FORCE_SUGGESTS_=false)
if [ "$mode" = asan ]; then
  grep -q __asan_report "$so" 2>/dev/null || nm -D "$so" 2>/dev/null | grep -q __asan ||
    die "$so is not instrumented (were the flags in $makevars used? see $work/install.log)"
  # detect_leaks=0: R keeps memory until exit by design, so LeakSanitizer only
  # reports R. allocator_may_return_null=1: an impossible allocation (the fuzzer
  # asks for some) becomes std::bad_alloc, an R error, as without ASan.
  # Any report stops the process (halt_on_error, for UBSan too), so a bug in a
  # child R process (the fuzzer's, the interrupt test's) fails its test as well.
  # Where reports go, as gcc 12's runtimes do it: ASan's to the log_path of
  # UBSAN_OPTIONS (logs/san.<pid>), UBSan's to stderr (tests.log, examples.log
  # or a child's output). The summary reads both.
  run_env+=(
    LD_PRELOAD="$libasan $libubsan"
    ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1:halt_on_error=1:detect_stack_use_after_return=0:log_path=$work/logs/san"
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$work/logs/san"
  )

  # Self-check: the same set-up must report a planted signed overflow (UBSan)
  # and a planted heap overflow (ASan) in a shared object loaded into R.
  cat > "$work/planted.c" <<'PLANTED'
#include <limits.h>
#include <stdlib.h>
void planted_signed_overflow(int *n) {
  int big = INT_MAX - 2;
  n[0] = big + *n;          /* *n = 4 */
}
void planted_heap_overflow(int *n) {
  int *p = malloc(4 * sizeof(int));
  p[*n] = 1;                /* *n = 4: one past the end */
  free(p);
}
PLANTED
  "$CC" -shared -fPIC -g -O0 -fsanitize=address,undefined -fno-omit-frame-pointer \
    -o "$work/planted.so" "$work/planted.c" 2>"$work/planted.log" || die "cannot compile the self-check"
  mkdir -p "$work/planted-logs"
  for bug in signed_overflow heap_overflow; do
    env "${run_env[@]}" ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:log_path=$work/planted-logs/san" \
      UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$work/planted-logs/san" \
      "$RSCRIPT" --vanilla -e "dyn.load('$work/planted.so'); invisible(.C('planted_$bug', 4L))" \
      > "$work/planted-logs/$bug.out" 2>&1
  done
  if cat "$work"/planted-logs/* | grep -q "runtime error: signed integer overflow" &&
     cat "$work"/planted-logs/* | grep -q "ERROR: AddressSanitizer: heap-buffer-overflow"; then
    say "self-check: UBSan and ASan reported the planted signed overflow and heap overflow"
  else
    die "self-check failed: the sanitizers did not report the planted bugs (see $work/planted-logs)"
  fi
  rm -rf "$work/planted-logs"
fi

# ---- the tests, the examples and the demo -------------------------------------

cat > "$work/run-tests.R" <<EOF
filter <- Sys.getenv("SANITIZE_TESTS")
res <- testthat::test_dir("tests/testthat", package = "$pkg", load_package = "installed",
                          filter = if (nzchar(filter)) filter else NULL,
                          reporter = testthat::ProgressReporter\$new(show_praise = FALSE),
                          stop_on_failure = FALSE)
df <- as.data.frame(res)
cat(sprintf("testthat: %d passed, %d failed, %d errors, %d skipped, %d warnings\n",
            sum(df\$passed), sum(df\$failed), sum(df\$error), sum(df\$skipped), sum(df\$warning)))
EOF
cat > "$work/run-examples.R" <<EOF
library($pkg)
grDevices::pdf(NULL)
db <- tools::Rd_db("$pkg")
for (rd in names(db)) {
  ex <- tempfile(fileext = ".R")
  tools::Rd2ex(db[[rd]], ex)
  if (!file.exists(ex)) next
  cat("example:", rd, "\n")
  res <- tryCatch({ source(ex, echo = FALSE, local = new.env()); "ok" }, error = function(e) conditionMessage(e))
  if (!identical(res, "ok")) cat("  EXAMPLE ERROR:", res, "\n")
}
for (demo in list.files("demo", pattern = "[.]R$", full.names = TRUE)) {
  cat("demo:", demo, "\n")
  res <- tryCatch({ utils::capture.output(source(demo, local = new.env())); "ok" },
                  error = function(e) conditionMessage(e))
  if (!identical(res, "ok")) cat("  EXAMPLE ERROR:", res, "\n")
}
cat("examples: done\n")
EOF

status=0
run_r() {  # run_r <log> <script>
  if [ "$mode" = asan ]; then
    (cd "$src" && env "${run_env[@]}" "$RSCRIPT" --vanilla "$2") > "$1" 2>&1
  else
    (cd "$src" && env "${run_env[@]}" "$R" --vanilla --no-echo -d \
      "valgrind --tool=memcheck --track-origins=yes --error-exitcode=0 --log-file=$work/logs/valgrind.%p" \
      -f "$2") > "$1" 2>&1
  fi
}
say "running the tests (log: $work/tests.log)"
run_r "$work/tests.log" "$work/run-tests.R" || status=$?
say "running the examples and demos (log: $work/examples.log)"
run_r "$work/examples.log" "$work/run-examples.R" || status=$((status ? status : $?))

# ---- summary ------------------------------------------------------------------

echo
echo "==== sanitize summary ($mode, $(date -u '+%Y-%m-%d %H:%M UTC')) ===="
echo "R: $("$R" --version | head -n 1)"
if [ "$mode" = asan ]; then
  echo "compiler: $("$CXX" --version | head -n 1); flags: $san"
  files=$(ls "$work"/logs/san.* 2>/dev/null | wc -l)
  # Reports are in logs/san.<pid> or in the R output (stderr): count both.
  asan_reports=$(cat "$work"/logs/san.* "$work/tests.log" "$work/examples.log" 2>/dev/null |
                 grep -c "ERROR: AddressSanitizer")
  ubsan_lines=$(cat "$work"/logs/san.* "$work/tests.log" "$work/examples.log" 2>/dev/null |
                grep -c "runtime error:")
  echo "sanitizer log files (one per process that wrote any): $files"
  echo "AddressSanitizer errors: $asan_reports"
  cat "$work"/logs/san.* "$work/tests.log" "$work/examples.log" 2>/dev/null |
    grep -E "ERROR: AddressSanitizer|SUMMARY: AddressSanitizer" | head -n 20
  echo "UndefinedBehaviorSanitizer runtime errors: $ubsan_lines"
  cat "$work"/logs/san.* "$work/tests.log" "$work/examples.log" 2>/dev/null | grep "runtime error:" |
    sort | uniq -c | head -n 20
  reports=$((asan_reports + ubsan_lines))
else
  reports=0
  for f in "$work"/logs/valgrind.*; do
    [ -f "$f" ] || continue
    n=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$f" | tail -n 1)
    reports=$((reports + ${n:-0}))
  done
  echo "valgrind memcheck errors (all processes): $reports"
  grep -h "ERROR SUMMARY" "$work"/logs/valgrind.* 2>/dev/null | sort | uniq -c
fi
grep -h "^testthat:" "$work/tests.log" || echo "testthat: no summary (the R process died: see $work/tests.log)"
grep -h "^  EXAMPLE ERROR" "$work/examples.log" || true
grep -q "^examples: done" "$work/examples.log" || echo "examples: did not finish (see $work/examples.log)"
echo "logs: $work/tests.log, $work/examples.log, $work/logs/"

if [ "$reports" -gt 0 ]; then
  echo "sanitize: FAILED ($reports sanitizer report(s))"
  status=1
elif ! grep -q "^testthat:" "$work/tests.log" || ! grep -q "^examples: done" "$work/examples.log"; then
  echo "sanitize: FAILED (a run did not finish)"
  status=1
else
  echo "sanitize: OK (no sanitizer reports; test failures, if any, are listed above)"
  status=0
fi
if [ "$keep" = false ] && [ "$status" -eq 0 ] && [ -z "${SANITIZE_DIR:-}" ]; then
  rm -rf "$src" "$work/lib"
  echo "(build removed; logs kept in $work)"
fi
exit "$status"
