// Package audit holds a running cluster against eksnet's models: each
// node's max pods and kube-reserved against what its ENIs give under the
// cluster's CNI settings (formula), each subnet's free addresses and free
// aligned /28 blocks against the demand of its nodes at max pods (ipam),
// and custom networking's ENIConfigs against the nodes' zones and the
// subnets. Its input is what kubectl and the AWS CLI print, already decoded
// (kube, subnet); its output is typed findings and figures.
package audit
