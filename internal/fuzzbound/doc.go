// Package fuzzbound holds the time bound fuzz targets assert per input, so
// that a parser with super-linear paths fails under `make fuzz`. The bound
// is checked only when EKSNET_FUZZ_TIME_BOUND is set (the Makefile's fuzz
// target sets it): the default `go test ./...` makes no wall-clock
// assertion, since a loaded CI machine would make it flaky.
package fuzzbound
