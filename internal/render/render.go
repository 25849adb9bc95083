package render

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
	"gopkg.in/yaml.v3"

	"github.com/eksnet/eksnet/internal/enum"
	"github.com/eksnet/eksnet/internal/prose"
)

// Format is an output format chosen with -o.
type Format string

const (
	Table Format = "table"
	Wide  Format = "wide"
	JSON  Format = "json"
	YAML  Format = "yaml"
	Value Format = "value"
)

// StandardFormats are the formats every result supports.
var StandardFormats = []Format{Table, Wide, JSON, YAML, Value}

// ParseFormat reads -o: one of allowed (StandardFormats when none are
// given), in any case (enum.Parse).
func ParseFormat(s string, allowed ...Format) (Format, error) {
	if len(allowed) == 0 {
		allowed = StandardFormats
	}
	return enum.Parse("output format", s, allowed)
}

// Tabular is a result that can be shown as a table.
type Tabular interface {
	// TableHeader names the columns; wide adds the columns of -o wide.
	TableHeader(wide bool) []string
	// TableRows returns the cells, one slice per row, as many as the header.
	TableRows(wide bool) [][]string
}

// Footnoted is a table that has lines to print after it (notes, totals).
type Footnoted interface {
	Footnotes() []string
}

// Valued is a result with a bare value per line for scripts (-o value).
type Valued interface {
	Values() []string
}

// Write renders v in format f to w. v must implement Tabular for table and
// wide, and Valued for value; JSON and YAML come from its JSON tags.
func Write(w io.Writer, f Format, v any) error {
	switch f {
	case JSON:
		return writeJSON(w, v)
	case YAML:
		return writeYAML(w, v)
	case Value:
		valued, ok := v.(Valued)
		if !ok {
			return fmt.Errorf("output format %q is not available here", f)
		}
		for _, line := range valued.Values() {
			if _, err := fmt.Fprintln(w, prose.Printable(line)); err != nil {
				return err
			}
		}
		return nil
	case Table, Wide:
		tab, ok := v.(Tabular)
		if !ok {
			return fmt.Errorf("output format %q is not available here", f)
		}
		if err := WriteTable(w, tab.TableHeader(f == Wide), tab.TableRows(f == Wide)); err != nil {
			return err
		}
		if fn, ok := v.(Footnoted); ok {
			for _, line := range fn.Footnotes() {
				if _, err := fmt.Fprintln(w, prose.Printable(line)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return fmt.Errorf("invalid output format %q", f)
}

// WriteTable prints an aligned, borderless table with a header row, in the
// style of kubectl, so that it reads well and still splits on whitespace.
func WriteTable(w io.Writer, header []string, rows [][]string) error {
	var buf bytes.Buffer
	table := tablewriter.NewTable(&buf,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{
			Borders: tw.BorderNone,
			Symbols: tw.NewSymbols(tw.StyleNone),
			Settings: tw.Settings{
				Separators: tw.Separators{BetweenColumns: tw.Off, BetweenRows: tw.Off, ShowHeader: tw.Off},
				Lines:      tw.Lines{ShowHeaderLine: tw.Off},
			},
		})),
		tablewriter.WithConfig(tablewriter.Config{
			Header: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoFormat: tw.Off, AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Left: "", Right: "   ", Overwrite: true}},
			},
			Row: tw.CellConfig{
				Formatting: tw.CellFormatting{AutoWrap: tw.WrapNone},
				Alignment:  tw.CellAlignment{Global: tw.AlignLeft},
				Padding:    tw.CellPadding{Global: tw.Padding{Left: "", Right: "   ", Overwrite: true}},
			},
		}),
	)
	table.Header(header)
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, cell := range row { // no escape sequence from a file or EC2 reaches the terminal
			safe[i] = prose.Printable(cell)
		}
		if err := table.Append(safe); err != nil {
			return err
		}
	}
	if err := table.Render(); err != nil {
		return err
	}
	// The column padding also pads the last column; trailing blanks only
	// get in the way of diff and grep.
	lines := strings.SplitAfter(buf.String(), "\n")
	for i, line := range lines {
		lines[i] = strings.TrimRight(line, " \n")
		if strings.HasSuffix(line, "\n") {
			lines[i] += "\n"
		}
	}
	_, err := io.WriteString(w, strings.Join(lines, ""))
	return err
}

// jsonOptions make go-json-experiment/json (the implementation behind
// encoding/json/v2) write exactly what encoding/json's Encoder with a
// two-space indent and no HTML escaping writes, in one pass instead of
// marshal-then-reindent: half the time for `maxpods --all -o json`.
func jsonOptions(indent bool) jsonv2.Options {
	opts := []jsonv2.Options{jsonv1.DefaultOptionsV1(), jsontext.EscapeForHTML(false)}
	if indent {
		opts = append(opts, jsontext.WithIndent("  "))
	}
	return jsonv2.JoinOptions(opts...)
}

func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer // whole or nothing: an encoding error writes no partial document
	if err := jsonv2.MarshalWrite(&b, v, jsonOptions(true)); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}

// writeYAML goes through JSON so that YAML keys are the JSON contract's
// camelCase names in the same order, never a second set of tags.
func writeYAML(w io.Writer, v any) error {
	data, err := jsonv2.Marshal(v, jsonOptions(false))
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	blockStyle(&doc)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return err
	}
	return enc.Close()
}

// blockStyle clears the flow style and quotes that JSON input gives every
// node; the encoder still quotes a string that would read as another type.
// YAML 1.1 readers (kubectl's among them) also take yes/no/on/off for
// booleans, so those strings keep their quotes too.
func blockStyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && isYAML11Bool(n.Value) {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		blockStyle(c)
	}
}

func isYAML11Bool(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off":
		return true
	}
	return false
}
