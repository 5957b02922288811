library(testthat)
library(gmmem)

test_check("gmmem")
