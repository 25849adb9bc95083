package ec2fake

import (
	"encoding/xml"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// elementNames are the EC2 XML element names that are not the Go field name
// with its first letter lowered (read from the SDK's ec2 deserializers).
var elementNames = map[string]string{
	"Endpoint":       "regionEndpoint",
	"Geography":      "geographySet",
	"InterfaceTypes": "interfaceTypeSet",
	"Workloads":      "workloadSet",
	"EbsCards":       "ebsCardSet",
	"Tags":           "tagSet",
	// NetworkInterface
	"PrivateIpAddresses": "privateIpAddressesSet",
	"Ipv4Prefixes":       "ipv4PrefixSet",
	"Ipv6Addresses":      "ipv6AddressesSet",
	"Ipv6Prefixes":       "ipv6PrefixSet",
	"Groups":             "groupSet",
}

// memberNames are the list fields whose entries are not <item> elements.
var memberNames = map[string]string{
	"InferenceAcceleratorInfo.Accelerators": "member",
}

// writeElement writes v (an SDK output shape) as the element name, the way
// EC2's Query protocol does: fields become lower-camel elements, lists hold
// <item> elements, nil pointers and empty values are left out.
func writeElement(w io.Writer, name string, v reflect.Value) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		fmt.Fprintf(w, "<%s>", name)
		writeFields(w, v)
		fmt.Fprintf(w, "</%s>", name)
	case reflect.String:
		if v.Len() == 0 {
			return
		}
		fmt.Fprintf(w, "<%s>", name)
		_ = xml.EscapeText(w, []byte(v.String()))
		fmt.Fprintf(w, "</%s>", name)
	case reflect.Bool:
		fmt.Fprintf(w, "<%s>%t</%s>", name, v.Bool(), name)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		fmt.Fprintf(w, "<%s>%d</%s>", name, v.Int(), name)
	case reflect.Float32, reflect.Float64:
		fmt.Fprintf(w, "<%s>%s</%s>", name, strconv.FormatFloat(v.Float(), 'f', -1, 64), name)
	default:
		panic(fmt.Sprintf("ec2fake: cannot write %s as XML", v.Type()))
	}
}

func writeFields(w io.Writer, v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		field := t.Field(i)
		if !field.IsExported() {
			continue
		}
		name := elementName(field.Name)
		fv := v.Field(i)
		if fv.Kind() == reflect.Slice {
			if fv.Len() == 0 {
				continue
			}
			member := "item"
			if m, ok := memberNames[t.Name()+"."+field.Name]; ok {
				member = m
			}
			fmt.Fprintf(w, "<%s>", name)
			for j := range fv.Len() {
				writeElement(w, member, fv.Index(j))
			}
			fmt.Fprintf(w, "</%s>", name)
			continue
		}
		writeElement(w, name, fv)
	}
}

func elementName(field string) string {
	if name, ok := elementNames[field]; ok {
		return name
	}
	r, size := utf8.DecodeRuneInString(field)
	return string(unicode.ToLower(r)) + field[size:]
}

// writeErrorXML writes EC2's error document.
func writeErrorXML(w io.Writer, code, message, requestID string) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<Response><Errors><Error><Code>")
	_ = xml.EscapeText(&b, []byte(code))
	b.WriteString("</Code><Message>")
	_ = xml.EscapeText(&b, []byte(message))
	b.WriteString("</Message></Error></Errors><RequestID>")
	_ = xml.EscapeText(&b, []byte(requestID))
	b.WriteString("</RequestID></Response>")
	_, _ = io.WriteString(w, b.String())
}
