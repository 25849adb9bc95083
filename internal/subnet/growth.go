package subnet

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/satint"
)

// Limits on growth specs: beyond them a forecast means nothing.
const (
	maxGrowthPercent = 1000
	maxGrowthNodes   = 1_000_000
	// MaxHorizonMonths is the furthest a runway looks: 100 years.
	MaxHorizonMonths = 1200
	// RunwayHorizonMonths is how far a runway looks by default: ten years.
	RunwayHorizonMonths = 120
)

// Growth is how a node count grows: once, by a percentage ("40%") or by a
// number of nodes ("+50"), or every month, compounded ("5%/month") or by a
// number of nodes ("+10/month"). The zero Growth is no growth.
type Growth struct {
	basisPoints int // hundredths of a percent
	nodes       int
	byNodes     bool
	monthly     bool
}

const growthHelp = "want a percentage once (40%) or per month (5%/month), or nodes once (+50) or per month (+10/month)"

// ParseGrowth parses a growth spec: "40%", "5%/month", "+50" or "+10/month"
// (percentages with at most two decimals, up to 1000%; "/mo" for "/month").
func ParseGrowth(s string) (Growth, error) {
	spec := strings.ToLower(strings.Join(strings.Fields(s), ""))
	var g Growth
	for _, suffix := range []string{"/month", "/mo"} {
		if rest, ok := strings.CutSuffix(spec, suffix); ok {
			spec, g.monthly = rest, true
			break
		}
	}
	switch {
	case strings.HasPrefix(spec, "-"):
		return Growth{}, fmt.Errorf("invalid growth %q: it cannot be negative; %s", s, growthHelp)
	case strings.HasPrefix(spec, "+"):
		digits := spec[1:]
		n, err := strconv.Atoi(digits)
		if err != nil || digits == "" || strings.ContainsAny(digits, "+-") {
			return Growth{}, fmt.Errorf("invalid growth %q: %s", s, growthHelp)
		}
		if n > maxGrowthNodes {
			return Growth{}, fmt.Errorf("invalid growth %q: at most +%d nodes", s, maxGrowthNodes)
		}
		g.byNodes, g.nodes = true, n
	case strings.HasSuffix(spec, "%"):
		bp, err := parseBasisPoints(strings.TrimSuffix(spec, "%"))
		if err != nil {
			return Growth{}, fmt.Errorf("invalid growth %q: %v; %s", s, err, growthHelp)
		}
		if bp > maxGrowthPercent*100 {
			return Growth{}, fmt.Errorf("invalid growth %q: at most %d%%", s, maxGrowthPercent)
		}
		g.basisPoints = bp
	default:
		return Growth{}, fmt.Errorf("invalid growth %q: %s", s, growthHelp)
	}
	return g, nil
}

// parseBasisPoints reads a decimal percentage with at most two decimals as
// hundredths of a percent ("5.5" is 550).
func parseBasisPoints(s string) (int, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, errors.New("no number")
	}
	if len(frac) > 2 {
		return 0, errors.New("at most two decimals")
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, errors.New("not a number")
		}
	}
	if len(whole) > 6 {
		return math.MaxInt, nil // far beyond the limit; the caller says so
	}
	w, _ := strconv.Atoi("0" + whole)
	f, _ := strconv.Atoi((frac + "00")[:2])
	return w*100 + f, nil
}

// Monthly reports whether the growth repeats every month.
func (g Growth) Monthly() bool { return g.monthly }

// IsZero reports whether the growth adds nothing.
func (g Growth) IsZero() bool { return g.basisPoints == 0 && g.nodes == 0 }

// String is the growth as ParseGrowth reads it: "5%/month", "+10/month".
func (g Growth) String() string {
	var s string
	if g.byNodes {
		s = fmt.Sprintf("+%d", g.nodes)
	} else {
		s = fmt.Sprintf("%d", g.basisPoints/100)
		if frac := g.basisPoints % 100; frac != 0 {
			s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
		}
		s += "%"
	}
	if g.monthly {
		s += "/month"
	}
	return s
}

// After is the node count after months of a monthly growth, compounded and
// rounded up to whole nodes once at the end; a one-off growth applies once
// whatever the months.
func (g Growth) After(nodes, months int) int {
	if nodes < 0 {
		return nodes
	}
	times := 1
	if g.monthly {
		times = max(months, 0)
	}
	if g.byNodes {
		return satint.Add(nodes, satint.Mul(g.nodes, times))
	}
	if g.basisPoints == 0 || times == 0 || nodes == 0 {
		return nodes
	}
	// ⌈nodes × ((10000 + bp) / 10000)^times⌉, exactly.
	num := new(big.Int).Exp(big.NewInt(int64(10000+g.basisPoints)), big.NewInt(int64(times)), nil)
	num.Mul(num, big.NewInt(int64(nodes)))
	den := new(big.Int).Exp(big.NewInt(10000), big.NewInt(int64(times)), nil)
	num.Add(num, den).Sub(num, big.NewInt(1)).Quo(num, den)
	if !num.IsInt64() || num.Int64() > math.MaxInt {
		return math.MaxInt
	}
	return int(num.Int64())
}

// Runway is when a subnet runs out of addresses as the nodes grow.
type Runway struct {
	MaxNodes      int  `json:"maxNodes"`      // the most nodes the subnet holds (0 if it is already over)
	RunsOut       bool `json:"runsOut"`       // within the horizon
	Month         int  `json:"month"`         // the first month it cannot hold its nodes (0: now)
	Nodes         int  `json:"nodes"`         // all nodes in that month
	NodesInSubnet int  `json:"nodesInSubnet"` // the subnet's share of them
	HorizonMonths int  `json:"horizonMonths"`
}

// Spread is how nodes share out over subnets: evenly over AZs subnets,
// rounding up, plus Surge spare nodes in each (NodesPerAZ). The zero Spread
// is one subnet holding every node.
type Spread struct {
	AZs, Surge int
}

// Share is the nodes one subnet holds when nodes are spread.
func (s Spread) Share(nodes int) int {
	if s.AZs <= 1 {
		return satint.Add(nodes, max(s.Surge, 0))
	}
	return satint.Add(satint.CeilDiv(nodes, s.AZs), max(s.Surge, 0))
}

// Room is how many more nodes, each needing perNode, fit a subnet of length
// p that holds used now (docs/vpc-rules.md, docs/node-addresses.md); math.MaxInt when the nodes
// take nothing from it, 0 when it is already over.
func Room(p PrefixLen, used, perNode Need) int {
	if !used.FitsIn(p) {
		return 0
	}
	if perNode.Total() == 0 {
		return math.MaxInt
	}
	// Each node takes at least one address, so no more than a /16's worth fit.
	lo, hi := 0, Largest.Usable()+1 // used + lo×perNode fits; used + hi×perNode does not
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if used.Plus(perNode.Times(mid)).FitsIn(p) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// RunwayFor finds the month a subnet of length p runs out: it holds used now,
// with its share of nodes; each further node of its share needs perNode
// (docs/node-addresses.md); all nodes grow by g every month and spread as spread says.
// used is taken as packed into whole /28 blocks, the best case: a
// fragmented subnet runs out of free /28s sooner.
func RunwayFor(p PrefixLen, used, perNode Need, nodes int, spread Spread, g Growth, horizonMonths int) (Runway, error) {
	switch {
	case !p.Valid():
		return Runway{}, fmt.Errorf("invalid subnet size /%d: AWS allows /16 to /28", int(p))
	case used.Addresses < 0 || used.Blocks < 0 || perNode.Addresses < 0 || perNode.Blocks < 0:
		return Runway{}, errors.New("addresses in use and per node cannot be negative")
	case nodes < 0:
		return Runway{}, fmt.Errorf("invalid node count %d: must be 0 or more", nodes)
	case spread.AZs < 0 || spread.Surge < 0:
		return Runway{}, fmt.Errorf("invalid spread over %d AZs with %d surge nodes: neither can be negative", spread.AZs, spread.Surge)
	case !g.Monthly():
		return Runway{}, fmt.Errorf("a runway needs growth per month, such as 5%%/month or +10/month, not %s", g)
	case horizonMonths < 1 || horizonMonths > MaxHorizonMonths:
		return Runway{}, fmt.Errorf("invalid horizon of %d months: must be 1 to %d", horizonMonths, MaxHorizonMonths)
	}
	r := Runway{HorizonMonths: horizonMonths}
	share := spread.Share(nodes)
	if !used.FitsIn(p) {
		r.RunsOut, r.Nodes, r.NodesInSubnet = true, nodes, share
		return r, nil
	}
	r.MaxNodes = satint.Add(share, Room(p, used, perNode))
	if g.IsZero() {
		return r, nil
	}
	if month, ok := FirstMonthOver(p, used, []Part{{Nodes: nodes, Spread: spread, PerNode: perNode}}, g, horizonMonths); ok {
		n := g.After(nodes, month)
		r.RunsOut, r.Month, r.Nodes, r.NodesInSubnet = true, month, n, spread.Share(n)
	}
	return r, nil
}

// Part is a group of nodes that grows together: Nodes today, spread over
// subnets as Spread says, each node taking PerNode from the subnet.
type Part struct {
	Nodes   int
	Spread  Spread
	PerNode Need
}

// FirstMonthOver is the first month, from 0 (today) to horizonMonths, in which
// a subnet of length p no longer holds base (what it holds today) plus the
// nodes each part gains by then, every part growing by g (After) and spread
// as it says (docs/vpc-rules.md: 5 reserved; docs/node-addresses.md: whole /28 blocks); false if
// it holds them all the way.
func FirstMonthOver(p PrefixLen, base Need, parts []Part, g Growth, horizonMonths int) (int, bool) {
	return FirstMonthOverShared(p, 1, base, parts, g, horizonMonths)
}

// FirstMonthOverShared is FirstMonthOver for subnets subnets of length p
// that share the demand evenly (Need.Share), as discovered pod subnets do.
func FirstMonthOverShared(p PrefixLen, subnets int, base Need, parts []Part, g Growth, horizonMonths int) (int, bool) {
	for month := 0; month <= horizonMonths; month++ {
		need := base
		for _, part := range parts {
			today := part.Spread.Share(part.Nodes)
			need = need.Plus(part.PerNode.Times(max(part.Spread.Share(g.After(part.Nodes, month))-today, 0)))
		}
		if !need.Share(subnets).FitsIn(p) {
			return month, true
		}
	}
	return 0, false
}
