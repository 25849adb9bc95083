// Package manifest writes the documents eksnet hands to other tools: the
// ENIConfigs of custom networking and the Terraform variables of a plan,
// and the one YAML encoder every YAML document goes through (ENIConfigs,
// Karpenter's EC2NodeClass, eksctl's ClusterConfig, nodeadm's NodeConfig),
// so that indentation, comments and multi-document streams are written one
// way. Values come from typed results and are encoded by the format's own
// encoder (yaml.v3, encoding/json), never spliced into text. The package is
// pure: it writes to the io.Writer it is handed.
package manifest
