package limits

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Header describes where a table's facts came from and when.
type Header struct {
	GeneratedAt   string   `json:"generatedAt"`
	InstanceTypes int      `json:"instanceTypes"`
	Sources       []string `json:"sources"`
	Notes         string   `json:"notes,omitempty"`
}

// Table is a validated, read-only set of instance types, looked up by name.
type Table struct {
	header Header
	byName map[string]Instance
	names  []string // sorted
}

// file is the on-disk layout of data/instance-limits.json.
type file struct {
	Header    Header              `json:"header"`
	Instances map[string]Instance `json:"instances"`
}

// NewTable builds a table from instances, checking each with Validate and
// refusing a name given twice.
func NewTable(header Header, instances []Instance) (*Table, error) {
	t := &Table{header: header, byName: make(map[string]Instance, len(instances))}
	for _, inst := range instances {
		if err := Validate(inst); err != nil {
			return nil, err
		}
		if _, dup := t.byName[inst.Name]; dup {
			return nil, fmt.Errorf("instance type %q appears twice", inst.Name)
		}
		t.byName[inst.Name] = inst
		t.names = append(t.names, inst.Name)
	}
	slices.Sort(t.names)
	t.header.InstanceTypes = len(t.names)
	return t, nil
}

// Parse decodes and validates a table in the instance-limits.json format.
// Unknown fields are errors so that a misspelt key cannot silently become zero.
func Parse(data []byte) (*Table, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f file
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("instance table: %w", err)
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

// typeName is the shape of an EC2 instance type name: family.size in lower
// case (m5.large, u-6tb1.metal, c7g-flex.large), as Lookup looks names up.
var typeName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.[a-z0-9-]+$`)

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
	case !typeName.MatchString(inst.Name):
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
	}
	for _, c := range inst.NetworkCards {
		if c.MaxENIs < 0 || c.MaxENIs > MaxPlausible {
			return fmt.Errorf("%s: network card %d holds %d ENIs, want 0 to %d", inst.Name, c.Index, c.MaxENIs, MaxPlausible)
		}
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
	for i, name := range t.names {
		line, err := json.Marshal(t.byName[name])
		if err != nil {
			return nil, err
		}
		key, _ := json.Marshal(name)
		fmt.Fprintf(&b, "  %s: %s", key, line)
		if i < len(t.names)-1 {
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
func (t *Table) Len() int { return len(t.names) }

// Names returns every type name in name order.
func (t *Table) Names() []string { return slices.Clone(t.names) }

// All returns every instance type in name order.
func (t *Table) All() []Instance {
	all := make([]Instance, len(t.names))
	for i, name := range t.names {
		all[i] = t.byName[name]
	}
	return all
}

// Get returns the named type, if the table has it.
func (t *Table) Get(name string) (Instance, bool) {
	inst, ok := t.byName[name]
	return inst, ok
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
	if inst, ok := t.byName[strings.ToLower(strings.TrimSpace(name))]; ok {
		return inst, nil
	}
	return Instance{}, &UnknownTypeError{Name: name, Suggestions: t.Suggest(name, 3)}
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
	for _, name := range t.names {
		if ok, _ := path.Match(pattern, name); ok {
			matched = append(matched, t.byName[name])
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
func (t *Table) Resolve(args []string) ([]Instance, error) {
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
