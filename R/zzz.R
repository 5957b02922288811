# What loading the package sets up: the tidyclust engine, when tidyclust is there.

.onLoad <- function(libname, pkgname) {
  hook_tidyclust_engine()
}
