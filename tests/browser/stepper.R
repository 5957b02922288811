# Drives gmm_stepper() in headless Chromium (through chromote): two clicks, Fit, steps; screenshots to PNG.
#
# Run by `make stepper-test`, never by R CMD check (tests/browser is build-ignored).
# Needs gmmem, shiny and chromote on the library path and Debian's chromium.
# Environment: STEPPER_PORT (8765), STEPPER_SHOTS (directory for the PNGs,
# ./stepper-shots), STEPPER_TIME_LIMIT (seconds, 240). Exits non-zero on failure.

port <- as.integer(Sys.getenv("STEPPER_PORT", "8765"))
shots <- Sys.getenv("STEPPER_SHOTS", "stepper-shots")
limit <- as.numeric(Sys.getenv("STEPPER_TIME_LIMIT", "240"))
started <- Sys.time()
say <- function(...) cat(sprintf("[%5.1f s] ", as.numeric(Sys.time() - started, units = "secs")), ..., "\n", sep = "")

chromium <- Sys.which("chromium")
if (!nzchar(chromium)) stop("chromium is not on PATH (apt-get install chromium).", call. = FALSE)
for (pkg in c("gmmem", "shiny", "chromote", "processx")) {
  if (!requireNamespace(pkg, quietly = TRUE)) stop("the ", pkg, " package is not installed.", call. = FALSE)
}
dir.create(shots, showWarnings = FALSE, recursive = TRUE)

app <- NULL
browser <- NULL
profile <- tempfile("stepper-chromium-")
# Whatever happens, the app and the browser go with this script.
cleanup <- function() {
  if (!is.null(browser)) try(browser$close(), silent = TRUE)
  if (!is.null(app) && app$is_alive()) app$kill_tree()
  unlink(profile, recursive = TRUE)
}

main <- function() {
  # The app in its own R process, so this one is free to drive the browser.
  app_log <- file.path(shots, "app.log")
  app <<- processx::process$new(
    file.path(R.home("bin"), "Rscript"),
    c("-e", sprintf("shiny::runApp(gmmem::gmm_stepper(), host = '127.0.0.1', port = %d, launch.browser = FALSE)", port)),
    stdout = app_log, stderr = "2>&1", supervise = TRUE)
  url <- sprintf("http://127.0.0.1:%d/", port)
  wait_until(function() {
    if (!app$is_alive()) stop("the app stopped; see ", app_log, call. = FALSE)
    !inherits(try(suppressWarnings(readLines(url, n = 1L, warn = FALSE)), silent = TRUE), "try-error")
  }, 60, "the app to answer")
  say("app up at ", url)

  args <- c("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", paste0("--user-data-dir=", profile), "--window-size=1400,900")
  chrome <- chromote::Chrome$new(path = chromium, args = args) # chromote adds --headless and the debugging port
  browser <<- chromote::Chromote$new(browser = chrome)
  b <- browser$new_session(width = 1400, height = 900)
  b$Page$navigate(url)
  js <- function(expr) b$Runtime$evaluate(expr, returnByValue = TRUE)$result$value
  status <- function() js("document.getElementById('status').innerText")
  wait_status <- function(pattern, what) {
    wait_until(function() grepl(pattern, status() %||% ""), 30, what)
    Sys.sleep(1) # the plots render after the status line; let them land before a screenshot
    say(what, ": \"", status(), "\"")
  }
  wait_until(function() isTRUE(js("!!(window.Shiny && Shiny.shinyapp && Shiny.shinyapp.isConnected() &&
                                     document.querySelector('#path img'))")), 30, "Shiny to connect and draw")
  wait_status("^0 of 2 means placed", "page loaded")

  # Real mouse events at points of the plot image, as a person clicks.
  mouse_click <- function(x, y) {
    b$Input$dispatchMouseEvent(type = "mouseMoved", x = x, y = y)
    b$Input$dispatchMouseEvent(type = "mousePressed", x = x, y = y, button = "left", clickCount = 1)
    b$Input$dispatchMouseEvent(type = "mouseReleased", x = x, y = y, button = "left", clickCount = 1)
  }
  rect <- function(selector) {
    js(sprintf("(function(r){return [r.left, r.top, r.width, r.height];})(document.querySelector('%s').getBoundingClientRect())",
               selector))
  }
  press <- function(id) {
    r <- unlist(rect(paste0("#", id)))
    mouse_click(r[1] + r[3] / 2, r[2] + r[4] / 2)
  }
  img <- unlist(rect("#path img"))
  mouse_click(img[1] + 0.30 * img[3], img[2] + 0.30 * img[4]) # upper left: near the handout's (-2, 2)
  wait_status("^1 of 2 means placed", "first click")
  mouse_click(img[1] + 0.70 * img[3], img[2] + 0.70 * img[4]) # lower right: near (2, -2)
  wait_status("^2 of 2 means placed", "second click")
  placed <- as.numeric(regmatches(status(), gregexpr("-?[0-9]+\\.[0-9]+", status()))[[1]])
  if (!(placed[1] < 0 && placed[2] > 0 && placed[3] > 0 && placed[4] < 0)) {
    stop("the clicks did not land where aimed: ", status(), call. = FALSE)
  }
  b$screenshot(file.path(shots, "1-means-placed.png"), show = FALSE)

  press("fit")
  wait_status("^Iteration 0 of 100", "Fit")
  b$screenshot(file.path(shots, "2-fitted-iteration-0.png"), show = FALSE)
  for (i in 1:3) {
    press("step")
    wait_status(sprintf("^Iteration %d of 100", i), paste("step", i))
  }
  slider <- js("$('#t').data('ionRangeSlider').result.from")
  if (!identical(as.integer(slider), 3L)) stop("the slider shows ", slider, ", not iteration 3.", call. = FALSE)
  b$screenshot(file.path(shots, "3-iteration-3.png"), show = FALSE)
  press("back")
  wait_status("^Iteration 2 of 100", "back")
  press("rewind")
  wait_status("^Iteration 0 of 100", "rewind")
  js("$('#t').data('ionRangeSlider').update({from: 40}); $('#t').trigger('change'); true")
  wait_status("^Iteration 40 of 100", "slider to 40")
  b$screenshot(file.path(shots, "4-iteration-40.png"), show = FALSE)
  say("screenshots in ", normalizePath(shots))
}

`%||%` <- function(a, b) if (is.null(a)) b else a

wait_until <- function(ok, seconds, what) {
  end <- Sys.time() + seconds
  while (Sys.time() < end) {
    if (isTRUE(ok())) return(invisible(TRUE))
    Sys.sleep(0.2)
  }
  stop("timed out after ", seconds, " s waiting for ", what, ".", call. = FALSE)
}

result <- tryCatch({
  setTimeLimit(elapsed = limit, transient = TRUE)
  main()
  TRUE
}, error = function(e) {
  say("FAILED: ", conditionMessage(e))
  FALSE
}, finally = {
  setTimeLimit()
  cleanup()
})
say(if (result) "stepper browser test: OK" else "stepper browser test: FAILED")
quit(status = if (result) 0L else 1L)
