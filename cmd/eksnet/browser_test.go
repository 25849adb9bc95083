package main

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// browserEnv names the Chromium the map test must use (.ci/run sets it once
// .ci/install-browser has installed Debian's chromium); without it the test
// looks for one on PATH and skips when there is none.
const browserEnv = "EKSNET_BROWSER"

// TestMapInChromium is the done-when of the VPC map: `eksnet plan -f
// example.yaml -o svg > map.svg` opens in headless Chromium, and the
// screenshot shows every subnet: somewhere inside each subnet's rectangle a
// pixel has the subnet's own fill colour.
func TestMapInChromium(t *testing.T) {
	browser := os.Getenv(browserEnv)
	if browser == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				browser = p
				break
			}
		}
	}
	if browser == "" {
		t.Skipf("no Chromium on PATH: .ci/install-browser installs Debian's chromium (or set %s)", browserEnv)
	}
	crowded := filepath.Join(t.TempDir(), "crowded.yaml")
	if err := os.WriteFile(crowded, []byte(crowdedPlan()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, plan := range []string{filepath.Join("testdata", "plan", "example.yaml"), filepath.Join("testdata", "plan", "discovery-split.yaml"),
		filepath.Join("testdata", "plan", "ipv6.yaml"), crowded} {
		t.Run(filepath.Base(plan), func(t *testing.T) {
			svg, stderr, code := run(t, "plan", "-f", plan, "-o", "svg")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			doc, err := parseMap(strings.NewReader(svg))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			page := filepath.Join(dir, "map.svg")
			if err := os.WriteFile(page, []byte(svg), 0o644); err != nil {
				t.Fatal(err)
			}
			shot := screenshot(t, browser, dir, page, doc.width, doc.height)
			if b := shot.Bounds(); b.Dx() != doc.width || b.Dy() != doc.height {
				t.Fatalf("screenshot is %v, the map %dx%d", b, doc.width, doc.height)
			}
			if len(doc.subnets) == 0 {
				t.Fatal("the map draws no subnet")
			}
			for _, s := range doc.subnets {
				if !shows(shot, s) {
					t.Errorf("subnet %q (%s at %.0f,%.0f, %.1f wide) is not visible in the screenshot", s.title, s.fill, s.x, s.y, s.w)
				}
			}
		})
	}
}

// crowdedPlan is a VPC with 30 existing subnets in each of 3 AZs beside the
// plan's own: the map must still show every one of them.
func crowdedPlan() string {
	var b strings.Builder
	b.WriteString("region: us-west-2\nvpc:\n  cidrs: [10.0.0.0/16, 100.64.0.0/16]\n  existingSubnets:\n")
	azs := []string{"us-west-2a", "us-west-2b", "us-west-2c"}
	for i := range 90 {
		fmt.Fprintf(&b, "    - {cidr: 10.0.%d.0/25, az: %s}\n", i*2, azs[i%3])
	}
	b.WriteString("azs: [us-west-2a, us-west-2b, us-west-2c]\ncni:\n  secondaryCIDR: 100.64.0.0/16\n")
	b.WriteString("nodeGroups:\n  - {name: general, instanceTypes: [m5.large], nodes: 30, futureNodes: 90}\n")
	return b.String()
}

// mapDoc is what the test reads back from the SVG: its size and each
// subnet's rectangle.
type mapDoc struct {
	width, height int
	subnets       []drawn
}

type drawn struct {
	x, y, w, h float64
	fill       string
	title      string
}

func parseMap(r io.Reader) (mapDoc, error) {
	var doc mapDoc
	dec := xml.NewDecoder(r)
	var current *drawn
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return doc, nil
		}
		if err != nil {
			return doc, fmt.Errorf("the map is not XML: %w", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range el.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch {
			case el.Name.Local == "svg":
				doc.width, _ = strconv.Atoi(attr("width"))
				doc.height, _ = strconv.Atoi(attr("height"))
			case el.Name.Local == "rect" && (attr("class") == "subnet" || attr("class") == "other"):
				num := func(name string) float64 { v, _ := strconv.ParseFloat(attr(name), 64); return v }
				doc.subnets = append(doc.subnets, drawn{x: num("x"), y: num("y"), w: num("width"), h: num("height"), fill: attr("fill")})
				current = &doc.subnets[len(doc.subnets)-1]
			}
		case xml.CharData:
			if current != nil && current.title == "" {
				current.title = strings.TrimSpace(string(el))
			}
		case xml.EndElement:
			if el.Name.Local == "rect" {
				current = nil
			}
		}
	}
}

// screenshot renders page in headless Chromium at width × height, with the
// flags that keep it off the network and out of any profile.
func screenshot(t *testing.T, browser, dir, page string, width, height int) image.Image {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "shot.png")
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--force-device-scale-factor=1", "--user-data-dir="+filepath.Join(dir, "profile"),
		fmt.Sprintf("--window-size=%d,%d", width, height), "--screenshot="+out, "file://"+page)
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", browser, err, log)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	return img
}

// shows reports whether some pixel inside the rectangle has its fill.
func shows(img image.Image, s drawn) bool {
	want, ok := hexColour(s.fill)
	if !ok {
		return false
	}
	for y := int(s.y) + 1; y < int(s.y+s.h)-1; y++ {
		for x := int(s.x); x <= int(s.x+s.w); x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, want.R) && near(g, want.G) && near(b, want.B) {
				return true
			}
		}
	}
	return false
}

func hexColour(s string) (color.RGBA, bool) {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 {
		return color.RGBA{}, false
	}
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 255}, true
}

// near allows the colour management of a screenshot a step either way.
func near(got uint32, want uint8) bool {
	d := int(got>>8) - int(want)
	return d >= -2 && d <= 2
}
