package limits

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func inst(name string, enis, ipv4 int) Instance {
	yes, branches := true, 9
	return Instance{Name: name, VCPUs: 2, MaxENIs: enis, IPv4PerENI: ipv4, IPv6PerENI: ipv4, Hypervisor: HypervisorNitro,
		NetworkCards: []NetworkCard{{Index: 0, MaxENIs: enis}}, Trunking: &yes, BranchInterfaces: &branches,
		IPv6Supported: true, MemoryMiB: 8192}
}

func table(t *testing.T, instances ...Instance) *Table {
	t.Helper()
	tab, err := NewTable(Header{GeneratedAt: "2026-08-31", Sources: []string{"test"}}, instances)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func eniLimited(i Instance) int { return i.MaxENIs*(i.IPv4PerENI-1) + 2 }

func TestRefresh(t *testing.T) {
	old := table(t, inst("a.large", 3, 10), inst("b.large", 3, 10), inst("c.large", 4, 15), inst("gone.large", 2, 4), inst("split.large", 3, 10))
	bigger := inst("b.large", 4, 15)
	newMem := inst("c.large", 4, 15)
	newMem.MemoryMiB = 16384
	fetched := []RegionInstances{
		{Region: "us-east-1", Instances: []Instance{inst("a.large", 3, 10), bigger, newMem, inst("split.large", 3, 10), inst("new.large", 2, 6), inst("fork.large", 3, 10)}},
		{Region: "eu-west-1", Instances: []Instance{inst("a.large", 3, 10), bigger, inst("split.large", 3, 6), inst("fork.large", 2, 10)}},
		{Region: "ap-south-1", Instances: []Instance{inst("split.large", 3, 6)}},
	}
	header := Header{GeneratedAt: "2026-09-01", Sources: []string{"EC2"}}

	got, summary, err := Refresh(old, fetched, RefreshOptions{Header: header, MaxPods: eniLimited})
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{
		Regions:     []string{"us-east-1", "eu-west-1", "ap-south-1"},
		Fetched:     6,
		Instances:   6,
		Added:       []Change{{InstanceType: "new.large", NewMaxPods: 12}},
		Removed:     []Change{},
		Changed:     []Change{{InstanceType: "b.large", OldMaxPods: 29, NewMaxPods: 58, Fields: []string{"maxENIs", "ipv4PerENI", "ipv6PerENI", "networkCards"}}, {InstanceType: "c.large", OldMaxPods: 58, NewMaxPods: 58, Fields: []string{"memoryMiB"}}},
		Unchanged:   1,
		Conflicts:   []Conflict{{InstanceType: "fork.large", Regions: []string{"us-east-1", "eu-west-1"}, Fields: []string{"maxENIs", "networkCards"}}, {InstanceType: "split.large", Regions: []string{"us-east-1", "eu-west-1,ap-south-1"}, Fields: []string{"ipv4PerENI", "ipv6PerENI"}, Kept: true}},
		NotReturned: []string{"gone.large"},
	}
	if !reflect.DeepEqual(summary, want) {
		t.Errorf("summary = %+v\nwant      %+v", summary, want)
	}
	if names := got.Names(); !slices.Equal(names, []string{"a.large", "b.large", "c.large", "gone.large", "new.large", "split.large"}) {
		t.Errorf("names = %v", names)
	}
	if s, _ := got.Get("split.large"); s.IPv4PerENI != 10 {
		t.Errorf("a conflict must keep the old entry: %+v", s)
	}
	if h := got.Header(); h.GeneratedAt != "2026-09-01" || h.InstanceTypes != 6 {
		t.Errorf("header = %+v", h)
	}

	_, pruned, err := Refresh(old, fetched, RefreshOptions{Header: header, MaxPods: eniLimited, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pruned.Removed, []Change{{InstanceType: "gone.large", OldMaxPods: 8}}) || len(pruned.NotReturned) != 0 || pruned.Instances != 5 {
		t.Errorf("pruned summary = %+v", pruned)
	}
}

func TestChangedFields(t *testing.T) {
	a := inst("a.large", 3, 10)
	b := a
	if f := ChangedFields(a, b); f != nil {
		t.Errorf("equal: %v", f)
	}
	no := false
	b.Trunking = &no
	b.Hypervisor = ""
	b.BareMetal = true
	if f := ChangedFields(a, b); !slices.Equal(f, []string{"hypervisor", "bareMetal", "trunking"}) {
		t.Errorf("fields = %v", f)
	}
}

func TestWriteFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "limits.json")
	tab := table(t, inst("a.large", 3, 10))
	if err := writeTable(path, tab); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil || !reflect.DeepEqual(back.All(), tab.All()) {
		t.Fatalf("read back: %v", err)
	}
	info, _ := os.Stat(path)
	if info.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v", info.Mode())
	}

	// An existing file keeps its mode.
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeTable(path, table(t, inst("a.large", 3, 10), inst("b.large", 2, 4))); err != nil {
		t.Fatal(err)
	}
	info, _ = os.Stat(path)
	if info.Mode().Perm() != 0o600 {
		t.Errorf("rewritten file mode %v, want 0600", info.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}

	// Failures leave the old bytes and no temporary file.
	before, _ := os.ReadFile(path)
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{filepath.Join(dir, "missing", "limits.json"), filepath.Join(dir, "sub")} {
		if err := writeTable(bad, tab); err == nil || !strings.HasPrefix(err.Error(), "cannot write "+bad) {
			t.Errorf("WriteFile(%s) error = %v", bad, err)
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("the old file changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("directory holds %v", entries)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadFile(filepath.Join(dir, "none.json")); err == nil || err.Error() != "limits file: "+filepath.Join(dir, "none.json")+": no such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"header":{},"instances":{}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(bad); err == nil || err.Error() != "limits file "+bad+": instance table: no instance types" {
		t.Errorf("empty table: %v", err)
	}
}

// BenchmarkRefreshEmbedded merges three regions that each return the whole
// embedded table over it: the work of `eksnet limits update --regions all`
// once EC2 has answered.
func BenchmarkRefreshEmbedded(b *testing.B) {
	old, err := Embedded()
	if err != nil {
		b.Fatal(err)
	}
	all := old.All()
	fetched := []RegionInstances{{"us-east-1", all}, {"eu-west-1", all}, {"ap-south-1", all}}
	maxPods := func(i Instance) int { return i.MaxENIs*(i.IPv4PerENI-1) + 2 }
	for b.Loop() {
		if _, _, err := Refresh(old, fetched, RefreshOptions{Header: old.Header(), MaxPods: maxPods}); err != nil {
			b.Fatal(err)
		}
	}
}

func writeTable(path string, t *Table) error {
	p, err := PrepareFile(path, t)
	if err != nil {
		return err
	}
	return p.Commit(context.Background())
}
