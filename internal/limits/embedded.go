package limits

//go:generate go run ./gentable -in ../../data/instance-limits.json -out embedded_table.go

// Embedded returns the table compiled into the binary: data/instance-limits.json
// as generated Go (embedded_table.go), so that it costs nothing at start; a
// test holds it equal to Parse of the JSON file, which validates it. The
// error is always nil, and stays for the Source interface's sake.
func Embedded() (*Table, error) {
	return &Table{header: embeddedHeader, instances: embeddedInstances}, nil
}
