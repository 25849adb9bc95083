// Package crdtest validates documents against a Kubernetes
// CustomResourceDefinition, as the API server would on create, for tests of
// the documents eksnet writes for other tools (Karpenter's EC2NodeClass and
// NodePool, the VPC CNI's ENIConfig): the version's openAPIV3Schema with
// unknown fields refused (strict field validation), and its
// x-kubernetes-validations CEL rules, evaluated with cel-go. Rules that need
// Kubernetes' own CEL library functions, or the old object (transition
// rules), are not evaluated; Validator.Skipped counts them.
package crdtest
