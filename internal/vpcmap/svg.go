package vpcmap

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/netip"
	"slices"

	"github.com/eksnet/eksnet/internal/plan"
	"github.com/eksnet/eksnet/internal/vpc"
)

// Geometry of the drawing, in SVG user units.
const (
	width      = 1000
	margin     = 20
	barHeight  = 36
	rowGap     = 34
	tableRow   = 18
	minWidth   = 2 // a /28 in a /16 is 1/4096 of the bar: never thinner than this
	labelWidth = 110
)

// roleColours fill subnets by role; existing subnets get a dark outline.
var roleColours = map[plan.Role]string{
	plan.RoleNode:    "#4e79a7",
	plan.RolePod:     "#59a14f",
	plan.RoleCluster: "#f28e2b",
	plan.RolePublic:  "#b07aa1",
}

type block struct {
	prefix  netip.Prefix
	zoomOf  netip.Prefix // the block this bar enlarges; invalid for a block's own bar
	subnets []plan.Subnet
	others  []plan.OtherSubnet
	reserve []plan.Reservation
}

// otherColour fills the existing subnets that are not the cluster's.
const otherColour = "#bab0ac"

// blocksOf places every subnet and reservation in the block that holds it,
// blocks in the plan's order (VPC blocks, then secondary blocks).
func blocksOf(r *plan.Result) ([]block, error) {
	var blocks []block
	for _, c := range append(slices.Clone(r.VPCCIDRs), r.SecondaryCIDRs...) {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			return nil, fmt.Errorf("VPC map: block %q: %v", c, err)
		}
		if !slices.ContainsFunc(blocks, func(b block) bool { return b.prefix == p }) {
			blocks = append(blocks, block{prefix: p})
		}
	}
	find := func(cidr string) (int, netip.Prefix, error) {
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			return 0, p, fmt.Errorf("VPC map: %q: %v", cidr, err)
		}
		for i, b := range blocks {
			if b.prefix.Contains(p.Addr()) {
				return i, p, nil
			}
		}
		return 0, p, fmt.Errorf("VPC map: %s is in none of the VPC's blocks", cidr)
	}
	for _, s := range r.Subnets {
		i, _, err := find(s.CIDR)
		if err != nil {
			return nil, err
		}
		blocks[i].subnets = append(blocks[i].subnets, s)
	}
	for _, o := range r.OtherSubnets {
		i, _, err := find(o.CIDR)
		if err != nil {
			return nil, err
		}
		blocks[i].others = append(blocks[i].others, o)
	}
	for _, res := range r.Reservations {
		i, _, err := find(res.CIDR)
		if err != nil {
			return nil, err
		}
		blocks[i].reserve = append(blocks[i].reserve, res)
	}
	return blocks, nil
}

// outlineMinWidth is the narrowest rectangle that gets the existing
// subnets' outline: on a sliver the outline would hide the fill.
const outlineMinWidth = 6

func outline(w float64) string {
	if w < outlineMinWidth {
		return "none"
	}
	return "#000"
}

// zoomBits is how much smaller than its block the span of a block's
// subnets must be for the map to add an enlarged bar of that span: at an
// eighth of the block, subnets that are slivers on its own bar get room for
// their labels.
const zoomBits = 3

// withZooms adds after each block whose subnets (planned, adopted and
// reserved) all lie within an aligned eighth of it or less a bar enlarging
// that span, so that a /16 holding a few /25s still shows them readably.
func withZooms(blocks []block) []block {
	var out []block
	for _, bl := range blocks {
		out = append(out, bl)
		var ps []netip.Prefix
		for _, s := range bl.subnets {
			if p, err := netip.ParsePrefix(s.CIDR); err == nil {
				ps = append(ps, p)
			}
		}
		if len(ps) == 0 {
			continue
		}
		span := covering(ps)
		if span.Bits()-bl.prefix.Bits() < zoomBits {
			continue
		}
		z := block{prefix: span, zoomOf: bl.prefix}
		inside := func(cidr string) bool {
			p, err := netip.ParsePrefix(cidr)
			return err == nil && span.Contains(p.Addr()) && p.Bits() >= span.Bits()
		}
		for _, s := range bl.subnets {
			if inside(s.CIDR) {
				z.subnets = append(z.subnets, s)
			}
		}
		for _, o := range bl.others {
			if inside(o.CIDR) {
				z.others = append(z.others, o)
			}
		}
		for _, r := range bl.reserve {
			if inside(r.CIDR) {
				z.reserve = append(z.reserve, r)
			}
		}
		out = append(out, z)
	}
	return out
}

// covering is the smallest prefix holding all of ps (IPv4).
func covering(ps []netip.Prefix) netip.Prefix {
	c := ps[0].Masked()
	for _, p := range ps[1:] {
		for c.Bits() > 0 && !(c.Contains(p.Addr()) && p.Bits() >= c.Bits()) {
			c = netip.PrefixFrom(c.Addr(), c.Bits()-1).Masked()
		}
	}
	return c
}

// span is where prefix p lies in block b, in units along the bar.
func span(b, p netip.Prefix) (x, w float64) {
	size := float64(uint64(1) << (32 - b.Bits()))
	scale := float64(width-2*margin-labelWidth) / size
	offset := float64(vpc.Offset(b, p.Addr()))
	return float64(margin+labelWidth) + offset*scale, max(float64(uint64(1)<<(32-p.Bits()))*scale, minWidth)
}

func percent(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*float64(n)/float64(of))
}

// details is a subnet's hover text and table row.
func details(s plan.Subnet) []string {
	state := "planned"
	if s.Existing {
		state = "existing " + s.ID
	}
	d := []string{s.CIDR, s.AZ, string(s.Role), state, fmt.Sprint(s.UsableAddresses), fmt.Sprint(s.AddressesNeeded),
		fmt.Sprint(s.AddressesNeededFuture), percent(s.AddressesNeededFuture, s.UsableAddresses)}
	switch {
	case s.IPv6CIDR != "":
		d = append(d, s.IPv6CIDR)
	case s.IPv6Index != nil:
		d = append(d, fmt.Sprintf("/64 #%d", *s.IPv6Index))
	}
	return d
}

// ipv6Column is the table's column for an IPv6 cluster's /64s, past the
// bars' width.
const ipv6Column = 880

// ipv6Width is the room the IPv6 column takes beyond width.
const ipv6Width = 200

var tableHeader = []string{"CIDR", "AZ", "ROLE", "STATE", "USABLE", "NOW", "FUTURE", "USED AT FUTURE"}

// tableColumns are the x offsets of the table's columns.
var tableColumns = []int{margin, 170, 270, 340, 540, 620, 690, 780}

// WriteSVG draws r's VPC map on w.
func WriteSVG(w io.Writer, r *plan.Result) error {
	blocks, err := blocksOf(r)
	if err != nil {
		return err
	}
	blocks = withZooms(blocks)
	var b bytes.Buffer
	barsHeight := margin + len(blocks)*(barHeight+rowGap)
	legendY := barsHeight
	tableY := legendY + 40
	height := tableY + (len(r.Subnets)+1)*tableRow + margin
	header, columns, total := tableHeader, tableColumns, width
	if r.IPv6 != nil {
		header, columns, total = append(slices.Clone(header), "IPV6"), append(slices.Clone(columns), ipv6Column), width+ipv6Width
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", total, height, total, height)
	b.WriteString(`<title>VPC address map</title>` + "\n")
	b.WriteString(`<defs><pattern id="reserved" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff" fill-opacity="0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#333" stroke-width="2"/></pattern></defs>` + "\n")
	for i, bl := range blocks {
		y := margin + i*(barHeight+rowGap)
		x0, w0 := span(bl.prefix, bl.prefix)
		label, weight := bl.prefix.String(), ` font-weight="bold"`
		if bl.zoomOf.IsValid() {
			label, weight = "↳ "+label, ""
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d"%s>%s</text>`+"\n", margin, y+barHeight/2+4, weight, esc(label))
		fmt.Fprintf(&b, `<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="#f4f4f4" stroke="#999"><title>%s: free space shown blank</title></rect>`+"\n", x0, y, w0, barHeight, esc(bl.prefix.String()))
		for _, o := range bl.others {
			p, _ := netip.ParsePrefix(o.CIDR)
			x, w := span(bl.prefix, p)
			what := o.CIDR + " existing"
			if o.ID != "" {
				what += " " + o.ID
			}
			if o.AZ != "" {
				what += " in " + o.AZ
			}
			fmt.Fprintf(&b, `<rect class="other" x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" stroke="%s"><title>%s: not the cluster's, carved around</title></rect>`+"\n",
				x, y, w, barHeight, otherColour, outline(w), esc(what))
			if w > 70 {
				fmt.Fprintf(&b, `<text x="%.2f" y="%d" font-size="10">%s</text>`+"\n", x+3, y+barHeight/2+4, esc(o.CIDR))
			}
		}
		for _, s := range bl.subnets {
			p, _ := netip.ParsePrefix(s.CIDR)
			x, w := span(bl.prefix, p)
			stroke := "none"
			if s.Existing {
				stroke = outline(w)
			}
			d := details(s)
			fmt.Fprintf(&b, `<rect class="subnet" x="%.2f" y="%d" width="%.2f" height="%d" fill="%s" stroke="%s"><title>%s %s %s (%s): %s usable, %s now, %s at the future size (%s)</title></rect>`+"\n",
				x, y, w, barHeight, roleColours[s.Role], stroke, esc(d[0]), esc(d[1]), esc(d[2]), esc(d[3]), d[4], d[5], d[6], d[7])
			if w > 70 {
				fmt.Fprintf(&b, `<text x="%.2f" y="%d" fill="#fff" font-size="10">%s</text>`+"\n", x+3, y+barHeight/2+4, esc(s.CIDR))
			}
		}
		for _, res := range bl.reserve {
			p, _ := netip.ParsePrefix(res.CIDR)
			x, w := span(bl.prefix, p)
			fmt.Fprintf(&b, `<rect x="%.2f" y="%d" width="%.2f" height="%d" fill="url(#reserved)"><title>%s reserved for prefixes in %s</title></rect>`+"\n", x, y, w, barHeight, esc(res.CIDR), esc(res.SubnetCIDR))
		}
		caption := fmt.Sprintf("%s: %d addresses", bl.prefix, uint64(1)<<(32-bl.prefix.Bits()))
		if bl.zoomOf.IsValid() {
			caption = fmt.Sprintf("%s of %s enlarged: the part holding the plan's subnets", bl.prefix, bl.zoomOf)
		}
		fmt.Fprintf(&b, `<text x="%.2f" y="%d" font-size="10" fill="#555">%s</text>`+"\n", x0, y+barHeight+14, esc(caption))
	}
	// Legend.
	x := margin
	for _, role := range plan.Roles {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s"/><text x="%d" y="%d">%s</text>`+"\n", x, legendY, roleColours[role], x+18, legendY+12, esc(string(role)))
		x += 90
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="#fff" stroke="#000"/><text x="%d" y="%d">existing</text>`+"\n", x, legendY, x+18, legendY+12)
	x += 90
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s" stroke="#000"/><text x="%d" y="%d">other subnet</text>`+"\n", x, legendY, otherColour, x+18, legendY+12)
	x += 115
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="url(#reserved)" stroke="#333"/><text x="%d" y="%d">prefix reservation</text>`+"\n", x, legendY, x+18, legendY+12)
	x += 140
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="#f4f4f4" stroke="#999"/><text x="%d" y="%d">free</text>`+"\n", x, legendY, x+18, legendY+12)
	// Table: every subnet, by AZ and role as the plan lists them.
	row := func(y int, cells []string, bold bool) {
		weight := ""
		if bold {
			weight = ` font-weight="bold"`
		}
		for i, c := range cells {
			fmt.Fprintf(&b, `<text x="%d" y="%d"%s>%s</text>`, columns[i], y, weight, esc(c))
		}
		b.WriteString("\n")
	}
	row(tableY, header, true)
	for i, s := range r.Subnets {
		row(tableY+(i+1)*tableRow, details(s), false)
	}
	b.WriteString("</svg>\n")
	_, err = w.Write(b.Bytes())
	return err
}

// WriteHTML writes one self-contained page holding the SVG: no script, no
// external file; the browser shows each shape's title on hover.
func WriteHTML(w io.Writer, r *plan.Result) error {
	var svg bytes.Buffer
	if err := WriteSVG(&svg, r); err != nil {
		return err
	}
	title := "VPC address map"
	if r.VPCID != "" {
		title += " of " + r.VPCID
	}
	_, err := fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>%s</title>\n<style>body{font-family:sans-serif;margin:1em} rect.subnet:hover{opacity:.75}</style></head>\n<body>\n<h1>%s</h1>\n<p>Region %s. Hover a subnet for its size and use.</p>\n%s</body>\n</html>\n",
		esc(title), esc(title), esc(r.Region), svg.String())
	return err
}

func esc(s string) string { return html.EscapeString(s) }
