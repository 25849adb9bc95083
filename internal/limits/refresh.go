package limits

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// RegionInstances is what one region's EC2 returned, mapped to table entries.
type RegionInstances struct {
	Region    string
	Instances []Instance
}

// Change is one instance type that a refresh adds, removes or changes, with
// its max pods before and after (0 where it has none on that side).
type Change struct {
	InstanceType string   `json:"instanceType"`
	OldMaxPods   int      `json:"oldMaxPods,omitempty"`
	NewMaxPods   int      `json:"newMaxPods,omitempty"`
	Fields       []string `json:"fields,omitempty"` // the fields that changed, by JSON name
}

// Conflict is an instance type whose facts differ between regions. It is
// never overwritten: the old entry stays (Kept), or a new type is left out.
type Conflict struct {
	InstanceType string   `json:"instanceType"`
	Regions      []string `json:"regions"` // the regions, grouped by the value they returned
	Fields       []string `json:"fields"`  // the fields that differ
	Kept         bool     `json:"kept"`    // the old table's entry was kept
}

// Summary says what a refresh did to the table.
type Summary struct {
	Regions     []string   `json:"regions"`
	Fetched     int        `json:"fetched"`   // distinct types the regions returned
	Instances   int        `json:"instances"` // types in the new table
	Added       []Change   `json:"added"`
	Removed     []Change   `json:"removed"`
	Changed     []Change   `json:"changed"`
	Unchanged   int        `json:"unchanged"`
	Conflicts   []Conflict `json:"conflicts"`
	NotReturned []string   `json:"notReturned"` // old types no region returned, kept (Prune removes them)
}

// RefreshOptions steer Refresh.
type RefreshOptions struct {
	Header Header // the new table's header (its instance count is filled in)
	// Prune removes old types that no region returned; without it they are
	// kept, since a type may exist only in regions not asked, or be retired
	// from the API while nodes still run it.
	Prune bool
	// MaxPods gives the max pods shown for changed types.
	MaxPods func(Instance) int
}

// Refresh merges the regions' instances over old and summarises the
// difference (issue 3): a type returned by several regions must have the
// same facts in each, else it is a Conflict and old's entry, if any, stays:
// never silently overwritten.
func Refresh(old *Table, fetched []RegionInstances, opts RefreshOptions) (*Table, Summary, error) {
	maxPods := opts.MaxPods
	if maxPods == nil {
		maxPods = func(Instance) int { return 0 }
	}
	summary := Summary{Added: []Change{}, Removed: []Change{}, Changed: []Change{}, Conflicts: []Conflict{}, NotReturned: []string{}}

	type seen struct {
		inst    Instance
		regions []string
	}
	variants := map[string][]*seen{} // by type, one per distinct value, in region order
	for _, r := range fetched {
		summary.Regions = append(summary.Regions, r.Region)
		for _, inst := range r.Instances {
			vs := variants[inst.Name]
			i := slices.IndexFunc(vs, func(s *seen) bool { return reflect.DeepEqual(s.inst, inst) })
			if i < 0 {
				variants[inst.Name] = append(vs, &seen{inst: inst, regions: []string{r.Region}})
				continue
			}
			vs[i].regions = append(vs[i].regions, r.Region)
		}
	}
	summary.Fetched = len(variants)

	merged := map[string]Instance{}
	for _, inst := range old.All() {
		if _, ok := variants[inst.Name]; !ok {
			if opts.Prune {
				summary.Removed = append(summary.Removed, Change{InstanceType: inst.Name, OldMaxPods: maxPods(inst)})
				continue
			}
			summary.NotReturned = append(summary.NotReturned, inst.Name)
			merged[inst.Name] = inst
		}
	}
	for name, vs := range variants {
		oldInst, hadOld := old.Get(name)
		if len(vs) > 1 {
			c := Conflict{InstanceType: name, Kept: hadOld}
			for _, v := range vs {
				c.Regions = append(c.Regions, strings.Join(v.regions, ","))
			}
			c.Fields = ChangedFields(vs[0].inst, vs[1].inst)
			summary.Conflicts = append(summary.Conflicts, c)
			if hadOld {
				merged[name] = oldInst
			}
			continue
		}
		inst := vs[0].inst
		merged[name] = inst
		switch fields := ChangedFields(oldInst, inst); {
		case !hadOld:
			summary.Added = append(summary.Added, Change{InstanceType: name, NewMaxPods: maxPods(inst)})
		case len(fields) > 0:
			summary.Changed = append(summary.Changed, Change{InstanceType: name, OldMaxPods: maxPods(oldInst), NewMaxPods: maxPods(inst), Fields: fields})
		default:
			summary.Unchanged++
		}
	}

	instances := make([]Instance, 0, len(merged))
	for _, inst := range merged {
		instances = append(instances, inst)
	}
	table, err := NewTable(opts.Header, instances)
	if err != nil {
		return nil, Summary{}, fmt.Errorf("refreshed table: %w", err)
	}
	summary.Instances = table.Len()
	byName := func(a, b Change) int { return strings.Compare(a.InstanceType, b.InstanceType) }
	slices.SortFunc(summary.Added, byName)
	slices.SortFunc(summary.Removed, byName)
	slices.SortFunc(summary.Changed, byName)
	slices.SortFunc(summary.Conflicts, func(a, b Conflict) int { return strings.Compare(a.InstanceType, b.InstanceType) })
	slices.Sort(summary.NotReturned)
	return table, summary, nil
}

// ChangedFields names, by their JSON names, the facts that differ between a and b.
func ChangedFields(a, b Instance) []string {
	var fields []string
	ta := reflect.TypeOf(a)
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range ta.NumField() {
		name, _, _ := strings.Cut(ta.Field(i).Tag.Get("json"), ",")
		if name == "-" || name == "" {
			continue
		}
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			fields = append(fields, name)
		}
	}
	return fields
}
