package capacity

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/cni"
	"github.com/eksnet/eksnet/internal/ipam"
	"github.com/eksnet/eksnet/internal/limits"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/eksnet/eksnet/internal/subnet"
)

// Defaults of the capacity engine, the one set for `eksnet subnet size` and
// `eksnet plan` (the README lists them).
const (
	DefaultAZs             = 3
	DefaultSurge           = 2 // EKS may launch up to two nodes per AZ while a managed node group updates (docs/vpc-rules.md "Surge")
	DefaultHeadroomPercent = 25
	DefaultGrowthMonths    = 12
	DefaultRunwayMonths    = subnet.RunwayHorizonMonths
	// HighWaterMark asks for the default pods per node: max pods − 2 − SG pods.
	HighWaterMark = -1
	// maxAZs bounds the "more AZs" advice: no region has more.
	maxAZs = 6
)

// Bounds of the counts a request holds: far above any EKS cluster (EKS runs
// up to 100,000 nodes; a region has at most 6 AZs; the largest ENI limit is
// 11,762 pods), low enough that every count multiplies without overflow
// and every loop over them ends at once.
const (
	MaxNodes   = 1_000_000
	MaxAZs     = 16
	MaxMaxPods = 100_000
)

// RangeError is a count outside what eksnet takes. Field names it as the
// caller named it to CheckRange; a command may name it as its flag instead.
type RangeError struct {
	Field         string
	Value, Lo, Hi int
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("invalid %s %d: must be %d to %d", e.Field, e.Value, e.Lo, e.Hi)
}

// CheckRange returns a *RangeError naming field when v is outside lo..hi,
// with the value as given: the one bound check of every count where it
// enters (flags, plan files).
func CheckRange(field string, v, lo, hi int) error {
	if v < lo || v > hi {
		return &RangeError{Field: field, Value: v, Lo: lo, Hi: hi}
	}
	return nil
}

// FutureNodesError is a future node count below today's: the one rule
// that the cluster only grows.
type FutureNodesError struct{ Future, Now int }

func (e *FutureNodesError) Error() string {
	return fmt.Sprintf("future nodes %d are fewer than the %d nodes now", e.Future, e.Now)
}

// The fields of Request as size names them in a *RangeError.
const (
	FieldNodes       = "node count"
	FieldAZs         = "AZ count"
	FieldSurge       = "surge"
	FieldMaxPods     = "max pods"
	FieldFutureNodes = "future nodes"
)

// Roles of a subnet.
const (
	RoleNode = "node" // the node's own subnet
	RolePod  = "pod"  // the ENIConfig subnet of custom networking, or the discovered subnets
)

// Request is one node group to size.
type Request struct {
	Instance limits.Instance
	CNI      cni.Config
	// SGPodsPerNode are the pods per node with their own security groups.
	SGPodsPerNode int
	// MaxPods is the kubelet's max pods; 0 means eksnet's value for the type.
	MaxPods int
	// PodsPerNode are the pods per node that need a VPC address (not
	// hostNetwork, not SG pods); HighWaterMark for max pods − 2 − SG pods.
	PodsPerNode int
	Nodes       int
	AZs         int
	Surge       int // spare nodes per AZ during rolling updates
	// FutureNodes is the size to plan for; 0 means Nodes grown by Growth
	// (after GrowthMonths for a monthly growth).
	FutureNodes     int
	Growth          subnet.Growth
	GrowthMonths    int
	HeadroomPercent int
	Existing        []Existing
	RunwayMonths    int
}

// NewRequest returns a request for nodes of inst with the documented defaults.
func NewRequest(inst limits.Instance, nodes int) Request {
	return Request{
		Instance: inst, CNI: cni.DefaultConfig(),
		PodsPerNode: HighWaterMark, Nodes: nodes, AZs: DefaultAZs, Surge: DefaultSurge,
		GrowthMonths: DefaultGrowthMonths, HeadroomPercent: DefaultHeadroomPercent, RunwayMonths: DefaultRunwayMonths,
	}
}

// Existing is a subnet that already exists, to check against the demand of
// one AZ.
type Existing struct {
	ID   string
	AZ   string
	CIDR netip.Prefix
	Used int // addresses in use now; −1: unknown, take the model's demand now
	// Role is RoleNode or RolePod; "" is the subnet the pods' addresses come
	// from: the ENIConfig subnet with custom networking, else the node's.
	Role string
}

// Plan is the answer for one node group, eksnet's JSON contract for
// `eksnet subnet size -o json`.
type Plan struct {
	InstanceType    string           `json:"instanceType"`
	Mode            cni.Mode         `json:"mode"`
	MaxPods         int              `json:"maxPods"`
	PodsPerNode     int              `json:"podsPerNode"`
	SGPodsPerNode   int              `json:"sgPodsPerNode"`
	Nodes           int              `json:"nodes"`
	FutureNodes     int              `json:"futureNodes"`
	Growth          string           `json:"growth,omitempty"`
	AZCount         int              `json:"azCount"`
	Surge           int              `json:"surge"`
	HeadroomPercent int              `json:"headroomPercent"`
	PerNode         ipam.Demand      `json:"perNode"`
	AZs             []AZ             `json:"azs"`
	ExistingSubnets []ExistingSubnet `json:"existingSubnets,omitempty"`
	Fits            bool             `json:"fits"`
	Problems        []string         `json:"problems,omitempty"`
	Changes         []Change         `json:"changes,omitempty"`
	Notes           []string         `json:"notes"`
	request         Request          // for advice
	perNodeNeed     map[string]subnet.Need
}

// AZ is one availability zone's share of the nodes and what its subnets
// must hold. The fields at this level are the node subnet's; with custom
// networking PodSubnet is the ENIConfig subnet's.
type AZ struct {
	AZ          int `json:"az"`
	Nodes       int `json:"nodes"`
	FutureNodes int `json:"futureNodes"`
	SubnetNeed
	PodSubnet *SubnetNeed `json:"podSubnet,omitempty"`
}

// SubnetNeed is what one subnet of one AZ must hold, now and at the future size.
type SubnetNeed struct {
	Role                    string  `json:"role"`
	AddressesNeeded         int     `json:"addressesNeeded"`
	AddressesNeededFuture   int     `json:"addressesNeededFuture"`
	PrefixesNeeded          int     `json:"prefixesNeeded"`       // aligned /28 blocks (prefix mode)
	PrefixesNeededFuture    int     `json:"prefixesNeededFuture"` // aligned /28 blocks (prefix mode)
	MinimumPrefixLength     int     `json:"minimumPrefixLength"`  // 0: more than a /16
	RecommendedPrefixLength int     `json:"recommendedPrefixLength"`
	UsableAddresses         int     `json:"usableAddresses"`   // of the recommended prefix
	Utilisation             float64 `json:"utilisation"`       // now, in the recommended prefix
	UtilisationFuture       float64 `json:"utilisationFuture"` // at the future size
	Fits                    bool    `json:"fits"`
	OverBy                  int     `json:"overBy,omitempty"` // addresses beyond a /16
	// Subnets is how many discovered pod subnets of the recommended size
	// the AZ gets, each holding an even share of its demand (the figures
	// above are one subnet's); absent for one subnet.
	Subnets      int `json:"subnets,omitempty"`
	need, future subnet.Need
}

// ExistingSubnet is an existing subnet checked against the demand of its AZ.
type ExistingSubnet struct {
	ID                string         `json:"subnetId,omitempty"`
	AZ                string         `json:"availabilityZone,omitempty"`
	CIDR              string         `json:"cidr"`
	Role              string         `json:"role"`
	UsableAddresses   int            `json:"usableAddresses"`
	UsedAddresses     int            `json:"usedAddresses"`
	UsedFromModel     bool           `json:"usedFromModel"`
	AddressesAtFuture int            `json:"addressesAtFuture"`
	FitsFuture        bool           `json:"fitsFuture"`
	OverByFuture      int            `json:"overByFuture,omitempty"`
	Utilisation       float64        `json:"utilisation"`
	UtilisationFuture float64        `json:"utilisationFuture"`
	Runway            *subnet.Runway `json:"runway,omitempty"`
	future            subnet.Need
}

// Change is one change to the request that makes the demand fit.
type Change struct {
	Flags   string `json:"flags"`   // what to change on the command line
	Setting string `json:"setting"` // what it means on the cluster
	// AddressesNeededFuture and MinimumPrefixLength are those of the subnet
	// that did not fit, with the change.
	AddressesNeededFuture int    `json:"addressesNeededFuture"`
	MinimumPrefixLength   int    `json:"minimumPrefixLength"`
	Note                  string `json:"note,omitempty"`
}

// Size computes what each AZ's subnets must hold for req: one node's
// addresses (ipam.NodeDemand, docs/node-addresses.md) times the AZ's nodes (spread evenly,
// rounding up, plus the surge nodes), in the smallest subnet with 5 reserved
// and whole /28 blocks (docs/vpc-rules.md), and, when it does not fit, the changes
// that would.
func Size(req Request) (Plan, error) {
	p, err := size(req)
	if err != nil {
		return Plan{}, err
	}
	if !p.Fits {
		p.Changes = advise(req, p)
	}
	return p, nil
}

// Err is nil when the plan fits; else one line saying what does not fit, by
// how much, and the first change that fits.
func (p Plan) Err() error {
	if p.Fits {
		return nil
	}
	msg := strings.Join(p.Problems, "; ")
	if len(p.Changes) > 0 {
		c := p.Changes[0]
		msg += fmt.Sprintf("; smallest change that fits: %s (%s)", c.Flags, c.Setting)
	} else {
		msg += "; no single change fits: split the nodes over more clusters or node groups with other subnets"
	}
	return errors.New(msg)
}

func size(req Request) (Plan, error) {
	for _, c := range []struct {
		field     string
		v, lo, hi int
	}{
		{FieldNodes, req.Nodes, 1, MaxNodes}, {FieldAZs, req.AZs, 1, MaxAZs}, {FieldSurge, req.Surge, 0, MaxNodes},
		{FieldMaxPods, req.MaxPods, 0, MaxMaxPods}, {FieldFutureNodes, req.FutureNodes, 0, MaxNodes},
	} {
		if err := CheckRange(c.field, c.v, c.lo, c.hi); err != nil {
			return Plan{}, err
		}
	}
	switch {
	case req.FutureNodes != 0 && req.FutureNodes < req.Nodes:
		return Plan{}, &FutureNodesError{Future: req.FutureNodes, Now: req.Nodes}
	case req.FutureNodes != 0 && !req.Growth.IsZero() && !req.Growth.Monthly():
		return Plan{}, fmt.Errorf("give future nodes or a growth of %s, not both", req.Growth)
	case req.HeadroomPercent < 0 || req.HeadroomPercent > subnet.MaxHeadroomPercent:
		return Plan{}, fmt.Errorf("invalid headroom %d%%: must be 0%% to %d%%", req.HeadroomPercent, subnet.MaxHeadroomPercent)
	case req.GrowthMonths < 0 || req.GrowthMonths > subnet.MaxHorizonMonths:
		return Plan{}, fmt.Errorf("invalid growth horizon of %d months: must be 0 to %d", req.GrowthMonths, subnet.MaxHorizonMonths)
	}
	if err := req.CNI.Validate(); err != nil {
		return Plan{}, err
	}
	azs := make([]string, req.AZs)
	for i := range azs {
		azs[i] = strconv.Itoa(i + 1)
	}
	p := Plan{
		InstanceType: req.Instance.Name, SGPodsPerNode: req.SGPodsPerNode,
		Nodes: req.Nodes, AZCount: req.AZs, Surge: req.Surge, HeadroomPercent: req.HeadroomPercent,
		Notes: []string{}, request: req,
	}
	p.FutureNodes = req.Nodes
	switch {
	case req.FutureNodes != 0:
		p.FutureNodes = req.FutureNodes
	case !req.Growth.IsZero():
		p.FutureNodes = req.Growth.After(req.Nodes, req.GrowthMonths)
	}
	if !req.Growth.IsZero() {
		p.Growth = req.Growth.String()
	}
	group := Group{
		Name: req.Instance.Name, Instances: []limits.Instance{req.Instance}, MaxPods: req.MaxPods,
		PodsPerNode: req.PodsPerNode, SGPodsPerNode: req.SGPodsPerNode,
		Nodes: req.Nodes, FutureNodes: p.FutureNodes, AZs: azs,
	}
	demands, err := NodeGroups(req.CNI, []Group{group}, Options{Surge: req.Surge, Strict: true})
	if err != nil {
		var over *PodsOverMaxPodsError
		if errors.As(err, &over) {
			why := fmt.Sprintf("as aws-node and kube-proxy take %d and SG pods %d", over.HostNetwork, over.SGPods)
			if over.HostNetwork == 0 {
				why = "as Windows nodes run no host-network pods"
			}
			return Plan{}, fmt.Errorf("%d pods per node do not fit max pods %d: at most %d, %s", over.Pods, over.MaxPods, over.Room(), why)
		}
		return Plan{}, err
	}
	gd := demands.Groups[0]
	d := gd.PerNode
	p.MaxPods, p.PodsPerNode = gd.MaxPods, gd.PodsPerNode
	p.Mode, p.PerNode = d.Mode, d
	nodesAZ, futureAZ := gd.NodesPerAZ, gd.FutureNodesPerAZ

	p.perNodeNeed = map[string]subnet.Need{RoleNode: gd.NodeNeed, RolePod: gd.PodNeed}
	perAZ := demands.PerAZ[azs[0]] // the group spreads evenly: every AZ alike
	node := p.subnetNeed(RoleNode, *perAZ[RoleNode])
	var pod *SubnetNeed
	if d.HasPodSubnet() {
		n := p.subnetNeed(RolePod, *perAZ[RolePod])
		if d.DiscoveredSubnets && node.Fits {
			n = p.discoveredNeed(*perAZ[RolePod], node)
		}
		pod = &n
	}
	p.Fits = true
	for _, n := range []*SubnetNeed{&node, pod} {
		switch {
		case n == nil || n.Fits:
		case n.Subnets > 0: // discovered pod subnets that cannot draw the ENIs from the node subnet
			p.Fits = false
			p.Problems = append(p.Problems, fmt.Sprintf("the node subnet of each AZ (%d usable) has more free addresses than a discovered pod subnet of up to a /16 keeps at %d nodes, so ipamd would put the secondary ENIs in the node subnet: %s short",
				node.UsableAddresses, futureAZ, prose.Count(n.OverBy, "address", "addresses")))
		default:
			p.Fits = false
			p.Problems = append(p.Problems, fmt.Sprintf("the %s subnet of each AZ needs %s at %d nodes: %s more than a /16 holds",
				n.Role, describeNeed(n.future), futureAZ, prose.Count(n.OverBy, "address", "addresses")))
		}
	}
	for i := range req.AZs {
		p.AZs = append(p.AZs, AZ{AZ: i + 1, Nodes: nodesAZ, FutureNodes: futureAZ, SubnetNeed: node, PodSubnet: pod})
	}

	for _, e := range req.Existing {
		es, err := p.checkExisting(e, nodesAZ, futureAZ)
		if err != nil {
			return Plan{}, err
		}
		p.Fits = p.Fits && es.FitsFuture
		p.ExistingSubnets = append(p.ExistingSubnets, es)
	}
	p.Problems = append(p.Problems, existingProblems(p.ExistingSubnets, futureAZ)...)
	p.Notes = append(p.Notes, d.Notes...)
	if req.PodsPerNode == HighWaterMark {
		if hostNetwork := req.CNI.HostNetworkPodsOn(); hostNetwork > 0 {
			p.Notes = append(p.Notes, fmt.Sprintf("%d pods per node: the high-water mark (max pods %d − %d host-network pods%s), as ipamd rarely gives pool addresses back",
				p.PodsPerNode, p.MaxPods, hostNetwork, sgTerm(req.SGPodsPerNode)))
		} else {
			p.Notes = append(p.Notes, fmt.Sprintf("%d pods per node: max pods, as Windows nodes run no host-network pods and the pool rarely shrinks", p.PodsPerNode))
		}
	}
	return p, nil
}

// subnetNeed sizes one role's subnet for an AZ (docs/vpc-rules.md,
// docs/node-addresses.md) from the capacity engine's demand.
func (p *Plan) subnetNeed(role string, rd RoleDemand) SubnetNeed {
	n := needOf(role, rd.Now, rd.Future)
	minimum, err := n.future.MinPrefixLen()
	if err != nil {
		n.OverBy = n.future.Over(subnet.Largest)
		return n
	}
	n.Fits = true
	n.MinimumPrefixLength = int(minimum)
	recommended, err := rd.Recommend(p.HeadroomPercent)
	if err != nil {
		recommended = subnet.Largest // the headroom does not fit: the largest there is
	}
	n.RecommendedPrefixLength = int(recommended)
	n.UsableAddresses = recommended.Usable()
	n.Utilisation = ratio(n.need.Utilisation(recommended))
	n.UtilisationFuture = ratio(n.future.Utilisation(recommended))
	return n
}

// needOf is a subnet's demand figures now and at the future size, before
// it is sized.
func needOf(role string, now, future subnet.Need) SubnetNeed {
	return SubnetNeed{Role: role, need: now, future: future,
		AddressesNeeded: now.Total(), PrefixesNeeded: now.Blocks, AddressesNeededFuture: future.Total(), PrefixesNeededFuture: future.Blocks}
}

// discoveredNeed sizes an AZ's discovered pod subnets beside its node
// subnet (DiscoveredSubnets, the rule the planner uses): the figures are one
// subnet's share; Subnets says how many.
func (p *Plan) discoveredNeed(rd RoleDemand, node SubnetNeed) SubnetNeed {
	n := needOf(RolePod, rd.Now, rd.Future)
	shape, short := DiscoveredSubnets(rd, node.UsableAddresses, node.future, p.HeadroomPercent)
	if short != nil {
		n.OverBy, n.Subnets = short.Short, short.Subnets
		if !short.DrawsFrom {
			n.Subnets = 0 // beyond every /16 allowed: reported as too large
		}
		return n
	}
	now, future := rd.Now.Share(shape.Subnets), rd.Future.Share(shape.Subnets)
	if shape.Subnets > 1 {
		n = needOf(RolePod, now, future)
		n.Subnets = shape.Subnets
	}
	n.Fits, n.RecommendedPrefixLength = true, int(shape.Prefix)
	if minimum, err := future.MinPrefixLen(); err == nil {
		n.MinimumPrefixLength = int(minimum)
	}
	n.UsableAddresses = shape.Prefix.Usable()
	n.Utilisation = ratio(now.Utilisation(shape.Prefix))
	n.UtilisationFuture = ratio(future.Utilisation(shape.Prefix))
	return n
}

// checkExisting checks one existing subnet against its AZ's demand, and
// finds its runway when the growth is monthly.
func (p *Plan) checkExisting(e Existing, nodesAZ, futureAZ int) (ExistingSubnet, error) {
	length := subnet.LenOf(e.CIDR)
	if !length.Valid() {
		return ExistingSubnet{}, fmt.Errorf("subnet %s: not an IPv4 subnet of /16 to /28", e.CIDR)
	}
	role := e.Role
	switch {
	case role == "" && p.PerNode.CustomNetworking:
		role = RolePod // the ENIConfig subnet; with discovered subnets the node's own is the one given
	case role == "":
		role = RoleNode
	case role == RolePod && !p.PerNode.HasPodSubnet():
		return ExistingSubnet{}, fmt.Errorf("subnet %s: a pod subnet needs custom networking or discovered subnets", e.CIDR)
	case role != RoleNode && role != RolePod:
		return ExistingSubnet{}, fmt.Errorf("subnet %s: invalid role %q: want %s or %s", e.CIDR, role, RoleNode, RolePod)
	}
	perNode := p.perNodeNeed[role]
	es := ExistingSubnet{ID: e.ID, AZ: e.AZ, CIDR: e.CIDR.String(), Role: role, UsableAddresses: length.Usable()}
	used := subnet.Need{Addresses: e.Used}
	if e.Used < 0 {
		used, es.UsedFromModel = perNode.Times(nodesAZ), true
	} else if e.Used > length.Usable() {
		return ExistingSubnet{}, fmt.Errorf("subnet %s: %d addresses in use, but a %s has %d usable", e.CIDR, e.Used, length, length.Usable())
	}
	es.UsedAddresses = used.Total()
	es.future = used.Plus(perNode.Times(futureAZ - nodesAZ))
	es.AddressesAtFuture = es.future.Total()
	es.FitsFuture = es.future.FitsIn(length)
	es.OverByFuture = es.future.Over(length)
	es.Utilisation = ratio(used.Utilisation(length))
	es.UtilisationFuture = ratio(es.future.Utilisation(length))
	if req := p.request; req.Growth.Monthly() {
		r, err := subnet.RunwayFor(length, used, perNode, req.Nodes, subnet.Spread{AZs: req.AZs, Surge: req.Surge}, req.Growth, req.RunwayMonths)
		if err != nil {
			return ExistingSubnet{}, err
		}
		es.Runway = &r
	}
	return es, nil
}

// advise tries the changes the issue names, each alone, and returns those
// that make the plan fit, the least disruptive first: WARM_IP_TARGET (an
// aws-node setting), prefix delegation and custom networking (new nodes),
// more AZs (new subnets). Existing subnets are judged by the model's
// demand, as the nodes would be once replaced with the change.
func advise(req Request, p Plan) []Change {
	base := req
	base.PodsPerNode = p.PodsPerNode
	base.Existing = make([]Existing, len(req.Existing))
	for i, e := range req.Existing {
		e.Used = -1
		e.Role = p.ExistingSubnets[i].Role // a node subnet stays one under custom networking
		base.Existing[i] = e
	}
	var changes []Change
	try := func(r Request, flags, setting, note string) bool {
		q, err := size(r)
		if err != nil || !q.Fits {
			return false
		}
		addresses, length := q.constraint(p)
		changes = append(changes, Change{Flags: flags, Setting: setting, AddressesNeededFuture: addresses, MinimumPrefixLength: length, Note: note})
		return true
	}

	// WARM_IP_TARGET: the largest that fits, up to one ENI's (or /28's) worth.
	top := p.PerNode.SlotsPerENI
	if p.Mode == cni.ModePrefixDelegation {
		top = cni.AddressesPerPrefix
	}
	if current := base.CNI.WarmIPTarget; current > 0 {
		top = min(top, current-1)
	}
	for w := top; w >= 1 && p.Mode != cni.ModeIPv6; w-- {
		r := base
		r.CNI.WarmIPTarget = w
		if try(r, fmt.Sprintf("--warm-ip-target %d", w), fmt.Sprintf("WARM_IP_TARGET=%d", w),
			"ipamd keeps single free IPs instead of whole ENIs or /28s; pods may wait for an address in bursts") {
			break
		}
	}
	if !base.CNI.PrefixDelegation && p.Mode == cni.ModeSecondaryIP && base.Instance.NitroOrBareMetal() && base.CNI.Version.AtLeast(cni.PrefixDelegationSince) {
		r := base
		r.CNI.PrefixDelegation = true
		try(r, "--prefix-delegation", "ENABLE_PREFIX_DELEGATION=true",
			fmt.Sprintf("same %d pods per node; new nodes; needs aligned free /28s (a prefix subnet CIDR reservation)", p.PodsPerNode))
	}
	if !base.CNI.CustomNetworking && base.CNI.IPFamily != cni.IPv6 && len(base.Existing) > 0 {
		r := base
		r.CNI.CustomNetworking = true
		note := "pods' addresses move to an ENIConfig subnet per AZ (for example from 100.64.0.0/10); new nodes with one ENI fewer"
		if !try(r, "--custom-networking", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true", note) {
			r.PodsPerNode = HighWaterMark
			try(r, "--custom-networking", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true", note+", so fewer pods per node")
		}
	}
	for azs := base.AZs + 1; azs <= maxAZs; azs++ {
		r := base
		r.AZs = azs
		if try(r, fmt.Sprintf("--azs %d", azs), fmt.Sprintf("%d AZs", azs), "more subnets, fewer nodes in each") {
			break
		}
	}
	return changes
}

// constraint is the future demand of the subnet that failed in the original
// plan, under this (changed) plan: the pod subnet if that failed, an
// existing subnet if one did, else the node subnet.
func (q Plan) constraint(original Plan) (addresses, prefixLength int) {
	for i, es := range original.ExistingSubnets {
		if !es.FitsFuture && i < len(q.ExistingSubnets) {
			e := q.ExistingSubnets[i]
			length, _ := e.future.MinPrefixLen()
			return e.AddressesAtFuture, int(length)
		}
	}
	if len(original.AZs) > 0 && original.AZs[0].PodSubnet != nil && !original.AZs[0].PodSubnet.Fits && q.AZs[0].PodSubnet != nil {
		return q.AZs[0].PodSubnet.AddressesNeededFuture, q.AZs[0].PodSubnet.MinimumPrefixLength
	}
	return q.AZs[0].AddressesNeededFuture, q.AZs[0].MinimumPrefixLength
}

// ratio rounds a utilisation to four decimals (0.01%), enough to print and compare.
func ratio(f float64) float64 { return math.Round(f*10000) / 10000 }

func describeNeed(n subnet.Need) string {
	if n.Blocks == 0 {
		return fmt.Sprintf("%d addresses", n.Addresses)
	}
	return fmt.Sprintf("%d addresses (%d aligned /28 blocks and %d single addresses)", n.Total(), n.Blocks, n.Addresses)
}

// existingProblems says which existing subnets are too small for the future
// demand and by how much: one sentence for the subnets short by the same
// numbers (usually one per AZ), not one each.
func existingProblems(subnets []ExistingSubnet, futureAZ int) []string {
	type key struct {
		usable, over int
		need         subnet.Need
	}
	var order []key
	names := map[key][]string{}
	for _, es := range subnets {
		if es.FitsFuture {
			continue
		}
		k := key{es.UsableAddresses, es.OverByFuture, es.future}
		if _, seen := names[k]; !seen {
			order = append(order, k)
		}
		names[k] = append(names[k], subnetName(es))
	}
	var problems []string
	for _, k := range order {
		if n := names[k]; len(n) > 1 {
			problems = append(problems, fmt.Sprintf("subnets %s (%d usable each) need %s each at %d nodes: %s more than each holds",
				prose.JoinAnd(n), k.usable, describeNeed(k.need), futureAZ, prose.Count(k.over, "address", "addresses")))
			continue
		}
		problems = append(problems, fmt.Sprintf("subnet %s (%d usable) needs %s at %d nodes: %s more than it holds",
			names[k][0], k.usable, describeNeed(k.need), futureAZ, prose.Count(k.over, "address", "addresses")))
	}
	return problems
}

func subnetName(es ExistingSubnet) string {
	if es.ID != "" {
		return es.ID + " " + es.CIDR
	}
	return es.CIDR
}

func sgTerm(sg int) string {
	if sg == 0 {
		return ""
	}
	return fmt.Sprintf(" − %d SG pods", sg)
}
