package limits

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"unicode/utf8"
)

// Header describes where a table's facts came from and when.
type Header struct {
	GeneratedAt   string   `json:"generatedAt"`
	InstanceTypes int      `json:"instanceTypes"`
	Sources       []string `json:"sources"`
	Notes         string   `json:"notes,omitempty"`
}

// Table is a validated, read-only set of instance types, looked up by name.
// The instances are sorted by name, so that the embedded table is a static
// slice that costs nothing at start (embedded_table.go) and lookups are a
// binary search.
type Table struct {
	header    Header
	instances []Instance // sorted by name, names unique
}

// file is the on-disk layout of data/instance-limits.json.
type file struct {
	Header    Header              `json:"header"`
	Instances map[string]Instance `json:"instances"`
}

// NewTable builds a table from instances, checking each with Validate and
// refusing a name given twice.
func NewTable(header Header, instances []Instance) (*Table, error) {
	for _, inst := range instances {
		if err := Validate(inst); err != nil {
			return nil, err
		}
	}
	sorted := slices.Clone(instances)
	slices.SortFunc(sorted, func(a, b Instance) int { return strings.Compare(a.Name, b.Name) })
	for i := 1; i < len(sorted); i++ {
		if sorted[i].Name == sorted[i-1].Name {
			return nil, fmt.Errorf("instance type %q appears twice", sorted[i].Name)
		}
	}
	header.InstanceTypes = len(sorted)
	return &Table{header: header, instances: sorted}, nil
}

// Parse decodes and validates a table in the instance-limits.json format.
// It is strict, as a tampered file must not load: valid UTF-8, one JSON
// object with nothing after it, no unknown field (a misspelt key cannot
// silently become zero), no key given twice, and every instance valid.
func Parse(data []byte) (*Table, error) {
	if !utf8.Valid(data) {
		return nil, errors.New("instance table: not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	seen := map[string]bool{}
	err := objectFields(dec, func(key string) error {
		if seen[key] {
			return fmt.Errorf("key %q appears twice", key)
		}
		seen[key] = true
		switch key {
		case "header":
			return dec.Decode(&f.Header)
		case "instances":
			f.Instances = map[string]Instance{}
			return objectFields(dec, func(name string) error {
				if _, dup := f.Instances[name]; dup {
					return fmt.Errorf("instance type %q appears twice", name)
				}
				var inst Instance
				if err := dec.Decode(&inst); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
				f.Instances[name] = inst
				return nil
			})
		}
		return fmt.Errorf("unknown key %q: want header and instances", key)
	})
	if err != nil {
		return nil, fmt.Errorf("instance table: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("instance table: data after the table's closing brace")
	}
	if len(f.Instances) == 0 {
		return nil, errors.New("instance table: no instance types")
	}
	if f.Header.InstanceTypes != 0 && f.Header.InstanceTypes != len(f.Instances) {
		return nil, fmt.Errorf("instance table: header says %d types, file has %d", f.Header.InstanceTypes, len(f.Instances))
	}
	instances := make([]Instance, 0, len(f.Instances))
	for name, inst := range f.Instances {
		inst.Name = name
		instances = append(instances, inst)
	}
	t, err := NewTable(f.Header, instances)
	if err != nil {
		return nil, fmt.Errorf("instance table: %w", err)
	}
	return t, nil
}

// objectFields reads one JSON object from dec, calling field for each key
// with the decoder positioned at its value, which field must consume.
func objectFields(dec *json.Decoder, field func(key string) error) error {
	if tok, err := dec.Token(); err != nil {
		return err
	} else if tok != json.Delim('{') {
		return fmt.Errorf("want a JSON object, not %v", tok)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if err := field(tok.(string)); err != nil {
			return err
		}
	}
	_, err := dec.Token() // the closing brace
	return err
}

// IsTypeName reports whether s has the shape of an EC2 instance type name:
// family.size in lower case (m5.large, u-6tb1.metal, c7g-flex.large), as
// Lookup looks names up: [a-z0-9][a-z0-9-]*\.[a-z0-9-]+.
func IsTypeName(s string) bool {
	family, size, ok := strings.Cut(s, ".")
	if !ok || family == "" || size == "" || family[0] == '-' {
		return false
	}
	for _, part := range []string{family, size} {
		for i := 0; i < len(part); i++ {
			if c := part[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// MaxPlausible bounds every count in a table, far above any type's today
// (24 ENIs, 64 addresses per ENI, 32 network cards), so that a bad file
// cannot make the formulas overflow.
const MaxPlausible = 1000

// Validate checks the facts the formulas rely on (docs/max-pods.md "Inputs per
// instance type"): a type name, at least one ENI and one address per ENI,
// and the default network card present with maxENIs equal to its limit
// (only the default card counts).
func Validate(inst Instance) error {
	switch {
	case inst.Name == "":
		return errors.New("instance type with an empty name")
	case !IsTypeName(inst.Name):
		return fmt.Errorf("%q is not an instance type name (lower-case family.size, such as m5.large)", inst.Name)
	case inst.MaxENIs < 1:
		return fmt.Errorf("%s: maxENIs is %d, must be at least 1", inst.Name, inst.MaxENIs)
	case inst.IPv4PerENI < 1:
		return fmt.Errorf("%s: ipv4PerENI is %d, must be at least 1", inst.Name, inst.IPv4PerENI)
	case inst.MaxENIs > MaxPlausible || inst.IPv4PerENI > MaxPlausible || inst.IPv6PerENI > MaxPlausible || len(inst.NetworkCards) > MaxPlausible:
		return fmt.Errorf("%s: maxENIs %d, ipv4PerENI %d, ipv6PerENI %d or %d network cards above %d: not a real type's limits",
			inst.Name, inst.MaxENIs, inst.IPv4PerENI, inst.IPv6PerENI, len(inst.NetworkCards), MaxPlausible)
	case inst.VCPUs < 0 || inst.MemoryMiB < 0 || inst.IPv6PerENI < 0:
		return fmt.Errorf("%s: negative vcpus, memoryMiB or ipv6PerENI", inst.Name)
	case inst.VCPUs > 100*MaxPlausible:
		return fmt.Errorf("%s: vcpus is %d, above %d: not a real type's", inst.Name, inst.VCPUs, 100*MaxPlausible)
	case inst.BranchInterfaces != nil && *inst.BranchInterfaces < 0:
		return fmt.Errorf("%s: branchInterfaces is %d, must not be negative", inst.Name, *inst.BranchInterfaces)
	case inst.Hypervisor != "" && inst.Hypervisor != HypervisorNitro && inst.Hypervisor != HypervisorXen:
		return fmt.Errorf("%s: hypervisor %q: want nitro, xen or none (bare metal)", inst.Name, inst.Hypervisor)
	case inst.DefaultNetworkCardIndex < 0:
		return fmt.Errorf("%s: defaultNetworkCardIndex is %d, must not be negative", inst.Name, inst.DefaultNetworkCardIndex)
	}
	seenCards := map[int]bool{}
	for _, c := range inst.NetworkCards {
		if c.MaxENIs < 0 || c.MaxENIs > MaxPlausible {
			return fmt.Errorf("%s: network card %d holds %d ENIs, want 0 to %d", inst.Name, c.Index, c.MaxENIs, MaxPlausible)
		}
		if c.Index < 0 || seenCards[c.Index] {
			return fmt.Errorf("%s: network card index %d is negative or given twice", inst.Name, c.Index)
		}
		seenCards[c.Index] = true
	}
	card, ok := inst.DefaultCard()
	if !ok {
		return fmt.Errorf("%s: default network card %d is not among its network cards", inst.Name, inst.DefaultNetworkCardIndex)
	}
	if card.MaxENIs != inst.MaxENIs {
		return fmt.Errorf("%s: maxENIs is %d but its default network card holds %d", inst.Name, inst.MaxENIs, card.MaxENIs)
	}
	return nil
}

// Encode writes the table in the instance-limits.json format: one line per
// type, in name order, so that regenerated tables diff line by line.
func (t *Table) Encode() ([]byte, error) {
	var b bytes.Buffer
	header, err := json.MarshalIndent(t.header, " ", " ")
	if err != nil {
		return nil, err
	}
	b.WriteString("{\n \"header\": ")
	b.Write(header)
	b.WriteString(",\n \"instances\": {\n")
	for i, inst := range t.instances {
		line, err := json.Marshal(inst)
		if err != nil {
			return nil, err
		}
		key, _ := json.Marshal(inst.Name)
		fmt.Fprintf(&b, "  %s: %s", key, line)
		if i < len(t.instances)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString(" }\n}\n")
	return b.Bytes(), nil
}

// Header returns where the table's facts came from.
func (t *Table) Header() Header { return t.header }

// Len is the number of instance types in the table.
func (t *Table) Len() int { return len(t.instances) }

// Names returns every type name in name order.
func (t *Table) Names() []string {
	names := make([]string, len(t.instances))
	for i, inst := range t.instances {
		names[i] = inst.Name
	}
	return names
}

// All returns every instance type in name order.
func (t *Table) All() []Instance { return slices.Clone(t.instances) }

// Get returns the named type, if the table has it.
func (t *Table) Get(name string) (Instance, bool) {
	i, ok := slices.BinarySearchFunc(t.instances, name, func(inst Instance, name string) int { return strings.Compare(inst.Name, name) })
	if !ok {
		return Instance{}, false
	}
	return t.instances[i], true
}

// UnknownTypeError is returned for a type name the table does not hold.
type UnknownTypeError struct {
	Name        string
	Suggestions []string
}

func (e *UnknownTypeError) Error() string {
	if len(e.Suggestions) == 0 {
		return fmt.Sprintf("unknown instance type %q (see `eksnet limits list` for the known types)", e.Name)
	}
	return fmt.Sprintf("unknown instance type %q (did you mean %s?)", e.Name, strings.Join(e.Suggestions, " or "))
}

// Lookup returns the named type, or an *UnknownTypeError suggesting the
// nearest names. Names are case-insensitive, as EC2's are written lower case.
func (t *Table) Lookup(name string) (Instance, error) {
	if inst, ok := t.Get(strings.ToLower(strings.TrimSpace(name))); ok {
		return inst, nil
	}
	return Instance{}, &UnknownTypeError{Name: name, Suggestions: t.Suggest(name, 3)}
}

// CheckArg checks an instance type argument as typed: letters, digits,
// '.', '-' and the glob characters * ? [ ] ! ^, after blanks at either end.
func CheckArg(s string) error {
	trimmed := strings.TrimSpace(s)
	if trimmed == "" {
		return errors.New("empty instance type: name one such as m5.large")
	}
	for _, c := range trimmed {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(".-*?[]!^", c)) {
			return fmt.Errorf("invalid instance type %q: a name such as m5.large or a glob such as 'm5.*', one per argument", s)
		}
	}
	return nil
}

// IsPattern reports whether s is a glob rather than a plain type name.
func IsPattern(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// ValidatePattern checks a glob's syntax (path.Match rules).
func ValidatePattern(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("invalid instance type pattern %q: use * and ? wildcards, as in m5.* or c7g*", pattern)
	}
	return nil
}

// Match returns the types whose names match the glob, in name order.
func (t *Table) Match(pattern string) ([]Instance, error) {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	if err := ValidatePattern(pattern); err != nil {
		return nil, err
	}
	var matched []Instance
	for _, inst := range t.instances {
		if ok, _ := path.Match(pattern, inst.Name); ok {
			matched = append(matched, inst)
		}
	}
	if len(matched) == 0 {
		return nil, fmt.Errorf("no instance type matches %q (see `eksnet limits list` for the known types)", pattern)
	}
	return matched, nil
}

// Resolve turns command-line arguments (names and globs) into instance types
// as the maxpods issue orders them: in the order given, each glob expanded
// in name order; duplicates are kept once, at their first position.
//
// An argument with a character no type name or glob has (a blank, a
// control character, a comma) is refused whole, never cut short.
func (t *Table) Resolve(args []string) ([]Instance, error) {
	for _, arg := range args {
		if err := CheckArg(arg); err != nil {
			return nil, err
		}
	}
	var out []Instance
	seen := make(map[string]bool)
	add := func(inst Instance) {
		if !seen[inst.Name] {
			seen[inst.Name] = true
			out = append(out, inst)
		}
	}
	for _, arg := range args {
		if IsPattern(arg) {
			matched, err := t.Match(arg)
			if err != nil {
				return nil, err
			}
			for _, inst := range matched {
				add(inst)
			}
			continue
		}
		inst, err := t.Lookup(arg)
		if err != nil {
			return nil, err
		}
		add(inst)
	}
	return out, nil
}
