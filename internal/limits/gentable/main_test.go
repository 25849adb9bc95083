package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/eksnet/eksnet/internal/limits"
)

// The checked-in embedded_table.go is what gentable writes from the JSON
// file: editing one without the other fails here (run go generate ./internal/limits).
func TestGeneratedFileIsCurrent(t *testing.T) {
	data, err := os.ReadFile("../../../data/instance-limits.json")
	if err != nil {
		t.Fatal(err)
	}
	table, err := limits.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Source(table)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../embedded_table.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("internal/limits/embedded_table.go is stale: run go generate ./internal/limits")
	}
}
