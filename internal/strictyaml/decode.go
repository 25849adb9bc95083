package strictyaml

import (
	"bytes"
	"encoding"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/eksnet/eksnet/internal/prose"
	"gopkg.in/yaml.v3"
)

// MaxDepth bounds how deeply mappings and sequences may nest: eksnet's own
// files nest a handful of levels, and a bound keeps hostile input linear.
const MaxDepth = 32

// Error is a problem at one place of the document.
type Error struct {
	Line int    // 1-based; 0 when unknown
	Path string // "nodeGroups[0].nodes"; "" for the document
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", e.Line)
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrEmpty is returned for a document with no content.
var ErrEmpty = errors.New("the document is empty")

// Decode decodes data, YAML or JSON, into out, a pointer to a struct whose
// fields may already hold defaults: keys that are absent leave them as they are.
func Decode(data []byte, out any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return ErrEmpty
		}
		return syntaxError(err)
	}
	var second yaml.Node
	switch err := dec.Decode(&second); {
	case err == nil:
		return &Error{Line: second.Line, Msg: "a second YAML document: the file holds one document"}
	case !errors.Is(err, io.EOF):
		return syntaxError(err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" {
		return ErrEmpty
	}
	root := doc.Content[0]
	t := reflect.TypeOf(out)
	if t.Kind() != reflect.Pointer {
		return errors.New("strictyaml: Decode needs a pointer")
	}
	if err := check(root, t.Elem(), "", 0); err != nil {
		return err
	}
	if err := root.Decode(out); err != nil {
		return typeError(err)
	}
	return nil
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// check walks node against t: mappings into structs must use known keys
// once each; aliases are refused, since they let a small file expand.
func check(node *yaml.Node, t reflect.Type, path string, depth int) error {
	if depth > MaxDepth {
		return &Error{Line: node.Line, Path: path, Msg: fmt.Sprintf("nested more than %d levels deep", MaxDepth)}
	}
	if node.Kind == yaml.AliasNode || node.Anchor != "" {
		return &Error{Line: node.Line, Path: path, Msg: "YAML anchors and aliases are not accepted: write the value out"}
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		if node.Kind != yaml.ScalarNode {
			return &Error{Line: node.Line, Path: path, Msg: "want a single value, not a list or mapping"}
		}
		v := reflect.New(t).Interface().(encoding.TextUnmarshaler)
		if err := v.UnmarshalText([]byte(node.Value)); err != nil {
			return &Error{Line: node.Line, Path: path, Msg: err.Error()}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return &Error{Line: node.Line, Path: path, Msg: "want a mapping of keys to values"}
		}
		fields := fieldsOf(t)
		seen := map[string]int{}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			key := k.Value
			where := join(path, key)
			if first, dup := seen[key]; dup {
				return &Error{Line: k.Line, Path: where, Msg: fmt.Sprintf("duplicate key (first at line %d)", first)}
			}
			seen[key] = k.Line
			ft, ok := fields[key]
			if !ok {
				msg := fmt.Sprintf("unknown key %q (allowed: %s)", key, strings.Join(keysOf(fields), ", "))
				for known := range fields {
					if strings.EqualFold(known, key) {
						msg = fmt.Sprintf("unknown key %q: keys are case-sensitive, did you mean %q?", key, known)
					}
				}
				return &Error{Line: k.Line, Path: path, Msg: msg}
			}
			if err := check(v, ft, where, depth+1); err != nil {
				return err
			}
		}
	case reflect.Slice:
		if node.Kind == yaml.ScalarNode && node.Tag == "!!null" {
			return nil
		}
		if node.Kind != yaml.SequenceNode {
			return &Error{Line: node.Line, Path: path, Msg: "want a list"}
		}
		for i, item := range node.Content {
			if err := check(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		if node.Kind != yaml.MappingNode {
			return &Error{Line: node.Line, Path: path, Msg: "want a mapping of keys to values"}
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k := node.Content[i]
			if first, dup := seen[k.Value]; dup {
				return &Error{Line: k.Line, Path: join(path, k.Value), Msg: fmt.Sprintf("duplicate key (first at line %d)", first)}
			}
			seen[k.Value] = k.Line
			if err := check(node.Content[i+1], t.Elem(), join(path, k.Value), depth+1); err != nil {
				return err
			}
		}
	default:
		if node.Kind != yaml.ScalarNode {
			return &Error{Line: node.Line, Path: path, Msg: "want a single value, not a list or mapping"}
		}
		return checkScalar(node, t, path)
	}
	return nil
}

// checkScalar refuses a value of the wrong type with the value as given:
// 2.5 or 1e300 nodes, a count past the integer range, "yes" for a boolean.
func checkScalar(node *yaml.Node, t reflect.Type, path string) error {
	bad := func(want string) error {
		return &Error{Line: node.Line, Path: path, Msg: fmt.Sprintf("%s is not %s", quoteValue(node.Value), want)}
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if node.Tag != "!!int" {
			return bad("a whole number")
		}
		if _, err := strconv.ParseInt(strings.ReplaceAll(node.Value, "_", ""), 0, t.Bits()); err != nil {
			return bad(fmt.Sprintf("a whole number from %d to %d", int64(-1)<<(t.Bits()-1), int64(1)<<(t.Bits()-1)-1))
		}
	case reflect.Bool:
		if node.Tag != "!!bool" {
			return bad("true or false")
		}
	case reflect.String:
		if node.Tag == "!!null" {
			return bad("a string")
		}
	}
	return nil
}

// quoteValue shows a value in a message: quoted, and cut when long.
func quoteValue(s string) string {
	const most = 40
	if len(s) > most {
		return strconv.Quote(s[:most]) + "..."
	}
	return strconv.Quote(s)
}

// fieldsOf maps a struct's yaml keys to their types, with inline structs flattened.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range fieldsOf(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func keysOf(fields map[string]reflect.Type) []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// syntaxError makes yaml.v3's syntax error one line ("yaml: line 3: ...").
func syntaxError(err error) error {
	msg := prose.OneLine(err.Error())
	return &Error{Msg: "not YAML or JSON: " + strings.TrimPrefix(msg, "yaml: ")}
}

// typeError makes yaml.v3's list of unmarshal errors one line: the first.
func typeError(err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		return &Error{Msg: prose.OneLine(te.Errors[0])}
	}
	return &Error{Msg: prose.OneLine(err.Error())}
}
