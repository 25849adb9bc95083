package manifest

import (
	"bytes"
	"io"

	"gopkg.in/yaml.v3"
)

// Indent is the indentation of every YAML document eksnet writes.
const Indent = 2

// EncodeYAML encodes one YAML document.
func EncodeYAML(doc *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	if err := WriteYAML(&b, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteYAML writes docs to w as one YAML stream, "---" between documents.
func WriteYAML(w io.Writer, docs ...*yaml.Node) error {
	for i, doc := range docs {
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		enc := yaml.NewEncoder(w)
		enc.SetIndent(Indent)
		if err := enc.Encode(doc); err != nil {
			return err
		}
		if err := enc.Close(); err != nil {
			return err
		}
	}
	return nil
}
