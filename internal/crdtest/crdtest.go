package crdtest

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
	"github.com/eksnet/eksnet/internal/prose"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// Validator checks documents of one CRD version.
type Validator struct {
	Group, Version, Kind string
	schema               *jsonschema.Schema
	raw                  map[string]any
	env                  *cel.Env
	// Evaluated and Skipped count the CEL rules of the schema that compile
	// with cel-go's standard library and extensions, and those that do not
	// (Kubernetes library functions) or compare with oldSelf.
	Evaluated, Skipped int
}

type crd struct {
	Spec struct {
		Group string `yaml:"group"`
		Names struct {
			Kind string `yaml:"kind"`
		} `yaml:"names"`
		Versions []struct {
			Name   string `yaml:"name"`
			Schema struct {
				OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
			} `yaml:"schema"`
		} `yaml:"versions"`
	} `yaml:"spec"`
}

// Load reads the CRD at path and prepares version.
func Load(path, version string) (*Validator, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c crd
	if err := yaml.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v := &Validator{Group: c.Spec.Group, Version: version, Kind: c.Spec.Names.Kind}
	for _, ver := range c.Spec.Versions {
		if ver.Name == version {
			v.raw = ver.Schema.OpenAPIV3Schema
		}
	}
	if v.raw == nil {
		return nil, fmt.Errorf("%s has no version %s", path, version)
	}
	strict := strictify(jsonValue(v.raw))
	compiler := jsonschema.NewCompiler()
	if err := compiler.AddResource("crd.json", strict); err != nil {
		return nil, err
	}
	if v.schema, err = compiler.Compile("crd.json"); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if v.env, err = cel.NewEnv(cel.Variable("self", cel.DynType), ext.Strings(), ext.Sets(), ext.Lists(), ext.Math()); err != nil {
		return nil, err
	}
	v.countRules(v.raw)
	return v, nil
}

// strictify copies a structural schema, refusing unknown fields wherever
// it lists properties and does not preserve unknown fields: the API
// server's strict field validation (kubectl apply's default) rejects them
// where pruning would drop them silently.
func strictify(s any) any {
	switch n := s.(type) {
	case map[string]any:
		out := make(map[string]any, len(n)+1)
		for k, v := range n {
			switch k {
			case "properties", "patternProperties":
				props := map[string]any{}
				for name, sub := range v.(map[string]any) {
					props[name] = strictify(sub)
				}
				out[k] = props
			default:
				out[k] = strictify(v)
			}
		}
		_, hasProps := n["properties"]
		_, hasAdditional := n["additionalProperties"]
		if hasProps && !hasAdditional && n["x-kubernetes-preserve-unknown-fields"] != true {
			out["additionalProperties"] = false
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = strictify(v)
		}
		return out
	}
	return s
}

// Validate checks doc (decoded YAML or JSON) against the CRD: apiVersion
// and kind, the schema, and the CEL rules.
func (v *Validator) Validate(doc map[string]any) error {
	if want := v.Group + "/" + v.Version; doc["apiVersion"] != want || doc["kind"] != v.Kind {
		return fmt.Errorf("apiVersion %v, kind %v: want %s %s", doc["apiVersion"], doc["kind"], want, v.Kind)
	}
	if err := v.schema.Validate(jsonValue(doc)); err != nil {
		return fmt.Errorf("%s %s: %s", v.Kind, name(doc), prose.OneLine(err.Error()))
	}
	var errs []error
	v.rules(v.raw, doc, "", &errs)
	return errors.Join(errs...)
}

// ValidateYAML decodes every document of a YAML stream and validates those
// of this CRD's kind; it returns how many it validated.
func (v *Validator) ValidateYAML(data []byte) (int, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	n := 0
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if doc == nil || doc["kind"] != v.Kind {
			continue
		}
		if err := v.Validate(doc); err != nil {
			return n, err
		}
		n++
	}
}

func name(doc map[string]any) any {
	if m, ok := doc["metadata"].(map[string]any); ok {
		return m["name"]
	}
	return nil
}

// jsonValue converts decoded YAML (a document, or a schema) to the JSON
// values jsonschema takes: its ints to float64.
func jsonValue(v any) any {
	switch n := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(n))
		for k, e := range n {
			out[k] = jsonValue(e)
		}
		return out
	case []any:
		out := make([]any, len(n))
		for i, e := range n {
			out[i] = jsonValue(e)
		}
		return out
	case int:
		return float64(n)
	}
	return v
}

type rule struct {
	Rule    string `yaml:"rule"`
	Message string `yaml:"message"`
}

func rulesOf(schema map[string]any) []rule {
	list, _ := schema["x-kubernetes-validations"].([]any)
	var out []rule
	for _, r := range list {
		m, _ := r.(map[string]any)
		text, _ := m["rule"].(string)
		msg, _ := m["message"].(string)
		out = append(out, rule{Rule: text, Message: msg})
	}
	return out
}

// program compiles a rule, or returns nil for one this environment cannot
// evaluate.
func (v *Validator) program(r rule) cel.Program {
	if strings.Contains(r.Rule, "oldSelf") {
		return nil
	}
	ast, issues := v.env.Compile(r.Rule)
	if issues != nil && issues.Err() != nil {
		return nil
	}
	prg, err := v.env.Program(ast)
	if err != nil {
		return nil
	}
	return prg
}

func (v *Validator) countRules(s any) {
	switch n := s.(type) {
	case map[string]any:
		for _, r := range rulesOf(n) {
			if v.program(r) != nil {
				v.Evaluated++
			} else {
				v.Skipped++
			}
		}
		for _, e := range n {
			v.countRules(e)
		}
	case []any:
		for _, e := range n {
			v.countRules(e)
		}
	}
}

// rules evaluates the CEL rules of schema on value, and recurses into the
// properties, items and additionalProperties present in value.
func (v *Validator) rules(schema map[string]any, value any, path string, errs *[]error) {
	if value == nil {
		return
	}
	for _, r := range rulesOf(schema) {
		prg := v.program(r)
		if prg == nil {
			continue
		}
		out, _, err := prg.Eval(map[string]any{"self": value})
		if err != nil {
			*errs = append(*errs, fmt.Errorf("%s: rule %q: %v", path, r.Rule, err))
			continue
		}
		if ok, _ := out.Value().(bool); !ok {
			*errs = append(*errs, fmt.Errorf("%s: %s (rule %q)", path, r.Message, r.Rule))
		}
	}
	switch val := value.(type) {
	case map[string]any:
		if props, ok := schema["properties"].(map[string]any); ok {
			for name, sub := range props {
				if s, ok := sub.(map[string]any); ok {
					v.rules(s, val[name], path+"."+name, errs)
				}
			}
		}
		if add, ok := schema["additionalProperties"].(map[string]any); ok {
			for name, e := range val {
				v.rules(add, e, path+"."+name, errs)
			}
		}
	case []any:
		if items, ok := schema["items"].(map[string]any); ok {
			for i, e := range val {
				v.rules(items, e, fmt.Sprintf("%s[%d]", path, i), errs)
			}
		}
	}
}
